import type { RoutePlan } from './route-plan';

const MARK = { added: '+', changed: '~', removed: '-' } as const;

/**
 * A plan as `psarn plan` and `psarn apply` print it: one block per psARN, one phrase per line.
 *
 * @example
 * renderPlan(plan, 4)
 * // ~ arn:aws:psarns:eu-west-1:123456789012:/event/newUser
 * //     weight live 90→50, canary 10→50
 * // Plan against release 4: 0 to add, 1 to change, 0 to remove.
 */
export function renderPlan(plan: RoutePlan, liveRelease: number): string {
  if (plan.entries.length === 0) return `No changes: the routes match release ${liveRelease}.\n`;
  const lines: string[] = [];
  for (const entry of plan.entries) {
    lines.push(`${MARK[entry.kind]} ${entry.psarn}`);
    for (const change of entry.changes) lines.push(`    ${change}`);
  }
  const { added, changed, removed } = plan.counts;
  lines.push(
    `Plan against release ${liveRelease}: ${added} to add, ${changed} to change, ${removed} to remove.`,
  );
  return `${lines.join('\n')}\n`;
}
