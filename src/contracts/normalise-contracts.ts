import type { FieldPath } from '../routes/field-path';
import type { CallerMatch, CallerOverride, JsonSchema, OnInvalid, Route } from '../routes/model';
import type { RawRoute } from '../routes/schema';
import type { Reporter } from '../routes/substitute-route';
import { schemaProblem } from './payload-contract';

type Fields = Omit<RawRoute, 'stages'>;

/** How `schema: ./file.json` is read: relative to the route file (load.ts gives one per file). */
export interface ContractSources {
  /** The parsed JSON of a schema file the route names; throws with a message when it cannot. */
  readonly readSchemaFile?: (ref: string) => unknown;
}

/** The route fields this file adds: `schema`, `onInvalid`, `callers` (undefined ones omitted). */
export type ContractFields = Pick<Route, 'schema' | 'onInvalid' | 'callers'>;

/** The route normaliser itself, passed in so that caller overrides are checked by the same rules. */
export type NormaliseFields = (
  fields: Fields,
  report: Reporter,
  sources?: ContractSources,
) => Route | undefined;

const OVERRIDABLE = ['targets', 'fanout', 'park'] as const;

/**
 * Normalises a route's payload contract and caller overrides. A schema is resolved (file) and
 * compiled once here, so a schema that does not compile is a route-file error at `schema`; each
 * override is checked as the route it makes (the route with its targets / fanout / park
 * replaced), by `normalise` itself, with its problems reported under `callers[i]`.
 * Returns undefined when anything was an error.
 */
export function normaliseContracts(
  fields: Fields,
  report: Reporter,
  normalise: NormaliseFields,
  sources: ContractSources = {},
): ContractFields | undefined {
  let failed = false;
  const error = (path: FieldPath, message: string): void => {
    failed = true;
    report(path, message, 'error');
  };

  let schema: JsonSchema | undefined;
  if (fields.schema !== undefined) {
    let value: unknown = fields.schema;
    if (typeof value === 'string') {
      const ref = value;
      if (!ref.endsWith('.json'))
        error(['schema'], `schema file ${JSON.stringify(ref)} must be a .json file`);
      else if (sources.readSchemaFile === undefined)
        error(
          ['schema'],
          `schema file ${ref} cannot be read here: only route files loaded from a directory may name one`,
        );
      else {
        try {
          value = sources.readSchemaFile(ref);
        } catch (err) {
          error(['schema'], `schema file ${ref}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    if (!failed) {
      const problem = schemaProblem(value);
      if (problem !== undefined) error(['schema'], problem);
      else schema = value as JsonSchema;
    }
  }
  const onInvalid: OnInvalid | undefined = fields.onInvalid;
  if (onInvalid !== undefined && fields.schema === undefined)
    error(['onInvalid'], '`onInvalid` needs a `schema`: without one no payload is ever invalid');
  if (onInvalid === 'park' && fields.park === undefined)
    report(
      ['onInvalid'],
      "invalid payloads of a route without a park queue are kept in the router's dead-letter queue",
      'warning',
    );

  const callers: CallerOverride[] = [];
  (fields.callers ?? []).forEach((raw, i) => {
    const at: FieldPath = ['callers', i];
    const match = normaliseMatch(raw.match, [...at, 'match'], error);
    const given = OVERRIDABLE.filter((key) => raw[key] !== undefined);
    if (given.length === 0)
      error(at, 'a caller override needs `targets`, `fanout` or `park`: what it sends elsewhere');
    // The route this override makes, checked like any route; problems of fields it does not
    // replace are the route's own and already reported there.
    const base: Fields = { ...fields };
    delete base.callers;
    delete base.schema;
    delete base.onInvalid;
    const variant = normalise({ ...base, ...pick(raw, given) }, (path, message, severity) => {
      const head = path[0];
      if (typeof head === 'string' && (given as readonly string[]).includes(head)) {
        if (severity !== 'warning') failed = true;
        report([...at, ...path], message, severity);
      }
    });
    if (variant === undefined || match === undefined) {
      failed = true;
      return;
    }
    callers.push({
      match,
      ...(raw.targets === undefined ? {} : { targets: variant.targets }),
      ...(raw.fanout === undefined ? {} : { fanout: variant.fanout }),
      ...(raw.park === undefined || variant.park === undefined ? {} : { park: variant.park }),
    });
  });

  if (failed) return undefined;
  return {
    ...(schema === undefined ? {} : { schema }),
    ...(schema === undefined ? {} : { onInvalid: onInvalid ?? 'reject' }),
    ...(callers.length === 0 ? {} : { callers }),
  };
}

function normaliseMatch(
  raw: NonNullable<Fields['callers']>[number]['match'],
  at: FieldPath,
  error: (path: FieldPath, message: string) => void,
): CallerMatch | undefined {
  const labels = raw.labels === undefined ? undefined : Object.entries(raw.labels);
  if (
    raw.principal === undefined &&
    raw.function === undefined &&
    (labels === undefined || labels.length === 0)
  ) {
    error(at, '`match` needs `principal`, `function` or `labels`: an empty match would take every caller');
    return undefined;
  }
  if (raw.principal !== undefined && !raw.principal.startsWith('arn:')) {
    error(
      [...at, 'principal'],
      `\`principal\` must be an IAM ARN like arn:aws:iam::123456789012:role/blue-*, got ${JSON.stringify(raw.principal)}`,
    );
    return undefined;
  }
  return {
    ...(raw.principal === undefined ? {} : { principal: raw.principal }),
    ...(raw.function === undefined ? {} : { function: raw.function }),
    ...(labels === undefined || labels.length === 0 ? {} : { labels: Object.fromEntries(labels) }),
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = value[key];
  return out;
}
