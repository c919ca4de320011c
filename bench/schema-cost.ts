/**
 * What a payload contract costs per event on the cached path: `Router.prepare` (route lookup from
 * a warm cache, caller, headers, payload text, contract, plan, admission) of the same route
 * without and with a `schema:`, side by side (comparePair: alternating rounds, a ratio). No I/O:
 * an in-memory route store, and prepare sends nothing. Runnable alone:
 *
 *   npx tsx bench/schema-cost.ts [--json]
 */
import { DeliveryEngine } from '../src/delivery/engine';
import { Router } from '../src/router/router';
import type { Route } from '../src/routes/model';
import { planDelivery } from '../src/routing/planner';
import { InMemoryRouteStore } from '../src/store/in-memory-route-store';
import { RouteCache } from '../src/store/route-cache';
import { createForwarders } from '../src/targets/registry';
import { checkPayloadContract } from '../src/contracts/payload-contract';
import { comparePair, formatNs, type PairResult } from './measure';

const queue = 'arn:aws:sqs:us-east-1:000000000000:psarn-bench';
const plain: Route = {
  psarn: 'arn:aws:psarns:us-east-1:000000000000:/bench/plain',
  ttl: 3600,
  targets: [{ arn: queue, kind: 'sqs', weight: 1 }],
  fanout: [],
  onFailure: 'dlq',
};
/** A realistic sign-up contract: required fields, types, a pattern, an enum, a nested object. */
const contract: Route = {
  ...plain,
  psarn: 'arn:aws:psarns:us-east-1:000000000000:/bench/contract',
  schema: {
    type: 'object',
    required: ['userId', 'email', 'plan'],
    properties: {
      userId: { type: 'string', pattern: '^u-[0-9a-f]{8}$' },
      email: { type: 'string', maxLength: 254 },
      plan: { enum: ['free', 'pro', 'team'] },
      address: {
        type: 'object',
        properties: { country: { type: 'string', minLength: 2, maxLength: 2 }, zip: { type: 'string' } },
      },
    },
  },
  onInvalid: 'reject',
};
const payload = {
  userId: 'u-0123abcd',
  email: 'zoe@example.com',
  plan: 'pro',
  address: { country: 'FR', zip: '75001' },
};

export async function schemaCost(ops = 200_000): Promise<PairResult> {
  const store = new InMemoryRouteStore();
  await store.publishRelease([plain, contract], { by: 'bench' });
  const forwarders = createForwarders().forwarderFor;
  const router = new Router({
    cache: new RouteCache({ store }),
    engine: new DeliveryEngine({ forwarders }),
    forwarders,
    plan: planDelivery,
  });
  const variant = (name: string, psarn: string) => ({
    name,
    run: async (n: number) => {
      for (let i = 0; i < n; i++) {
        const prepared = await router.prepare(
          { psarn, payload, headers: {}, eventId: `e-${i}`, traceId: 't' },
          { passthrough: false },
        );
        if (!prepared.ok) throw prepared.error;
      }
    },
  });
  return comparePair(
    'prepare: no schema vs schema',
    variant('no schema', plain.psarn),
    variant('schema', contract.psarn),
    {
      ops,
    },
  );
}

/** The contract check alone on the cached path (compiled once, then one validator call), ns per event. */
export function validatorNsPerEvent(ops = 1_000_000): number {
  if (checkPayloadContract(contract, payload) !== undefined)
    throw new Error('the bench payload must conform');
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) checkPayloadContract(contract, payload);
  return Number(process.hrtime.bigint() - start) / ops;
}

if (require.main === module) {
  void schemaCost().then((result) => {
    const validator = validatorNsPerEvent();
    if (process.argv.includes('--json'))
      console.log(JSON.stringify({ ...result, validatorNsPerEvent: validator }, null, 2));
    else
      console.log(
        `checkPayloadContract alone: ${formatNs(validator)} per event\n` +
          `${result.pair}: ${formatNs(result.a.nsPerOp)} vs ${formatNs(result.b.nsPerOp)} per event ` +
          `(x${result.ratio.toFixed(2)}; +${formatNs(result.b.nsPerOp - result.a.nsPerOp)} for the contract)`,
      );
  });
}
