import { ErrorCode, PsarnError } from '../errors';

/** A rollout was started for a psARN that already has one running or paused. */
export class RolloutExistsError extends PsarnError {
  constructor(psarn: string, id: string, status: string) {
    super(
      ErrorCode.ROLLOUT_EXISTS,
      `${psarn} already has rollout ${id} (${status}); nothing was changed. ` +
        `See it with \`psarn rollout status ${psarn}\`; finish it with promote or abort first`,
      { psarn, id, status },
    );
  }
}

/** No rollout, or none in a state the command can act on, for a psARN. */
export class RolloutNotFoundError extends PsarnError {
  constructor(psarn: string, detail = 'has no rollout') {
    super(
      ErrorCode.ROLLOUT_NOT_FOUND,
      `${psarn} ${detail}; start one with \`psarn rollout start ${psarn} --target <arn>\``,
      { psarn },
    );
  }
}

/**
 * The command cannot act on the rollout as it is (resume a completed one, a canary that is the
 * route's only target, a route that is not a split…). The message says what and the next step.
 */
export class RolloutStateError extends PsarnError {
  constructor(psarn: string, message: string) {
    super(ErrorCode.ROLLOUT_STATE, `${psarn}: ${message}`, { psarn });
  }
}

/**
 * Someone else (a controller, an operator) changed the rollout between our read and our write:
 * the conditional write refused ours, so exactly one of the two acted.
 */
export class RolloutConflictError extends PsarnError {
  constructor(psarn: string, id: string) {
    super(
      ErrorCode.ROLLOUT_CONFLICT,
      `rollout ${id} of ${psarn} was changed by someone else while this command ran; nothing was changed by it. ` +
        `Check \`psarn rollout status ${psarn}\` and run it again if it still applies`,
      { psarn, id },
    );
  }
}
