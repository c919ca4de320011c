import { ErrorCode, PsarnError } from '../errors';

/**
 * A router that does not exist says which, for which stage, and what to do; anything else is
 * passed on unchanged.
 */
export function routerFault(err: unknown, routerFunction: string, stage: string): unknown {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'ResourceNotFoundException') {
    return new PsarnError(
      ErrorCode.ROUTER_NOT_FOUND,
      `router function ${routerFunction} (stage ${stage}) does not exist: deploy it ` +
        `(npx serverless deploy --stage ${stage}), or pass another stage or routerFunction to createPsarnClient`,
      { routerFunction, stage },
      { cause: err },
    );
  }
  return err;
}
