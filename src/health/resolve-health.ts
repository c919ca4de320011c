import type { Route } from '../routes/model';
import type { DeliveryPlan } from '../routing/plan';
import { dynamoClientFor, resolveStoreTarget } from '../cli/store-options';
import { HealthStore } from './health-store';
import { healthView, type HealthView } from './health-view';

type Env = Readonly<Record<string, string | undefined>>;

/** The health a router would plan with now, read from the stage's route table. */
export interface ResolvedHealth {
  readonly version: number;
  readonly view: HealthView;
}

/**
 * Reads the `#health` item of the stage's table (PSARN_TABLE or psarn-<stage>-routes, as every
 * table command resolves it) and what it means now, for `psarn resolve --health`.
 */
export async function readHealthFor(
  flags: { stage?: string; table?: string },
  env: Env,
): Promise<ResolvedHealth> {
  const target = resolveStoreTarget(flags, env);
  const client = dynamoClientFor(target, env);
  try {
    const state = await new HealthStore({ client, tableName: target.tableName }).read({ consistent: true });
    return { version: state.version, view: healthView(state, Date.now()) };
  } finally {
    client.destroy();
  }
}

/** The targets of `route` (and of its plan, through aliases) and their health, for JSON. */
export function healthRows(
  route: Route,
  plan: DeliveryPlan,
  health: ResolvedHealth,
): { arn: string; status: string; reason?: string }[] {
  const arns = new Set<string>();
  for (const t of [...route.targets, ...route.fanout]) if (t.kind !== 'psarn') arns.add(t.arn);
  for (const d of plan.deliveries) if (d.role !== 'park') arns.add(d.target.arn);
  return [...arns].map((arn) => {
    const mark = health.view.markOf(arn);
    return mark === undefined
      ? { arn, status: 'healthy' }
      : { arn, status: mark.status, reason: mark.reason };
  });
}

/** The health lines under `psarn resolve`'s plan table. */
export function formatHealth(route: Route, plan: DeliveryPlan, health: ResolvedHealth): string {
  const rows = healthRows(route, plan, health).filter((r) => r.status !== 'healthy');
  const kept = plan.deliveries.filter((d) => d.unhealthy !== undefined).map((d) => d.target.arn);
  const lines = [
    '',
    rows.length === 0
      ? `health  every target healthy (health version ${health.version})`
      : `health  version ${health.version}: routers route around these targets`,
    ...rows.map((r) => `        ${r.arn}  ${r.status}: ${r.reason ?? ''}`),
    ...kept.map((arn) => `        a copy to ${arn} is kept (parked, else dead-lettered), not sent`),
  ];
  return `${lines.join('\n')}\n`;
}
