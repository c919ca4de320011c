import { ErrorCode, PsarnError } from '../errors';
import { didYouMean } from '../routes/did-you-mean';
import { DEFAULT_STAGE } from '../routes/context';
import type { AwsClients } from '../targets/clients';
import type { CallerOptions } from './caller';
import { routeTableOf, routerFunctionOf } from './stage-names';

type Env = Readonly<Record<string, string | undefined>>;

/** `createPsarnClient`'s options. Everything but `mode` has a default. */
export interface PsarnClientOptions {
  /**
   * `router`: invoke the stage's router Lambda (the producer needs only lambda:InvokeFunction).
   * `direct`: resolve routes from the stage's route table and call the targets itself, with the
   * router's own cache, planner and delivery code (no router hop; needs read access to the table
   * and send rights on the targets).
   */
  readonly mode: 'router' | 'direct';
  /** Picks the router (`psarn-<stage>-router`) and route table (`psarn-<stage>-routes`); default PSARN_STAGE, else `dev`. */
  readonly stage?: string;
  /** AWS region of the router and the table; default AWS_REGION, else AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** Router mode: the router's function name or ARN; default PSARN_ROUTER_FUNCTION (without `stage`), else the stage's. */
  readonly routerFunction?: string;
  /** The route table; default PSARN_TABLE (without `stage`), else the stage's. */
  readonly table?: string;
  /** Sent with every event in header `psarn-caller`, with the Lambda function name. */
  readonly caller?: CallerOptions;
  /** Direct mode: where a copy that fails and has no park queue is kept (an SQS queue ARN). */
  readonly deadLetterQueue?: string;
  /** The producer's own SDK clients, used instead of building them (tests, custom config). */
  readonly clients?: Partial<AwsClients>;
  /** Where defaults, endpoints and the function name come from (default process.env). */
  readonly env?: Env;
}

/** The options with every default applied and checked. */
export interface ClientSettings {
  readonly mode: 'router' | 'direct';
  readonly stage: string;
  readonly region: string | undefined;
  readonly routerFunction: string;
  readonly table: string;
  readonly caller: CallerOptions | undefined;
  readonly deadLetterQueue: string | undefined;
  readonly clients: Partial<AwsClients>;
  /** `env` with `region` applied, for every SDK client the client builds. */
  readonly env: Env;
}

