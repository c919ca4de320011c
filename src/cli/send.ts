import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAwsClients } from '../targets/clients';
import { RouterClient } from '../client/router-client';
import { ErrorCode, PsarnError, UsageError } from '../errors';
import { DEFAULT_STAGE } from '../routes/context';
import type { RegisterCommand } from './commands';
import { checkStageName } from './stages';

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
      'router function name (default psarn-<--stage>-router, else PSARN_ROUTER_FUNCTION, else psarn-<PSARN_STAGE or dev>-router)',
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
      const { stage, routerFunction } = routerOf(flags, io.env);
      if (flags.function === undefined)
        checkStageName(stage, io.cwd, flags.stage !== undefined ? '--stage' : 'PSARN_STAGE');
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
      try {
        for (let i = 0; i < count; i++) {
          const result = await client.send(psarn, payload, {
            headers,
            ...(flags.async === true ? { async: true } : {}),
          });
          const answer = result.async ? { statusCode: result.statusCode } : result.response;
          if (result.async ? result.statusCode !== 202 : isRejection(answer)) rejected++;
          results.push(answer);
          if (io.isTty && count > 1 && flags.json !== true) io.stderr(`\rsent ${i + 1}/${count}`);
        }
      } catch (err) {
        throw routerFault(err, routerFunction, stage);
      } finally {
        lambda.destroy();
      }
      if (io.isTty && count > 1 && flags.json !== true) io.stderr('\n');

      const copies = countCopies(results);
      if (flags.json === true) {
        io.stdout(JSON.stringify(count === 1 ? results[0] : results) + '\n');
      } else if (count === 1) {
        io.stdout(JSON.stringify(results[0], null, 2) + '\n');
      } else if (flags.async === true) {
        const seconds = (Date.now() - started) / 1000;
        io.stdout(
          `queued ${count - rejected} of ${count} events for ${routerFunction} in ${seconds.toFixed(1)} s` +
            `${rejected > 0 ? `, ${rejected} not accepted by Lambda` : ''}\n` +
            'async: the router reports no deliveries; see its logs, or the DLQ for what it could not deliver\n',
        );
      } else {
        const seconds = (Date.now() - started) / 1000;
        io.stdout(summarise(results));
        io.stdout(
          `sent ${count} events in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s), ${rejected} rejected\n`,
        );
      }
      if (copies.notDelivered > 0) {
        io.stderr(
          `error: ${copies.notDelivered} of ${copies.total} copies were not delivered ` +
            `(dead-lettered: the router DLQ or the route's dead-letter target keeps them; ` +
            '`psarn drain` re-sends them once the target is fixed)\n',
        );
      }
      if (rejected > 0) {
        io.stderr(
          `error: ${rejected} of ${count} events were rejected${flags.async === true ? ' by Lambda' : ' by the router'}\n`,
        );
      }
      if (rejected > 0 || copies.notDelivered > 0) setExit(1);
    });
};

/**
 * The router function: `--function`, else the stage's (`--stage` beats PSARN_ROUTER_FUNCTION, which
 * the local stack's env.sh sets: `--stage prod` must not go to the local router), else
 * PSARN_ROUTER_FUNCTION, else psarn-<PSARN_STAGE or dev>-router.
 */
export function routerOf(
  flags: Pick<SendFlags, 'function' | 'stage'>,
  env: Readonly<Record<string, string | undefined>>,
): { stage: string; routerFunction: string } {
  const stage = flags.stage ?? nonEmpty(env['PSARN_STAGE']) ?? DEFAULT_STAGE;
  if (flags.function !== undefined) return { stage, routerFunction: flags.function };
  if (flags.stage !== undefined) return { stage, routerFunction: `psarn-${stage}-router` };
  return { stage, routerFunction: nonEmpty(env['PSARN_ROUTER_FUNCTION']) ?? `psarn-${stage}-router` };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A router that does not exist says which, for which stage, and what to do. */
function routerFault(err: unknown, routerFunction: string, stage: string): unknown {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'ResourceNotFoundException') {
    return new PsarnError(
      ErrorCode.ROUTER_NOT_FOUND,
      `router function ${routerFunction} (stage ${stage}) does not exist: deploy it ` +
        `(npx serverless deploy --stage ${stage}), or pick another with --stage or --function`,
      { routerFunction, stage },
      { cause: err },
    );
  }
  return err;
}

/** Copies the routers' delivery reports name, and how many of them were not delivered. */
function countCopies(results: readonly unknown[]): { total: number; notDelivered: number } {
  let total = 0;
  let notDelivered = 0;
  for (const r of results) {
    const deliveries = (r as { deliveries?: { status?: string }[] } | null)?.deliveries;
    if (!Array.isArray(deliveries)) continue;
    for (const d of deliveries) {
      total++;
      if (d.status === 'dead-lettered') notDelivered++;
    }
  }
  return { total, notDelivered };
}

async function payloadOf(flags: SendFlags, cwd: string): Promise<unknown> {
  if (flags.data !== undefined && flags.file !== undefined)
    throw new UsageError('give either --data or --file, not both');
  const text =
    flags.file !== undefined ? await readPayloadFile(resolve(cwd, flags.file)) : (flags.data ?? '{}');
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(
      `the payload ${flags.file !== undefined ? `in ${flags.file} ` : ''}is not JSON: ${text.slice(0, 80)}`,
    );
  }
}

async function readPayloadFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new PsarnError(
      ErrorCode.FILE_NOT_FOUND,
      `--file ${path}: ${why}; give the path of a JSON file, or the payload itself with --data`,
      { path },
      { cause: err },
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
