import { formatFieldPath } from '../routes/field-path';
import { normaliseRoute } from '../routes/normalise';
import { PsarnError } from '../errors';
import { formatPsarn, parsePsarn } from '../psarn/psarn';
import { RegistrationInvalidError } from './errors';
import type { Registration, RouteCreation } from './model';

/**
 * One registration as `custom.psarn.register` (after the plugin turned `function:`/`queue:`/
 * `topic:`/`bus:` into an ARN) or `psarn register`'s flags give it.
 */
export interface RawRegistration {
  readonly psarn?: unknown;
  readonly arn?: unknown;
  readonly split?: unknown;
  readonly fanout?: unknown;
  readonly create?: unknown;
  readonly detailType?: unknown;
  readonly source?: unknown;
  readonly groupBy?: unknown;
}

const KEYS = new Set(['psarn', 'arn', 'split', 'fanout', 'create', 'detailType', 'source', 'groupBy']);

/**
 * Check one raw registration and make it a {@link Registration}. `psarn` may be a full psARN or
 * just its path (`/event/newUser`), which gets the stage's region and account. The target is
 * checked by the route files' own rules (normaliseRoute: ARN grammar, EventBridge fields, FIFO
 * `groupBy`), so a registration can never put into a route what a route file could not.
 * Throws RegistrationInvalidError naming `where` (e.g. `custom.psarn.register[0]`).
 *
 * @example
 * parseRegistration({ psarn: '/event/newUser', arn, split: { weight: 10 } }, 'custom.psarn.register[0]', { region, account })
 */
export function parseRegistration(
  raw: RawRegistration,
  where: string,
  context: { readonly region: string; readonly account: string },
): Registration {
  const fail = (field: string, reason: string): never => {
    throw new RegistrationInvalidError(field === '' ? where : `${where}.${field}`, reason);
  };
  for (const key of Object.keys(raw)) {
    if (!KEYS.has(key)) fail(key, `unknown key \`${key}\` (expected ${[...KEYS].join(', ')})`);
  }
  if (typeof raw.psarn !== 'string' || raw.psarn === '') {
    return fail(
      'psarn',
      'needs the psARN to register on, like /event/newUser or arn:aws:psarns:…:/event/newUser',
    );
  }
  const psarn = expandPsarn(raw.psarn, context, (reason) => fail('psarn', reason));
  if (typeof raw.arn !== 'string' || raw.arn === '') {
    return fail(
      '',
      'needs a target: `function`, `queue`, `topic` or `bus` (a resource of the service, or an ARN)',
    );
  }
  const split = raw.split;
  const fanout = raw.fanout === true;
  if (raw.fanout !== undefined && typeof raw.fanout !== 'boolean') fail('fanout', 'must be true or false');
  if ((split === undefined) === !fanout) {
    fail('', 'say how the target joins the route: `split: { weight: N }` or `fanout: true` (one of them)');
  }
  let weight: number | undefined;
  if (split !== undefined) {
    const w =
      typeof split === 'object' && split !== null ? (split as { weight?: unknown }).weight : undefined;
    const extra =
      typeof split === 'object' && split !== null ? Object.keys(split).filter((k) => k !== 'weight') : [];
    if (extra.length > 0) fail('split', `unknown key \`${extra[0] ?? ''}\` (only \`weight\`)`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      fail(
        'split.weight',
        `must be a number greater than 0 (weights are normalised next to the route's own), got ${JSON.stringify(w)}`,
      );
    }
    weight = w as number;
  }
  const create = parseCreation(raw.create, (field, reason) => fail(field, reason));
  for (const field of ['detailType', 'source', 'groupBy'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'string') fail(field, 'must be a string');
  }
  const ref = {
    arn: raw.arn,
    ...(typeof raw.detailType === 'string' ? { detailType: raw.detailType } : {}),
    ...(typeof raw.source === 'string' ? { source: raw.source } : {}),
    ...(typeof raw.groupBy === 'string' ? { groupBy: raw.groupBy } : {}),
  };
  const problems: string[] = [];
  const route = normaliseRoute(
    weight === undefined ? { psarn, fanout: [ref] } : { psarn, targets: [{ ...ref, weight }] },
    (path, message, severity) => {
      if (severity !== 'warning') problems.push(`${formatFieldPath(path.slice(2)) || 'target'}: ${message}`);
    },
  );
  const target = route?.targets[0] ?? route?.fanout[0];
  if (target === undefined) return fail('', problems.join('; ') || 'the target is not valid');
  const { weight: _weight, ...plain } = target as typeof target & { weight?: number };
  void _weight;
  return {
    psarn,
    target: plain,
    role: weight === undefined ? 'fanout' : 'split',
    ...(weight === undefined ? {} : { weight }),
    ...(create === undefined ? {} : { create }),
  };
}

function parseCreation(
  raw: unknown,
  fail: (field: string, reason: string) => never,
): RouteCreation | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return {};
  if (typeof raw !== 'object' || raw === null) {
    return fail('create', 'must be true, or { ttl, description } for the route it creates');
  }
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'ttl' && key !== 'description')
      fail(`create.${key}`, 'unknown key (only `ttl` and `description`)');
  }
  const { ttl, description } = fields;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1)) {
    fail('create.ttl', `must be a whole number of seconds, at least 1, got ${JSON.stringify(ttl)}`);
  }
  if (description !== undefined && typeof description !== 'string')
    fail('create.description', 'must be a string');
  return {
    ...(typeof ttl === 'number' ? { ttl } : {}),
    ...(typeof description === 'string' ? { description } : {}),
  };
}

/** A full psARN, or a path (`/event/x`) completed with the stage's region and account. */
function expandPsarn(
  text: string,
  context: { readonly region: string; readonly account: string },
  fail: (reason: string) => never,
): string {
  try {
    return text.startsWith('/') ? formatPsarn({ ...context, path: text }) : parsePsarn(text).arn;
  } catch (err) {
    if (err instanceof PsarnError) return fail(err.message);
    throw err;
  }
}
