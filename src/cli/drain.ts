import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { DeliveryEngine } from '../delivery/engine';
import { drainQueue, type DrainSummary, type SkipReason } from '../delivery/drain';
import { NotParkableError, RouteNotFoundError, UsageError } from '../errors';
import { parseTargetArn } from '../psarn/target-arn';
import type { Route, TargetRef } from '../routes/model';
import { parkTarget } from '../routing/compiled-route';
import { planDelivery } from '../routing/planner';
import { destroyAwsClients } from '../targets/clients';
import { createForwarders } from '../targets/registry';
import type { RegisterCommand } from './commands';
import { liveRoutes } from './live-routes';
import { progressBar } from './progress';
import {
  dynamoClientFor,
  guardStage,
  openReleaseStore,
  withStoreOptions,
  type StoreFlags,
} from './store-options';
import { DynamoLedger } from '../store/dynamo-ledger';

interface DrainFlags extends StoreFlags {
  readonly dlq?: boolean;
  readonly dlqArn?: string;
  readonly rate?: string;
  readonly limit?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/**
 * `psarn drain <psarn>`: re-drive the route's holding queue (or, with --dlq, the router DLQ's
 * messages for this psARN) through the route that is live now, with a progress bar.
 *
 * @example
 * psarn unpark arn:aws:psarns:eu-west-1:123456789012:/event/newUser && psarn drain arn:aws:psarns:eu-west-1:123456789012:/event/newUser --rate 50
 */
export const registerDrain: RegisterCommand = (program, io, setExit) => {
  withStoreOptions(program.command('drain'))
    .description("re-drive a route's parked events (or its DLQ entries) through the live route")
    .argument('<psarn>', 'the route whose events to re-drive')
    .option('--dlq', "drain the router's dead-letter queue (this psARN's messages only)")
    .option('--dlq-arn <arn>', 'router DLQ ARN (default PSARN_DLQ_ARN or psarn-<stage>-router-dlq)')
    .option('--rate <n>', 'at most n messages per second')
    .option('--limit <n>', 'stop after n messages (default: the queue depth at the start)')
    .option('--dry-run', 'show where messages would go; deliver and delete nothing')
    .option('--json', 'print the summary as JSON')
    .action(async (psarn: string, flags: DrainFlags) => {
      const rate = optionalNumber(flags.rate, '--rate');
      const limit = optionalNumber(flags.limit, '--limit');
      const { store, target } = openReleaseStore(flags, io.env);
      const guardClient = dynamoClientFor(target, io.env);
      try {
        await guardStage(flags, io.env, target, guardClient);
      } finally {
        guardClient.destroy();
      }
      const live = await liveRoutes(store);
      const byPsarn = new Map(live.routes.map((r) => [r.psarn, r] as const));
      const route = byPsarn.get(psarn);
      if (route === undefined) throw new RouteNotFoundError(psarn);

      // The drained queue as a target: partly delivered messages' missing copies go back to it.
      const drained: TargetRef =
        flags.dlq === true
          ? { arn: dlqArnOf(flags, io.env, route, target.stage), kind: 'sqs' }
          : parkTarget(parkOf(route));
      const queueArn = drained.arn;
      const queue = parseTargetArn(queueArn);
      const env = {
        ...io.env,
        ...(flags.region === undefined ? {} : { AWS_REGION: flags.region }),
        ...(flags.profile === undefined ? {} : { AWS_PROFILE: flags.profile }),
      };
      // The one composition point: targets in other regions reach their own region's clients.
      const registry = createForwarders({ env });
      const clients = registry.clients;
      const ledgerClient = dynamoClientFor(target, io.env);
      let summary: DrainSummary;
      try {
        const { QueueUrl } = await clients.sqs.send(
          new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.account }),
        );
        if (QueueUrl === undefined) throw new UsageError(`queue ${queueArn} was not found`);
        const forwarders = registry.forwarderFor;
        // The ledger of the router's failed invocations: an invocation record re-drives only the
        // copies that invocation did not deliver before it failed.
        const ledger = new DynamoLedger({ client: ledgerClient, tableName: target.tableName });
        const engine = new DeliveryEngine({ forwarders, secureFailures: false, ledger });
        let bar: ReturnType<typeof progressBar> | undefined;
        summary = await drainQueue({
          sqs: clients.sqs,
          queueUrl: QueueUrl,
          queue: drained,
          fifo: queue.fifo,
          route,
          routeVersion: live.release,
          lookup: (p) => byPsarn.get(p),
          engine,
          forwarders,
          plan: planDelivery,
          ...(flags.dlq === true ? { onlyPsarn: psarn } : {}),
          ...(rate === undefined ? {} : { ratePerSecond: rate }),
          ...(limit === undefined ? {} : { limit }),
          ...(flags.dryRun === true ? { dryRun: true } : {}),
          onProgress: (p) => {
            bar ??= progressBar(io, p.total, flags.dryRun === true ? 'planning' : 'draining');
            // Skipped messages count as seen, so a DLQ holding other routes' events still reaches 100 %.
            const notes = [
              ...(p.failed > 0 ? [`${p.failed} failed`] : []),
              ...(p.skipped > 0 ? [`${p.skipped} skipped`] : []),
            ];
            bar.update(p.done + p.skipped, notes.length === 0 ? '' : `(${notes.join(', ')})`, p.elapsedMs);
          },
        });
        bar?.finish();
      } finally {
        // Also after a failed drain: open SDK sockets would keep the CLI from exiting.
        destroyAwsClients(clients);
        ledgerClient.destroy();
      }

      io.stdout(
        flags.json === true
          ? `${JSON.stringify({ queue: queueArn, ...summary })}\n`
          : describe(summary, queueArn),
      );
      if (summary.failed > 0 || summary.notDeleted > 0 || summary.stoppedBecause !== undefined) setExit(1);
    });
};

