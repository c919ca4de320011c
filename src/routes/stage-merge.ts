import type { FieldPath } from './field-path';
import type { RawRoute, RawStageOverride } from './schema';

/** A route's fields for one stage, and where in the document each field was written. */
export interface StagedRoute {
  readonly fields: Omit<RawRoute, 'stages'>;
  /**
   * Map a path in the merged route to the path in the document it came from:
   * `['targets', 0]` becomes `['stages', 'dev', 'targets', 0]` when `dev` overrides `targets`.
   */
  readonly origin: (path: FieldPath) => FieldPath;
}

/**
 * Merge a stage's overrides over the base route. Overrides replace whole fields (a stage's
 * `targets` is the complete split, not a patch of the base list), which keeps what a stage
 * ships readable from one place in the file.
 *
 * @example
 * mergeStage({ psarn: 'p', ttl: 60, stages: { prod: { ttl: 300 } } }, 'prod').fields.ttl // 300
 */
export function mergeStage(raw: RawRoute, stage: string): StagedRoute {
  const { stages, ...base } = raw;
  const override: RawStageOverride =
    stages !== undefined && Object.hasOwn(stages, stage) ? (stages[stage] ?? {}) : {};
  const overridden = new Set(Object.keys(override));
  return {
    fields: { ...base, ...override },
    origin: (path) => {
      const field = path[0];
      return typeof field === 'string' && overridden.has(field) ? ['stages', stage, ...path] : path;
    },
  };
}
