import type { PublishResult } from '../store/release-store';

/**
 * The line every release-writing command ends with, e.g. "release 5: 1 added, 2 changed, 0 removed".
 *
 * @example
 * releaseLine(result) // 'release 5: 1 added, 2 changed, 0 removed'
 */
export function releaseLine(result: PublishResult): string {
  return `release ${result.release}: ${result.added.length} added, ${result.updated.length} changed, ${result.removed.length} removed`;
}

/** The same for `--json`. */
export function releaseJson(result: PublishResult): Record<string, unknown> {
  return {
    release: result.release,
    added: result.added,
    changed: result.updated,
    removed: result.removed,
  };
}