function parkOf(route: Route): NonNullable<Route['park']> {
  if (route.park === undefined) throw new NotParkableError(route.psarn);
  return route.park;
}

function dlqArnOf(
  flags: DrainFlags,
  env: Readonly<Record<string, string | undefined>>,
  route: Route,
  stage: string,
): string {
  const given = flags.dlqArn ?? env['PSARN_DLQ_ARN'];
  if (given !== undefined && given !== '') return given;
  const { region, account } = parseTargetArn(route.psarn);
  return `arn:aws:sqs:${region}:${account}:psarn-${stage}-router-dlq`;
}

function optionalNumber(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} takes a positive number, got "${raw}"`);
  return value;
}

/** Skip reasons as the summary line says them (--json gives the codes). */
const SKIP_WORDS: Readonly<Record<SkipReason, string>> = {
  'other-psarn': "another psARN's",
  'other-route': "another route's",
  'not-json': 'body not JSON',
  'no-psarn': 'no psarn attribute',
  'no-request-payload': 'invocation record without its request',
  'succeeded-invocation': 'record of a successful invocation',
  'nothing-to-send': 'nothing to send on the live route',
  'other-copy': 'kept for another target or reason',
};

function describe(summary: DrainSummary, queue: string): string {
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const lines: string[] = [];
  if (summary.wouldSend !== undefined) {
    for (const w of summary.wouldSend) lines.push(`would send ${w.traceId} → ${w.targets.join(', ')}`);
  }
  const reasons = Object.entries(summary.skippedBy).map(
    ([why, n]) => `${n} ${SKIP_WORDS[why as SkipReason]}`,
  );
  lines.push(
    `${summary.wouldSend === undefined ? 'drained' : 'dry run of'} ${queue}: ${summary.done} of ${summary.total} messages in ${seconds} s — ` +
      `${summary.delivered} delivered, ${summary.failed} failed (left in the queue), ${summary.skipped} skipped` +
      (reasons.length === 0 ? '' : ` (${reasons.join(', ')})`),
  );
  if (summary.partlyDelivered > 0) {
    lines.push(
      `${summary.partlyDelivered} failed message(s) had reached some targets: their ${summary.keptCopies} missing ` +
        `cop${summary.keptCopies === 1 ? 'y was' : 'ies were'} kept in the queue for those targets only, the originals deleted`,
    );
  }
  if (summary.notNarrowed > 0) {
    lines.push(
      `${summary.notNarrowed} failed message(s) had reached some targets, but their missing copies could not be ` +
        `written back (${summary.notNarrowedBecause ?? 'unknown'}): the originals stay whole, and the next drain ` +
        `sends them to every target again`,
    );
  }
  if (summary.notDeleted > 0) {
    lines.push(
      `${summary.notDeleted} delivered message(s) could not be deleted and will be re-driven by the next drain`,
    );
  }
  if (summary.stoppedBecause !== undefined) lines.push(`stopped: ${summary.stoppedBecause}`);
  return lines.join('\n') + '\n';
}
