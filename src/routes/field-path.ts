/** A path into a route document: keys and list indexes, as zod and `yaml` both use them. */
export type FieldPath = readonly (string | number)[];

/**
 * Render a field path the way users read it in an issue: `targets[1].weight`,
 * `stages.dev.fanout[0].arn`; the empty path (the route itself) renders as ''.
 *
 * @example
 * formatFieldPath(['targets', 1, 'weight']) // 'targets[1].weight'
 */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text;
}
