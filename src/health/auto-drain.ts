import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue, type DrainSummary } from '../delivery/drain';
import { DeliveryEngine } from '../delivery/engine';
import type { DeliveryLedger } from '../delivery/ledger';
import { parseTargetArn } from '../psarn/target-arn';
import type { Route } from '../routes/model';
import { parkTarget } from '../routing/compiled-route';
import { planDelivery } from '../routing/planner';
import type { ForwarderRegistry } from '../targets/registry';
import { DEFAULT_MAX_CLOCK_SKEW_MS, type HealthState, type TargetCheckResult } from './health-state';
import { healthView } from './health-view';
import type { ProbeResult } from './probe';

/**
 * The park reasons auto-drain takes back: copies kept only because the target was not to be sent
 * to (its circuit open, or marked unhealthy). A copy parked after its own send failed
 * (`target-failed`, `deadline`) or while the route was parked waits for an operator's drain.
 */
export const AUTO_DRAIN_REASONS: readonly string[] = ['circuit-open', 'unhealthy'];

/** Messages re-driven per run at most, over all routes: the rest wait for the next run. */
export const DEFAULT_AUTO_DRAIN_LIMIT = 500;
/** Time per run at most, well inside the check Lambda's timeout (60 s in serverless.yml). */
export const DEFAULT_AUTO_DRAIN_BUDGET_MS = 30_000;

/** One route and target whose parked copies a run took back (the check's `drained` entries). */
export interface AutoDrained {
  readonly psarn: string;
  readonly target: string;
  readonly delivered: number;
  /** Copies the drain re-drove but could not deliver: they stay in the park queue. */
  readonly kept: number;
  /** Why the drain of this target stopped early or did not run (budget, drain refused, error). */
  readonly note?: string;
}

/** A route's target that is ready to get its parked copies back. */
export interface AutoDrainCandidate {
  readonly route: Route;
  readonly target: string;
}

/**
 * Which targets of autoDrain routes may get their parked copies now (pure). A target is ready
 * only when all of these hold:
 *
 * - this run's probe did not find it `unhealthy` or `removed`, and the health state does not mark
 *   it (no unhealthy check or heartbeat);
 * - its circuit in `#health.circuits` is closed: no trip recorded, or a `closed` record (a router's
 *   probe copy succeeded: the target answered a real send); or an `open` record whose cool-down
 *   ended more than `maxSkewMs` ago by this clock AND this run's probe found it `healthy` (no
 *   traffic came to probe it; a probe that could not ask, `unknown`, is not enough here).
 *
 * A drain to a target that fails again only leaves the copies where they are (drain never parks
 * or dead-letters), so the cost of a wrong call is one failed send per copy, not a lost copy.
 *
 * Routes whose park is enabled are left out: an operator parked them, and drain refuses them.
 *
 * @example
 * autoDrainCandidates(routes, state, probes, Date.now()) // [{ route, target: 'arn:aws:lambda:…' }]
 */
export function autoDrainCandidates(
  routes: readonly Route[],
  state: HealthState,
  probes: readonly ProbeResult[],
  now: number,
  maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS,
): AutoDrainCandidate[] {
  const probed = new Map(probes.map((p) => [p.arn, p.status] as const));
  // This run's findings are the newest checks, also when they were not written (`psarn check
  // --auto-drain` without --write); `unknown` ones say nothing and leave the stored check.
  const checks: Record<string, TargetCheckResult> = { ...state.checks };
  for (const p of probes) if (p.status !== 'unknown') checks[p.arn] = { ...p, status: p.status };
  const view = healthView({ ...state, checks }, now, maxSkewMs);
  const ready = (arn: string): boolean => {
    const probe = probed.get(arn);
    if (probe === 'unhealthy' || probe === 'removed' || view.markOf(arn) !== undefined) return false;
    const circuit = state.circuits[arn];
    if (circuit === undefined || circuit.state === 'closed') return true;
    return probe === 'healthy' && now >= circuit.at + circuit.coolDownMs + maxSkewMs;
  };
  const out: AutoDrainCandidate[] = [];
  for (const route of routes) {
    if (route.autoDrain !== true || route.park === undefined || route.park.enabled) continue;
    const arns = new Set<string>();
    for (const t of [...route.targets, ...route.fanout]) if (t.kind !== 'psarn') arns.add(t.arn);
    for (const target of [...arns].sort()) if (ready(target)) out.push({ route, target });
  }
  return out;
}

