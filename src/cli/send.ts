import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAwsClients } from '../targets/clients';
import { RouterClient } from '../client/router-client';
import { UsageError } from '../errors';
import type { RegisterCommand } from './commands';

interface SendFlags {
  data?: string;
  file?: string;
  header: string[];
  count: string;
  async?: boolean;
  function?: string;
  stage?: string;
  region?: string;
  profile?: string;
  json?: boolean;
}

/**
 * `psarn send <psarn>`: invokes the router Lambda the way a producer does. The Lambda endpoint
 * comes from the SDK's own AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL, so the local stack
 * needs no flag.
 */
export const registerSend: RegisterCommand = (program, io, setExit) => {
  program
    .command('send')
    .description('send an event to a psARN through the router Lambda')
    .argument('<psarn>', 'the psARN to address')
    .option('--data <json>', 'the payload, as JSON')
    .option('--file <path>', 'read the payload (JSON) from a file')
    .option(
      '--header <key=value>',
      'an extra header (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--count <n>', 'send the event this many times', '1')
    .option('--async', 'invoke the router asynchronously (InvocationType Event)')
    .option(
      '--function <name>',
      'router function name (default PSARN_ROUTER_FUNCTION or psarn-<stage>-router)',
    )
    .option('--stage <stage>', 'stage (default PSARN_STAGE or dev)')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--profile <name>', 'AWS profile for credentials (default AWS_PROFILE)')
    .option('--json', 'print machine-readable JSON')
    .action(async (psarn: string, flags: SendFlags) => {
      const payload = await payloadOf(flags, io.cwd);
      const headers = headersOf(flags.header);
      const count = Number(flags.count);
      if (!Number.isInteger(count) || count < 1)
        throw new UsageError(`--count must be a whole number ≥ 1, got "${flags.count}"`);
      const stage = flags.stage ?? io.env['PSARN_STAGE'] ?? 'dev';
      const routerFunction = flags.function ?? io.env['PSARN_ROUTER_FUNCTION'] ?? `psarn-${stage}-router`;
      // The one place that builds clients: timeouts, endpoints and profile as everywhere else.
      const clients = createAwsClients({
        ...io.env,
        ...(flags.region === undefined ? {} : { AWS_REGION: flags.region }),
        ...(flags.profile === undefined ? {} : { AWS_PROFILE: flags.profile }),
      });
      const lambda = clients.lambda;
      const client = new RouterClient({ lambda, routerFunction });

      const results: unknown[] = [];
      let rejected = 0;
      const started = Date.now();
      for (let i = 0; i < count; i++) {
        const result = await client.send(psarn, payload, {
          headers,
          ...(flags.async === true ? { async: true } : {}),
        });
        const answer = result.async ? { statusCode: result.statusCode } : result.response;
        if (isRejection(answer)) rejected++;
        results.push(answer);
        if (io.isTty && count > 1 && flags.json !== true) io.stderr(`\rsent ${i + 1}/${count}`);
      }
      if (io.isTty && count > 1 && flags.json !== true) io.stderr('\n');
      lambda.destroy();

      if (flags.json === true) {
        io.stdout(JSON.stringify(count === 1 ? results[0] : results) + '\n');
      } else if (count === 1) {
        io.stdout(JSON.stringify(results[0], null, 2) + '\n');
      } else {
        const seconds = (Date.now() - started) / 1000;
        io.stdout(summarise(results));
        io.stdout(
          `sent ${count} events in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s), ${rejected} rejected\n`,
        );
      }
      if (rejected > 0) setExit(1);
    });
};

async function payloadOf(flags: SendFlags, cwd: string): Promise<unknown> {
  if (flags.data !== undefined && flags.file !== undefined)
    throw new UsageError('give either --data or --file, not both');
  const text =
    flags.file !== undefined ? await readFile(resolve(cwd, flags.file), 'utf8') : (flags.data ?? '{}');
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(
      `the payload ${flags.file !== undefined ? `in ${flags.file} ` : ''}is not JSON: ${text.slice(0, 80)}`,
    );
  }
}

function headersOf(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header takes key=value, got "${pair}"`);
    headers[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return headers;
}

function isRejection(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'error' in answer;
}

/** Counts, per target and status, what the router reported over many events. */
function summarise(results: readonly unknown[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    const deliveries = (r as { deliveries?: { target: string; status: string }[] } | null)?.deliveries;
    if (Array.isArray(deliveries)) {
      for (const d of deliveries)
        counts.set(`${d.status}\t${d.target}`, (counts.get(`${d.status}\t${d.target}`) ?? 0) + 1);
    } else {
      counts.set(
        'response\t(single Lambda target)',
        (counts.get('response\t(single Lambda target)') ?? 0) + 1,
      );
    }
  }
  const rows = [...counts].sort((a, b) => a[0].localeCompare(b[0]));
  return rows.map(([key, n]) => `${String(n).padStart(7)}  ${key.replace('\t', '  ')}`).join('\n') + '\n';
}
