/**
 * Limits on a route's `schema:` document itself, checked before ajv compiles it. A schema is
 * stored inline in every release item of its route (DynamoDB items hold 400 KB) and compiled by
 * every router instance that meets the route, so a huge or deeply nested one is refused at
 * `psarn validate`, with the reason, rather than slowing every cold router.
 */

/** Largest schema, as compact JSON, in UTF-8 bytes. */
export const MAX_SCHEMA_BYTES = 32 * 1024;
/** Deepest nesting of objects and arrays in a schema document. */
export const MAX_SCHEMA_DEPTH = 32;

/**
 * What is wrong with a schema document before it is compiled, or undefined: not an object (or
 * boolean), too large, too deep, or a `$ref` that leaves the document (a remote URL or another
 * file): the router never fetches anything, so every `$ref` must point inside (`#/definitions/x`).
 *
 * @example
 * schemaDocumentProblem({ $ref: 'https://example.com/user.json' }) // "`$ref` ... must point inside the schema"
 */
export function schemaDocumentProblem(schema: unknown): string | undefined {
  if (typeof schema === 'boolean') return undefined;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    return 'a schema must be a JSON Schema object (or a file name like ./user.schema.json)';
  const bytes = Buffer.byteLength(JSON.stringify(schema), 'utf8');
  if (bytes > MAX_SCHEMA_BYTES)
    return `the schema is ${bytes} bytes as JSON; at most ${MAX_SCHEMA_BYTES}: split shared parts out or simplify it`;
  return walk(schema, '#', 0);
}

function walk(value: unknown, at: string, depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_SCHEMA_DEPTH)
    return `the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels (at ${at}): use definitions and $ref`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = walk(value[i], `${at}/${i}`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === '$ref' && typeof item === 'string' && !item.startsWith('#'))
      return `\`$ref\` ${JSON.stringify(item.slice(0, 200))} at ${at} must point inside the schema (like #/definitions/name): remote and file references are never fetched`;
    const problem = walk(item, `${at}/${key}`, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
