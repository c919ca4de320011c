/**
 * JSON with object keys sorted, so two routes that mean the same compare equal as strings
 * whatever order their keys were written in (YAML files and stored JSON disagree on order).
 *
 * @example
 * canonicalJson({ b: 1, a: [2] }) === canonicalJson({ a: [2], b: 1 }) // true
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      // JSON drops undefined members; dropping them here too keeps `{a: undefined}` equal to `{}`.
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
