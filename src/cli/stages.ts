import { TableKey } from '../store/table-layout';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { ErrorCode, PsarnError } from '../errors';
import { didYouMean } from '../routes/did-you-mean';

/**
 * Stages are declared once, in serverless.yml (`custom.psarn.stages`): the stages this project
 * deploys. Every command that takes `--stage` refuses a stage not in that list, and `validate`
 * refuses a `stages:` override block for one, with "did you mean" for a near miss. Without the
 * list (no serverless.yml, or no `stages` in it) stage names are not checked.
 */
export const STAGES_FILE = 'serverless.yml';

export interface DeclaredStages {
  readonly stages: readonly string[];
  readonly file: string;
}

/**
 * The stages serverless.yml declares, or undefined when it declares none.
 *
 * @example
 * declaredStages('/work/project') // { stages: ['local', 'dev', 'qa', 'prod'], file: '/work/project/serverless.yml' }
 */
export function declaredStages(cwd: string): DeclaredStages | undefined {
  const file = join(cwd, STAGES_FILE);
  if (!existsSync(file)) return undefined;
  let doc: unknown;
  try {
    // serverless.yml's ${…} variables are plain strings to YAML; only the literal list is read.
    doc = parse(readFileSync(file, 'utf8'), { maxAliasCount: 100 });
  } catch {
    // serverless.yml that is no YAML declares no stages: names go unchecked, as without a list.
    // Only stage names are read here; nothing is written, so nothing can be lost.
    return undefined;
  }
  const stages = (doc as { custom?: { psarn?: { stages?: unknown } } } | null)?.custom?.psarn?.stages;
  if (!Array.isArray(stages) || !stages.every((s): s is string => typeof s === 'string')) return undefined;
  return { stages, file };
}

/** The "did you mean" (or the list) that follows an unknown stage name. */
export function unknownStageHint(stage: string, declared: DeclaredStages): string {
  const meant = didYouMean(stage, declared.stages);
  const listed = `${STAGES_FILE} custom.psarn.stages declares ${declared.stages.join(', ')}`;
  return meant === undefined
    ? `${listed}; add it there if it is a new stage`
    : `did you mean "${meant}"? (${listed})`;
}

/**
 * Refuse a stage the project does not declare (`--stage prdo`).
 *
 * @example
 * checkStageName('prdo', process.cwd(), '--stage') // throws UNKNOWN_STAGE: … did you mean "prod"?
 */
export function checkStageName(stage: string, cwd: string, from: string): void {
  const declared = declaredStages(cwd);
  if (declared === undefined || declared.stages.includes(stage)) return;
  throw new PsarnError(
    ErrorCode.UNKNOWN_STAGE,
    `unknown stage "${stage}" (${from}): ${unknownStageHint(stage, declared)}`,
    { stage, declared: declared.stages },
  );
}

/** The route table's own record of its stage: written when the table is created or first used. */
export const STAGE_KEY = { pk: { S: TableKey.stagePk }, sk: { S: TableKey.stageSk } } as const;

/** Where a command's stage and table came from, for the message when they do not match. */
export interface StageSources {
  readonly stage: string;
  readonly stageFrom: string;
  readonly tableName: string;
  readonly tableFrom: string;
}

/**
 * Refuse to use a route table of another stage. The table's `#stage` item says which stage it
 * belongs to; a table without one is named `psarn-<stage>-routes` by convention, and then gets
 * its `#stage` item on this first use. A table with neither (a custom name) is not checked.
 *
 * @example
 * await checkTableStage(client, { stage: 'qa', stageFrom: '--stage', tableName: 'psarn-local-routes', tableFrom: 'PSARN_TABLE' }, 'me');
 * // throws STAGE_MISMATCH: route table psarn-local-routes belongs to stage local, …
 */
export async function checkTableStage(
  client: DynamoDBClient,
  sources: StageSources,
  by: string,
): Promise<void> {
  const { stage, tableName } = sources;
  let out;
  try {
    out = await client.send(
      new GetItemCommand({ TableName: tableName, Key: STAGE_KEY, ConsistentRead: true }),
    );
  } catch (err) {
    // A missing table (or an unreachable store) is the command's own error to report.
    if ((err as Error).name === 'ResourceNotFoundException') return;
    throw err;
  }
  const recorded = out.Item?.['stage']?.S;
  if (recorded !== undefined) {
    if (recorded !== stage) throw mismatch(sources, recorded, 'its #stage item says so');
    return;
  }
  const named = /^psarn-(.+)-routes$/.exec(tableName)?.[1];
  if (named === undefined) return;
  if (named !== stage) throw mismatch(sources, named, 'by its name');
  await recordTableStage(client, tableName, stage, by);
}

/**
 * Write a table's `#stage` item unless it has one (the local stack calls this when it creates
 * its table; commands, on first use of a conventionally named table).
 */
export async function recordTableStage(
  client: DynamoDBClient,
  tableName: string,
  stage: string,
  by: string,
): Promise<void> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...STAGE_KEY,
          stage: { S: stage },
          recordedAt: { S: new Date().toISOString() },
          recordedBy: { S: by },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (
      !(err instanceof ConditionalCheckFailedException) &&
      (err as Error).name !== 'ConditionalCheckFailedException'
    )
      throw err;
  }
}

function mismatch(sources: StageSources, owner: string, how: string): PsarnError {
  const { stage, stageFrom, tableName, tableFrom } = sources;
  const envHint =
    tableFrom === 'PSARN_TABLE'
      ? ` PSARN_TABLE=${tableName} comes from your environment (.local-stack/env.sh sets it): unset it or pass --table.`
      : '';
  return new PsarnError(
    ErrorCode.STAGE_MISMATCH,
    `route table ${tableName} (${tableFrom}) belongs to stage ${owner} (${how}), but this command is for stage ` +
      `${stage} (${stageFrom}); nothing was read or changed. Use --table psarn-${stage}-routes for ${stage}, ` +
      `or --stage ${owner} for this table.${envHint}`,
    { stage, table: tableName, tableStage: owner },
  );
}