export interface AutoDrainOptions {
  readonly routes: readonly Route[];
  readonly release: number;
  readonly state: HealthState;
  readonly probes: readonly ProbeResult[];
  /** Built by createForwarders (no breaker: the copies go to a target the check found closed). */
  readonly registry: ForwarderRegistry;
  /** The SQS client of a region, for park queues outside the home region. */
  readonly sqsFor: (region: string) => SQSClient;
  /** The router's retry ledger (drain's invocation records); none is fine for kept copies. */
  readonly ledger?: DeliveryLedger;
  readonly limit?: number;
  readonly budgetMs?: number;
  readonly now?: () => number;
}

/**
 * The scheduled check's auto-drain: for each ready target of an `autoDrain: true` route (see
 * autoDrainCandidates), re-drives from the route's park queue only the copies parked for that
 * target with reason `circuit-open` or `unhealthy`, with `psarn drain`'s own drainQueue (so a
 * copy is deleted only once delivered, and partly delivered events are narrowed as drain does).
 *
 * Two checks at once: drainQueue receives with a visibility timeout and deletes what it
 * delivered, so a copy one run holds is invisible to the other, which skips it (and stops after
 * `settleMs` rather than wait). Bounded by `limit` messages and `budgetMs` over the whole run;
 * a target's drain that fails is noted in its entry, and the others still run.
 *
 * @example
 * const drained = await autoDrain({ routes, release, state, probes, registry, sqsFor });
 */
export async function autoDrain(options: AutoDrainOptions): Promise<AutoDrained[]> {
  const now = options.now ?? Date.now;
  const stopAt = now() + (options.budgetMs ?? DEFAULT_AUTO_DRAIN_BUDGET_MS);
  let left = options.limit ?? DEFAULT_AUTO_DRAIN_LIMIT;
  const candidates = autoDrainCandidates(options.routes, options.state, options.probes, now());
  const byPsarn = new Map(options.routes.map((r) => [r.psarn, r] as const));
  const forwarders = options.registry.forwarderFor;
  const engine = new DeliveryEngine({
    forwarders,
    secureFailures: false,
    ...(options.ledger === undefined ? {} : { ledger: options.ledger }),
  });
  const urls = new Map<string, string>();
  const out: AutoDrained[] = [];
  for (const { route, target } of candidates) {
    const park = route.park;
    if (park === undefined) continue;
    const entry = { psarn: route.psarn, target };
    if (left <= 0 || now() >= stopAt) {
      out.push({ ...entry, delivered: 0, kept: 0, note: 'not drained: this run reached its limit' });
      continue;
    }
    const queue = parseTargetArn(park.queue);
    const sqs = options.sqsFor(queue.region);
    let summary: DrainSummary;
    try {
      let url = urls.get(park.queue);
      if (url === undefined) {
        const got = await sqs.send(
          new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.account }),
        );
        url = got.QueueUrl ?? '';
        urls.set(park.queue, url);
      }
      summary = await drainQueue({
        sqs,
        queueUrl: url,
        queue: parkTarget(park),
        fifo: queue.fifo,
        route,
        routeVersion: options.release,
        lookup: (p) => byPsarn.get(p),
        engine,
        forwarders,
        plan: planDelivery,
        onlyCopies: { target, reasons: AUTO_DRAIN_REASONS },
        limit: left,
        stopAt,
        // Copies another run holds are its to deliver: do not wait long for them.
        settleMs: 1_000,
      });
    } catch (err) {
      out.push({ ...entry, delivered: 0, kept: 0, note: err instanceof Error ? err.message : String(err) });
      continue;
    }
    left -= summary.done;
    if (summary.done === 0 && summary.stoppedBecause === undefined) continue; // nothing parked for it
    out.push({
      ...entry,
      delivered: summary.delivered,
      kept: summary.failed,
      ...(summary.stoppedBecause === undefined ? {} : { note: summary.stoppedBecause }),
    });
  }
  return out;
}
