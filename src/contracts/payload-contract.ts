import { PayloadInvalidError } from '../errors';
import type { Route } from '../routes/model';
import { jsonSchemaChunk } from './json-schema-chunk';
import { schemaDocumentProblem } from './schema-limits';

/** Problems reported per rejected payload, and the longest pointer and message kept of each. */
const MAX_PROBLEMS = 5;
const MAX_PART_CHARS = 200;

type Validate = (payload: unknown) => readonly { pointer: string; message: string }[] | undefined;

/** Compiled contracts per route object: routes are immutable values, the cache drops with them. */
const contracts = new WeakMap<Route, Validate>();

/**
 * Whether a schema document is usable as a route's contract: undefined when it is, else why not
 * (its size and references, then ajv's own verdict). `psarn validate` reports it at `schema`.
 */
export function schemaProblem(schema: unknown): string | undefined {
  const shape = schemaDocumentProblem(schema);
  if (shape !== undefined) return shape;
  const compiled = jsonSchemaChunk().compileJsonSchema(schema, MAX_PROBLEMS);
  return compiled.ok ? undefined : `the schema does not compile: ${compiled.error}`;
}

/**
 * Checks an event's payload against its route's `schema:`. A route without a schema costs one
 * property read and never loads ajv; a route with one is compiled once (per route object) and
 * then costs one call of the compiled validator.
 *
 * @example
 * const problem = checkPayloadContract(route, { userId: 7 }); // PayloadInvalidError with "/userId must be string"
 */
export function checkPayloadContract(route: Route, payload: unknown): PayloadInvalidError | undefined {
  if (route.schema === undefined) return undefined;
  let validate = contracts.get(route);
  if (validate === undefined) {
    validate = compile(route);
    contracts.set(route, validate);
  }
  let problems: readonly { pointer: string; message: string }[] | undefined;
  try {
    problems = validate(payload);
  } catch (err) {
    // A recursive schema walking a payload nested thousands deep can exhaust the stack: that
    // payload cannot be shown to conform, so it is refused like any other that does not.
    if (!(err instanceof RangeError)) throw err;
    problems = [{ pointer: '', message: 'is nested too deeply to validate' }];
  }
  if (problems === undefined) return undefined;
  return new PayloadInvalidError(
    route.psarn,
    problems.slice(0, MAX_PROBLEMS).map((p) => ({
      pointer: p.pointer.slice(0, MAX_PART_CHARS),
      message: p.message.slice(0, MAX_PART_CHARS),
    })),
  );
}

function compile(route: Route): Validate {
  const problem = schemaDocumentProblem(route.schema);
  const compiled =
    problem === undefined ? jsonSchemaChunk().compileJsonSchema(route.schema, MAX_PROBLEMS) : undefined;
  if (compiled?.ok === true) return compiled.validate;
  // A stored route whose schema no longer compiles (written by hand, or by another ajv) must not
  // let payloads through unchecked: every payload is refused, and the message says why.
  const why = problem ?? (compiled?.ok === false ? compiled.error : 'unknown');
  return () => [
    { pointer: '', message: `cannot be checked: the route's schema is unusable (${why.slice(0, 150)})` },
  ];
}
