import { safe } from './safe-text';
import { createPsarnClient } from '../client/psarn-client';
import type { LookupAnswer, LookupTarget } from '../discovery/lookup';
import type { RegisterCommand } from './commands';
import {
  guardStage,
  dynamoClientFor,
  resolveStoreTarget,
  withStoreOptions,
  type StoreFlags,
} from './store-options';
import { textTable } from './text-table';

interface LookupFlags extends StoreFlags {
  readonly json?: boolean;
}

/**
 * `psarn lookup <psarn-or-path>`: where a name leads in a stage's live release (split with weights
 * and shares, fanout, park state, release), psARN targets followed. It asks through the producer
 * client's own `lookup`, so the CLI and a producer cannot disagree.
 *
 * @example
 * psarn lookup /event/newUser --stage prod
 */
export const registerLookup: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('lookup'))
    .description('show where a psARN or a path (/event/newUser) leads in the live release of a stage')
    .argument('<psarn-or-path>', 'a whole psARN, or its path such as /event/newUser')
    .option('--json', 'print machine-readable JSON')
    .action(async (name: string, flags: LookupFlags) => {
      const target = resolveStoreTarget(flags, io.env);
      const guard = dynamoClientFor(target, io.env);
      try {
        await guardStage(flags, io.env, target, guard);
      } finally {
        guard.destroy();
      }
      const env = {
        ...io.env,
        ...(target.endpoint === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: target.endpoint }),
        ...(target.profile === undefined ? {} : { AWS_PROFILE: target.profile }),
      };
      const client = createPsarnClient({
        mode: 'direct',
        stage: target.stage,
        table: target.tableName,
        region: target.region,
        env,
      });
      try {
        const answer = await client.lookup(name);
        io.stdout(flags.json === true ? `${JSON.stringify(answer)}\n` : describe(answer));
      } finally {
        client.close();
      }
    });
};

/** The answer for humans: a header line, then one row per target (aliases indented under theirs). */
export function describe(answer: LookupAnswer): string {
  const rows: string[][] = [['ROLE', 'TARGET', 'KIND', 'WEIGHT', 'SHARE']];
  addRows(answer, rows, '');
  const parked = answer.parked
    ? `PARKED: every event goes to ${answer.parkQueue ?? '(no queue)'}`
    : undefined;
  const lines = [
    `${answer.psarn}  (release ${answer.release}, ttl ${answer.ttl} s, on failure: ${answer.onFailure})`,
    // Route text is not trusted: a registration's description reaches it without a review.
    ...(answer.description === undefined ? [] : [safe(answer.description)]),
    ...(answer.stickyBy === undefined ? [] : [`sticky by ${answer.stickyBy}`]),
    ...(parked === undefined ? [] : [parked]),
  ];
  return `${lines.join('\n')}\n${textTable(rows)}`;
}

function addRows(answer: LookupAnswer, rows: string[][], indent: string): void {
  const nested = (t: LookupTarget) => {
    if (t.leadsTo !== undefined) addRows(t.leadsTo, rows, `${indent}  `);
  };
  for (const t of answer.split) {
    rows.push([`${indent}split`, t.target, t.kind, String(t.weight), `${(t.share * 100).toFixed(1)}%`]);
    nested(t);
  }
  for (const t of answer.fanout) {
    rows.push([`${indent}fanout`, t.target, t.kind, '', '']);
    nested(t);
  }
  if (answer.parkQueue !== undefined)
    rows.push([
      `${indent}park`,
      answer.parkQueue,
      'sqs',
      '',
      answer.parked ? 'all (parked)' : answer.onFailure === 'park' ? 'failed copies' : 'when parked',
    ]);
}
