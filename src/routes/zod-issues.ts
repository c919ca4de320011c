import type { z } from 'zod';
import { didYouMean } from './did-you-mean';
import type { FieldPath } from './field-path';
import {
  FANOUT_TARGET_KEYS,
  FIELD_EXPECTATIONS,
  PARK_KEYS,
  ROUTE_KEYS,
  SPLIT_TARGET_KEYS,
  STAGE_KEYS,
} from './schema';

/** A schema problem in route-file terms: where, what, and whether it is about a key itself. */
export interface ShapeProblem {
  readonly path: FieldPath;
  readonly message: string;
  /** True when the position is the key (an unknown key), not the value. */
  readonly atKey: boolean;
  /** For an unknown key with a likely meaning: the path of the key it probably meant. */
  readonly meant?: FieldPath;
}

/**
 * Turn zod's issues (data) into messages that say what was found and what would be valid.
 * zod's own texts ("Invalid input: expected string") do not name the field or the fix.
 *
 * @example
 * shapeProblems(RawRouteSchema.safeParse(value, { reportInput: true }).error?.issues ?? [])
 */
export function shapeProblems(issues: readonly z.core.$ZodIssue[]): ShapeProblem[] {
  const problems = issues.flatMap((issue): ShapeProblem[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const meant = didYouMean(key, keysAt(path));
        return {
          path: [...path, key],
          message: unknownKey(path, key),
          atKey: true,
          ...(meant === undefined ? {} : { meant: [...path, meant] }),
        };
      });
    }
    const input = 'input' in issue ? issue.input : undefined;
    // A label's key is checked as a key (`labels{}`), its value as `labels.*`.
    const badKey = issue.code === 'invalid_key';
    const label = isLabel(path) ? labelLabel(path, badKey) : fieldLabel(path);
    const expected = FIELD_EXPECTATIONS[badKey ? 'labels{}' : expectationKey(path)] ?? 'valid';
    const message =
      input === undefined
        ? `${label} is missing: it must be ${expected}`
        : `${label} must be ${expected}, got ${describe(input)}`;
    return [{ path, message, atKey: badKey }];
  });
  // One value can break two rules that read alike (`ttl: 1e30` is neither whole nor <= 86400).
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path.join('\u0000')}\u0001${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unknownKey(path: FieldPath, key: string): string {
  const valid = keysAt(path);
  const listed = `valid keys are ${valid.join(', ')}`;
  if (key === 'weight' && valid === FANOUT_TARGET_KEYS) {
    return `unknown key \`weight\`: fanout targets have no weight, every event goes to each of them; ${listed}`;
  }
  if (key === 'psarn' && valid === STAGE_KEYS) {
    return `unknown key \`psarn\`: a stage cannot change the route's psARN; ${listed}`;
  }
  const meant = didYouMean(key, valid);
  return meant === undefined
    ? `unknown key \`${key}\`: ${listed}`
    : `unknown key \`${key}\`: did you mean \`${meant}\`?`;
}

/** The keys the schema allows in the object at `path`. */
function keysAt(path: FieldPath): readonly string[] {
  let rest = path;
  if (rest[0] === 'stages') {
    if (rest.length === 2) return STAGE_KEYS;
    rest = rest.slice(2);
  }
  if (rest.length === 0) return ROUTE_KEYS;
  if (rest[0] === 'targets') return SPLIT_TARGET_KEYS;
  if (rest[0] === 'fanout') return FANOUT_TARGET_KEYS;
  if (rest[0] === 'park') return PARK_KEYS;
  return [];
}

/** The FIELD_EXPECTATIONS entry for a path: `targets[]` for a list element, `stages.*` for a stage. */
function expectationKey(path: FieldPath): string {
  const last = path.at(-1);
  if (last === undefined) return '';
  if (typeof last === 'number') return `${String(path.at(-2))}[]`;
  if (path.length === 2 && path[0] === 'stages') return 'stages.*';
  if (isLabel(path)) return 'labels.*';
  return last;
}

function fieldLabel(path: FieldPath): string {
  const last = path.at(-1);
  if (last === undefined) return 'a route';
  if (typeof last === 'number') return `\`${String(path.at(-2))}[${last}]\``;
  if (path.length === 2 && path[0] === 'stages') return `stage \`${last}\``;
  return `\`${last}\``;
}

/** `labels.<key>` of a route or of a stage override (`stages.<stage>.labels.<key>`). */
function isLabel(path: FieldPath): boolean {
  const at = path[0] === 'stages' ? 2 : 0;
  return path.length === at + 2 && path[at] === 'labels';
}

/** `label key \`Team Name\`` for a bad key, `\`labels.team\`` for a bad value. */
function labelLabel(path: FieldPath, badKey: boolean): string {
  const key = String(path.at(-1));
  return badKey ? `label key \`${key}\`` : `\`labels.${key}\``;
}

/** A short, unambiguous rendering of a YAML value for "got ..." in messages. */
export function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  // What YAML tags (and YAML 1.1 plain scalars) turn into: not maps, though typeof says object.
  if (value instanceof Map) return 'an ordered map (!!omap)';
  if (value instanceof Set) return 'a set (!!set)';
  if (value instanceof Date) return 'a timestamp';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
