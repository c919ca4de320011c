import type * as JsonSchemaChunk from '../chunks/json-schema';

/**
 * Loads ajv (src/chunks/json-schema.ts) the first time a route with a `schema:` needs it, and
 * never before: a router whose routes carry no schema pays nothing for payload contracts, neither
 * at init nor per event. The bundler keeps `src/chunks/*` as separate files for this `require`.
 */
let chunk: typeof JsonSchemaChunk | undefined;

export function jsonSchemaChunk(): typeof JsonSchemaChunk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy by design (see above)
  chunk ??= require('../chunks/json-schema') as typeof JsonSchemaChunk;
  return chunk;
}

/** Whether the chunk has been loaded in this process (tests check routes without schema never do). */
export function jsonSchemaChunkLoaded(): boolean {
  return chunk !== undefined;
}