const KEYS: readonly (keyof PsarnClientOptions)[] = [
  'mode',
  'stage',
  'region',
  'routerFunction',
  'table',
  'caller',
  'deadLetterQueue',
  'clients',
  'env',
];
const MODES = ['router', 'direct'] as const;
// serverless.yml stage names become parts of resource names (functions, tables, queues).
const STAGE = /^[a-zA-Z0-9-]{1,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const LABEL_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const MAX_LABELS = 16;
const MAX_LABEL_VALUE = 256;

function bad(message: string, context: Record<string, unknown>): PsarnError {
  return new PsarnError(ErrorCode.INVALID_CLIENT_OPTIONS, `createPsarnClient: ${message}`, context);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function optionalString(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw bad(`${key} must be a non-empty string, got ${JSON.stringify(value)}`, { option: key });
  return value;
}

/**
 * Checks a producer's options and applies the defaults. Unknown keys are refused (a typo such as
 * `stgae` must not silently send to the default stage), with "did you mean".
 *
 * @example
 * clientSettings({ mode: 'direct', stage: 'prod' }, {}).table // 'psarn-prod-routes'
 * @throws PsarnError INVALID_CLIENT_OPTIONS
 */
export function clientSettings(input: PsarnClientOptions, processEnv: Env): ClientSettings {
  if (typeof input !== 'object' || input === null)
    throw bad("expected an options object such as { mode: 'router' }", {});
  const options = input as unknown as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const meant = didYouMean(key, KEYS);
      throw bad(
        `unknown option "${key}"${meant === undefined ? '' : `: did you mean "${meant}"?`} (options: ${KEYS.join(', ')})`,
        { option: key },
      );
    }
  }
  const mode = options['mode'];
  if (!MODES.includes(mode as (typeof MODES)[number]))
    throw bad(`mode must be "router" or "direct", got ${JSON.stringify(mode)}`, { option: 'mode' });
  const env = (options['env'] as Env | undefined) ?? processEnv;
  const explicitStage = optionalString(options, 'stage');
  const stage = explicitStage ?? nonEmpty(env['PSARN_STAGE']) ?? DEFAULT_STAGE;
  if (!STAGE.test(stage))
    throw bad(
      `stage must be 1-32 letters, digits or dashes (it names AWS resources), got ${JSON.stringify(stage)}`,
      {
        option: 'stage',
      },
    );
  const region =
    optionalString(options, 'region') ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']);
  if (region !== undefined && !REGION.test(region))
    throw bad(`region ${JSON.stringify(region)} is no AWS region (such as eu-west-1)`, { option: 'region' });
  // An explicit stage beats PSARN_TABLE / PSARN_ROUTER_FUNCTION, which .local-stack/env.sh sets:
  // `stage: 'prod'` must not read the local table (the same rule as `psarn send --stage`).
  const table =
    optionalString(options, 'table') ??
    (explicitStage === undefined ? nonEmpty(env['PSARN_TABLE']) : undefined) ??
    routeTableOf(stage);
  const routerFunction =
    optionalString(options, 'routerFunction') ??
    (explicitStage === undefined ? nonEmpty(env['PSARN_ROUTER_FUNCTION']) : undefined) ??
    routerFunctionOf(stage);
  const deadLetterQueue = optionalString(options, 'deadLetterQueue');
  if (deadLetterQueue !== undefined && !deadLetterQueue.startsWith('arn:aws:sqs:'))
    throw bad(
      `deadLetterQueue must be an SQS queue ARN (arn:aws:sqs:…), got ${JSON.stringify(deadLetterQueue)}`,
      {
        option: 'deadLetterQueue',
      },
    );
  const caller = callerOf(options['caller']);
  const clients = options['clients'];
  if (clients !== undefined && (typeof clients !== 'object' || clients === null))
    throw bad('clients must be an object of SDK clients ({ lambda, dynamodb, sqs, sns, eventbridge })', {
      option: 'clients',
    });
  return {
    mode: mode as 'router' | 'direct',
    stage,
    region,
    routerFunction,
    table,
    caller,
    deadLetterQueue,
    clients: (clients as Partial<AwsClients> | undefined) ?? {},
    env: region === undefined ? env : { ...env, AWS_REGION: region, AWS_DEFAULT_REGION: region },
  };
}

function callerOf(value: unknown): CallerOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('caller must be an object such as { labels: { team: "growth" } }', { option: 'caller' });
  const unknown = Object.keys(value).filter((k) => k !== 'labels');
  if (unknown.length > 0)
    throw bad(
      `caller has unknown key "${unknown[0]}" (only labels; the function name comes from AWS_LAMBDA_FUNCTION_NAME)`,
      {
        option: 'caller',
      },
    );
  const labels = (value as { labels?: unknown }).labels;
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels))
    throw bad('caller.labels must be an object of strings', { option: 'caller.labels' });
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS)
    throw bad(`caller.labels has ${entries.length} labels; at most ${MAX_LABELS}`, {
      option: 'caller.labels',
    });
  for (const [key, v] of entries) {
    if (!LABEL_KEY.test(key))
      throw bad(`caller.labels key ${JSON.stringify(key)} must be 1-64 of A-Z a-z 0-9 _ . : / -`, {
        option: 'caller.labels',
      });
    if (typeof v !== 'string' || v.length > MAX_LABEL_VALUE)
      throw bad(`caller.labels.${key} must be a string of at most ${MAX_LABEL_VALUE} characters`, {
        option: 'caller.labels',
      });
  }
  return { labels: Object.fromEntries(entries) as Record<string, string> };
}
