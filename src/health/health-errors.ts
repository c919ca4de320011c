import { ErrorCode, PsarnError, TargetFailedError } from '../errors';

/** The health state says the target is unhealthy or removed: its copy is kept instead of sent. */
export class TargetUnhealthyError extends TargetFailedError {
  constructor(target: string, status: string, reason: string) {
    super(
      target,
      `it is ${status} in the health state (${reason}); the copy is kept until it is healthy and drained`,
      undefined,
      {
        code: ErrorCode.TARGET_UNHEALTHY,
      },
    );
  }
}

/** The target's circuit is open: its copy is kept instead of sent, and no retry hammers it. */
export class CircuitOpenError extends TargetFailedError {
  constructor(target: string, untilMs: number) {
    super(
      target,
      `its circuit is open after consecutive failures until ${new Date(untilMs).toISOString()}; the copy is kept (drain it once the circuit closes)`,
      undefined,
      { code: ErrorCode.CIRCUIT_OPEN },
    );
  }
}

/** Every split target is unhealthy and the route has no park queue to keep the event in. */
export class AllTargetsUnhealthyError extends PsarnError {
  constructor(psarn: string, targets: readonly string[]) {
    super(
      ErrorCode.ALL_TARGETS_UNHEALTHY,
      `every split target of ${psarn} is unhealthy (${targets.join(', ')}) and the route has no park queue: nothing was sent; retry later, add park.queue to the route, or run \`psarn check --write\` once a target is back`,
      { psarn, targets },
    );
  }
}
