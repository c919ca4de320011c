import { z } from 'zod';

/**
 * The raw shape of a route in a route file, before `${...}` substitution, stage merging and
 * defaults. Every object is `.strict()`: a mistyped key must fail validation, not ship silently.
 * Rules that need the target's kind (FIFO, EventBridge) are checked after parsing the ARNs, in
 * normalise.ts.
 */
export const MAX_TTL_SECONDS = 86_400;

const text = z.string().min(1);

export const SplitTargetSchema = z
  .object({
    arn: text,
    weight: z.number().nonnegative().optional(),
    detailType: text.optional(),
    source: text.optional(),
    groupBy: text.optional(),
  })
  .strict();

export const FanoutTargetSchema = z
  .object({
    arn: text,
    detailType: text.optional(),
    source: text.optional(),
    groupBy: text.optional(),
  })
  .strict();

export const ParkSchema = z
  .object({ queue: text, enabled: z.boolean().optional(), groupBy: text.optional() })
  .strict();

/**
 * Catalog metadata (`psarn catalog`): who answers for a route, and free key/value labels to
 * find it by. Both end up in terminal tables and an HTML page, so they are kept to one printable
 * line each; the renderers still escape them, since a route file is not trusted input.
 */
export const MAX_OWNER_LENGTH = 128;
export const MAX_LABELS = 32;
export const MAX_LABEL_VALUE_LENGTH = 256;
/** Label keys: 1–63 of letters, digits, `.`, `_`, `-`, `/`, starting with a letter or digit. */
export const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
// Control characters (line breaks, tabs, ANSI escapes) would break a table row or a terminal.
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

export const OwnerSchema = z.string().min(1).max(MAX_OWNER_LENGTH).regex(PRINTABLE);

export const LabelsSchema = z
  .record(z.string().regex(LABEL_KEY), z.string().max(MAX_LABEL_VALUE_LENGTH).regex(PRINTABLE))
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS);
/** Who an override is for: every field given must match (AND); `*` in a value matches any run of characters. */
export const CallerMatchSchema = z
  .object({
    principal: text.optional(),
    function: text.optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
  })
  .strict();

/** A `callers:` entry: events from a matching caller go to these targets/fanout/park instead. */
export const CallerOverrideSchema = z
  .object({
    match: CallerMatchSchema,
    targets: z.array(SplitTargetSchema).optional(),
    fanout: z.array(FanoutTargetSchema).optional(),
    park: ParkSchema.optional(),
  })
  .strict();

/** The fields a stage may override; `psarn` is the route's identity and never changes per stage. */
const overridable = {
  description: z.string().optional(),
  ttl: z.number().int().min(0).max(MAX_TTL_SECONDS).optional(),
  targets: z.array(SplitTargetSchema).optional(),
  stickyBy: text.optional(),
  fanout: z.array(FanoutTargetSchema).optional(),
  park: ParkSchema.optional(),
  onFailure: z.enum(['park', 'dlq']).optional(),
  owner: OwnerSchema.optional(),
  labels: LabelsSchema.optional(),
  /** A JSON Schema for the payload: inline, or a file path relative to the route file. */
  schema: z.union([text, z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  onInvalid: z.enum(['reject', 'park']).optional(),
  callers: z.array(CallerOverrideSchema).optional(),
  /** Drain the copies an open circuit (or an unhealthy target) parked once it closes (src/health/auto-drain.ts). */
  autoDrain: z.boolean().optional(),
};

export const StageOverrideSchema = z.object(overridable).strict();

export const RawRouteSchema = z
  .object({
    psarn: text,
    ...overridable,
    stages: z.record(z.string(), StageOverrideSchema).optional(),
  })
  .strict();

export type RawRoute = z.infer<typeof RawRouteSchema>;
export type RawStageOverride = z.infer<typeof StageOverrideSchema>;

export const ROUTE_KEYS = Object.keys(RawRouteSchema.shape);
export const STAGE_KEYS = Object.keys(StageOverrideSchema.shape);
export const SPLIT_TARGET_KEYS = Object.keys(SplitTargetSchema.shape);
export const FANOUT_TARGET_KEYS = Object.keys(FanoutTargetSchema.shape);
export const PARK_KEYS = Object.keys(ParkSchema.shape);

/** What a valid value of each field looks like, for messages that must say what would be valid. */
export const FIELD_EXPECTATIONS: Readonly<Record<string, string>> = {
  psarn: 'a psARN like arn:aws:psarns:${region}:${account}:/event/name',
  description: 'a string',
  ttl: `a whole number of seconds from 0 to ${MAX_TTL_SECONDS}`,
  targets: 'a list of targets, each {arn, weight}',
  'targets[]': 'a map like {arn: ..., weight: 10}',
  fanout: 'a list of targets, each {arn}',
  'fanout[]': 'a map like {arn: ...}',
  arn: 'a target ARN (Lambda function, SQS queue, SNS topic, EventBridge bus or psARN)',
  weight: 'a non-negative number',
  detailType: 'a non-empty string',
  source: 'a non-empty string',
  groupBy: 'a dotted path like payload.customerId',
  stickyBy: 'a dotted path like payload.userId',
  park: 'a map {queue: <SQS queue ARN>, enabled: true|false, groupBy: <event path, FIFO queues only>}',
  queue: 'an SQS queue ARN',
  enabled: 'true or false',
  onFailure: 'park or dlq',
  owner: `one line of text, 1 to ${MAX_OWNER_LENGTH} characters, like team-payments or ana@example.com`,
  labels: `a map of at most ${MAX_LABELS} labels, like {team: payments, tier: "1"}`,
  'labels.*': `a string of at most ${MAX_LABEL_VALUE_LENGTH} characters on one line (quote numbers and booleans: "1", "true")`,
  'labels{}': 'a label key: 1 to 63 letters, digits, ".", "_", "-" or "/", starting with a letter or digit',
  stages: 'a map from stage name to the fields that stage overrides',
  schema: 'a JSON Schema (a map) or the path of a .json schema file next to the route file',
  onInvalid: 'reject or park',
  callers: 'a list of caller overrides, each {match: {principal | function | labels}, targets | fanout | park}',
  'callers[]': 'a map like {match: {labels: {deployment: blue}}, targets: [...]}',
  match: 'a map {principal: <IAM ARN, * allowed>, function: <name>, labels: {key: value}}',
  principal: 'an IAM principal ARN, * matching any characters',
  function: 'a Lambda function name, * matching any characters',
  'stages.*': 'a map of the route fields this stage overrides',
  autoDrain: 'true or false (true needs a park queue)',
  '': 'a map of route fields (psarn, targets, fanout, ...)',
};
