import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * The one place ajv is imported. Kept in its own chunk and required lazily (src/contracts/
 * json-schema-chunk.ts) the first time a route with a `schema:` is met, so routers whose routes
 * carry no schema never load it (cold start, bundle size).
 */

/** One validation problem: where in the payload (a JSON pointer) and what is wrong there. */
export interface SchemaProblem {
  readonly pointer: string;
  readonly message: string;
}

/** A compiled payload contract: undefined when the payload conforms, else its first problems. */
export type PayloadValidator = (payload: unknown) => readonly SchemaProblem[] | undefined;

export type CompiledSchema =
  { readonly ok: true; readonly validate: PayloadValidator } | { readonly ok: false; readonly error: string };

// One instance per process: compiled schemas are cached by the route that holds them, not by ajv
// (addUsedSchema: false), so a route dropped from the cache does not pin its schema here.
let ajv: Ajv | undefined;

function instance(): Ajv {
  ajv ??= new Ajv({
    // Stop at the first error: ajv's own security notes advise against allErrors on untrusted
    // input (it multiplies the work a hostile payload can cause); one pointer is enough to fix.
    allErrors: false,
    // A typo in a keyword (`requried`) or an unknown `format` must fail the route file, not let
    // every payload through. The stricter style rules (every `required` name also under
    // `properties`, explicit types) would refuse common, correct schemas: off.
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    addUsedSchema: false,
    // Never write to the console from inside the router; problems are returned as data.
    logger: false,
    // No loadSchema: a $ref to a remote URL cannot be fetched (the router makes no such call).
  });
  return ajv;
}

/**
 * Compiles a JSON Schema (draft-07, ajv's default dialect). Never throws: a schema ajv refuses
 * (unknown keyword, unresolvable `$ref`, bad `pattern`) is returned as its message.
 *
 * @example
 * const compiled = compileJsonSchema({ type: 'object', required: ['userId'] });
 * if (compiled.ok) compiled.validate({}); // [{ pointer: '', message: "must have required property 'userId'" }]
 */
export function compileJsonSchema(schema: unknown, maxProblems = 5): CompiledSchema {
  let validate: ValidateFunction;
  try {
    validate = instance().compile(schema as object);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    ok: true,
    validate: (payload) => {
      if (validate(payload)) return undefined;
      return (validate.errors ?? []).slice(0, maxProblems).map(problemOf);
    },
  };
}

function problemOf(error: ErrorObject): SchemaProblem {
  return { pointer: error.instancePath, message: error.message ?? error.keyword };
}
