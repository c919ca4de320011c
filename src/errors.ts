/**
 * The one error hierarchy of psarn-router. Every rejection carries a stable `code` that the CLI,
 * the router's delivery report and the logs share, plus the context a user needs to fix it.
 *
 * @example
 * throw new RouteNotFoundError('arn:aws:psarns:eu-west-1:123456789012:/event/x');
 */
export const ErrorCode = {
  INVALID_PSARN: 'INVALID_PSARN',
  INVALID_TARGET_ARN: 'INVALID_TARGET_ARN',
  ROUTE_INVALID: 'ROUTE_INVALID',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  ALIAS_CYCLE: 'ALIAS_CYCLE',
  ALIAS_TOO_DEEP: 'ALIAS_TOO_DEEP',
  MALFORMED_ENVELOPE: 'MALFORMED_ENVELOPE',
  /** A header (name, value, the trace id or the event id) no target or kept copy could carry. */
  INVALID_HEADER: 'INVALID_HEADER',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** The event has passed through routers more often than PSARN_MAX_HOPS allows: a routing loop. */
  LOOP_DETECTED: 'LOOP_DETECTED',
  /** A payload no target of the plan can take: shape (EventBridge needs an object), characters, depth. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** A payload that breaks its route's `schema:` contract (JSON pointers of the first problems). */
  PAYLOAD_INVALID: 'PAYLOAD_INVALID',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A target refused a copy for what it is (bad request, access denied, missing resource). */
  TARGET_FAILED: 'TARGET_FAILED',
  /** A target throttled the copy; a later attempt can succeed. */
  TARGET_THROTTLED: 'TARGET_THROTTLED',
  /** A transient failure: network, timeout, a 5xx, an entry the service failed on its side. */
  TARGET_UNAVAILABLE: 'TARGET_UNAVAILABLE',
  /** A Lambda target ran and returned a function error. */
  FUNCTION_ERROR: 'FUNCTION_ERROR',
  /** The copy could not be sent (or finish) before the invocation's deadline. */
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  /** A FIFO copy kept behind an earlier copy of its message group that failed, so it cannot overtake it. */
  FIFO_ORDER_HELD: 'FIFO_ORDER_HELD',
  /** Some copy of an event could be kept nowhere: the invocation fails so AWS retries it. */
  DELIVERY_INCOMPLETE: 'DELIVERY_INCOMPLETE',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  RELEASE_CONFLICT: 'RELEASE_CONFLICT',
  RELEASE_NOT_FOUND: 'RELEASE_NOT_FOUND',
  NOT_PARKABLE: 'NOT_PARKABLE',
  USAGE: 'USAGE',
  /** A release would remove live routes and the operator did not say so (`--allow-removals`). */
  REMOVALS_NOT_CONFIRMED: 'REMOVALS_NOT_CONFIRMED',
  /** No AWS region or no credentials where a command needs them. */
  AWS_CONFIG_MISSING: 'AWS_CONFIG_MISSING',
  /** An endpoint (the local stack, AWS) refused or did not answer the connection. */
  ENDPOINT_UNREACHABLE: 'ENDPOINT_UNREACHABLE',
  /** The router function of a stage does not exist (not deployed, or the wrong stage). */
  ROUTER_NOT_FOUND: 'ROUTER_NOT_FOUND',
  /** A file a command was told to read does not exist or cannot be read. */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** The fixed ports of the local stack are taken (another `npm start`). */
  PORTS_IN_USE: 'PORTS_IN_USE',
  /** The route table belongs to another stage than the command's. */
  STAGE_MISMATCH: 'STAGE_MISMATCH',
  /** A stage name the project does not declare. */
  UNKNOWN_STAGE: 'UNKNOWN_STAGE',
  /** createPsarnClient was given options it cannot work with (unknown key, bad mode, stage, labels). */
  INVALID_CLIENT_OPTIONS: 'INVALID_CLIENT_OPTIONS',
  /** A self-registration (custom.psarn.register, `psarn register`) that is malformed. */
  REGISTRATION_INVALID: 'REGISTRATION_INVALID',
  /** A registration names a psARN no route defines, and does not say `create`. */
  REGISTRATION_ROUTE_MISSING: 'REGISTRATION_ROUTE_MISSING',
  /** A registration names a target another service already registered on that psARN. */
  REGISTRATION_CONFLICT: 'REGISTRATION_CONFLICT',
  /** A file a command was told to write cannot be written (missing directory, permissions). */
  FILE_NOT_WRITABLE: 'FILE_NOT_WRITABLE',
  /** The target is unhealthy or removed in the health state (`psarn check`, a missed heartbeat): the copy is kept, not sent. */
  TARGET_UNHEALTHY: 'TARGET_UNHEALTHY',
  /** The target's circuit is open after consecutive failures: the copy is kept, not sent. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** Every split target of a route without a park queue is unhealthy: the event is refused before anything is sent. */
  ALL_TARGETS_UNHEALTHY: 'ALL_TARGETS_UNHEALTHY',
  /** A psARN already has a rollout that is running or paused (src/rollouts/). */
  ROLLOUT_EXISTS: 'ROLLOUT_EXISTS',
  /** A psARN has no rollout (or none a command can act on). */
  ROLLOUT_NOT_FOUND: 'ROLLOUT_NOT_FOUND',
  /** A rollout command that does not fit the rollout or route as they are (resume a finished one…). */
  ROLLOUT_STATE: 'ROLLOUT_STATE',
  /** A controller or operator changed the rollout between this command's read and its write. */
  ROLLOUT_CONFLICT: 'ROLLOUT_CONFLICT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Why a copy was not delivered, as the delivery report, the kept copy's `psarn-error` and the
 * metrics name it: `rejected` (the input or the target's answer will not change on a retry),
 * `throttled`, `transient`, `function-error`, `deadline`, `held` (FIFO order).
 */
export type FailureReason =
  | 'rejected'
  | 'throttled'
  | 'transient'
  | 'function-error'
  | 'deadline'
  | 'held'
  | 'unhealthy'
  | 'circuit-open';

/** What a code means to every caller: one table, not one per caller. */
export interface ErrorKind {
  /** The status an HTTP producer gets when its event is rejected with this code. */
  readonly http: number;
  /** A later attempt can succeed: the router fails the invocation (store) or retries the copy (target). */
  readonly retryable: boolean;
  readonly reason: FailureReason;
}

const kind = (http: number, retryable: boolean, reason: FailureReason): ErrorKind => ({
  http,
  retryable,
  reason,
});

/**
 * The kind of every code. Rejections of input are 4xx and not retryable; target failures carry the
 * reason a breaker or a retry decides on; an unreachable store is the one retryable rejection.
 */
export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  INVALID_PSARN: kind(400, false, 'rejected'),
  INVALID_TARGET_ARN: kind(400, false, 'rejected'),
  ROUTE_INVALID: kind(500, false, 'rejected'),
  ROUTE_NOT_FOUND: kind(404, false, 'rejected'),
  ALIAS_CYCLE: kind(508, false, 'rejected'),
  ALIAS_TOO_DEEP: kind(508, false, 'rejected'),
  MALFORMED_ENVELOPE: kind(400, false, 'rejected'),
  INVALID_HEADER: kind(400, false, 'rejected'),
  HEADERS_TOO_LARGE: kind(431, false, 'rejected'),
  LOOP_DETECTED: kind(508, false, 'rejected'),
  INVALID_PAYLOAD: kind(400, false, 'rejected'),
  PAYLOAD_INVALID: kind(422, false, 'rejected'),
  PAYLOAD_TOO_LARGE: kind(413, false, 'rejected'),
  TARGET_FAILED: kind(502, false, 'rejected'),
  TARGET_THROTTLED: kind(503, true, 'throttled'),
  TARGET_UNAVAILABLE: kind(503, true, 'transient'),
  FUNCTION_ERROR: kind(502, false, 'function-error'),
  DEADLINE_EXCEEDED: kind(504, false, 'deadline'),
  FIFO_ORDER_HELD: kind(502, false, 'held'),
  DELIVERY_INCOMPLETE: kind(503, true, 'transient'),
  STORE_UNAVAILABLE: kind(503, true, 'transient'),
  RELEASE_CONFLICT: kind(409, false, 'rejected'),
  RELEASE_NOT_FOUND: kind(404, false, 'rejected'),
  NOT_PARKABLE: kind(400, false, 'rejected'),
  USAGE: kind(400, false, 'rejected'),
  REMOVALS_NOT_CONFIRMED: kind(400, false, 'rejected'),
  AWS_CONFIG_MISSING: kind(400, false, 'rejected'),
  ENDPOINT_UNREACHABLE: kind(503, true, 'transient'),
  ROUTER_NOT_FOUND: kind(404, false, 'rejected'),
  FILE_NOT_FOUND: kind(400, false, 'rejected'),
  PORTS_IN_USE: kind(409, false, 'rejected'),
  STAGE_MISMATCH: kind(409, false, 'rejected'),
  UNKNOWN_STAGE: kind(400, false, 'rejected'),
  INVALID_CLIENT_OPTIONS: kind(400, false, 'rejected'),
  REGISTRATION_INVALID: kind(400, false, 'rejected'),
  REGISTRATION_ROUTE_MISSING: kind(404, false, 'rejected'),
  REGISTRATION_CONFLICT: kind(409, false, 'rejected'),
  FILE_NOT_WRITABLE: kind(400, false, 'rejected'),
  TARGET_UNHEALTHY: kind(503, false, 'unhealthy'),
  CIRCUIT_OPEN: kind(503, false, 'circuit-open'),
  // Retryable: an SQS ingress record is retried by SQS (nothing lost), a producer may try later.
  ALL_TARGETS_UNHEALTHY: kind(503, true, 'transient'),
  ROLLOUT_EXISTS: kind(409, false, 'rejected'),
  ROLLOUT_NOT_FOUND: kind(404, false, 'rejected'),
  ROLLOUT_STATE: kind(409, false, 'rejected'),
  ROLLOUT_CONFLICT: kind(409, false, 'rejected'),
};

/** The kind of an error: a PsarnError's by its code; anything else is an unexpected, transient fault. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof PsarnError ? ERROR_KINDS[err.code] : ERROR_KINDS.TARGET_UNAVAILABLE;
}

export class PsarnError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  /** What the logs, the CLI's `--json` and the delivery report carry. */
  toJSON(): { code: ErrorCode; message: string; context: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, context: this.context };
  }
}

export class InvalidPsarnError extends PsarnError {
  constructor(input: string, part: string, reason: string) {
    super(ErrorCode.INVALID_PSARN, `invalid psARN ${JSON.stringify(input)}: ${part} ${reason}`, {
      input,
      part,
    });
  }
}

export class InvalidTargetArnError extends PsarnError {
  constructor(input: string, reason: string) {
    super(ErrorCode.INVALID_TARGET_ARN, `invalid target ARN ${JSON.stringify(input)}: ${reason}`, { input });
  }
}

/** One problem found in a route file, positioned so an editor can jump to it. */
export interface RouteIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path inside the route document, e.g. `targets[1].weight`. */
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export class RouteValidationError extends PsarnError {
  readonly issues: readonly RouteIssue[];
  constructor(issues: readonly RouteIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(
      ErrorCode.ROUTE_INVALID,
      `${errors.length} route error(s):\n` +
        errors
          .map((i) => `${i.file}:${i.line}:${i.column}  ${i.message}${i.path === '' ? '' : ` (${i.path})`}`)
          .join('\n'),
      { count: errors.length },
    );
    this.issues = issues;
  }
}

/** A `stickyBy`/`groupBy` path that cannot name a value of an event. */
export class InvalidEventPathError extends PsarnError {
  constructor(path: string, reason: string) {
    super(ErrorCode.ROUTE_INVALID, `invalid event path ${JSON.stringify(path)}: it ${reason}`, { path });
  }
}

/** A split whose weights cannot pick a target (all zero, negative or not finite) reached the planner. */
export class InvalidWeightsError extends PsarnError {
  constructor(psarn: string, weights: readonly number[]) {
    super(
      ErrorCode.ROUTE_INVALID,
      `route ${psarn} has no usable split weight (weights ${JSON.stringify(weights)}; need non-negative numbers, at least one > 0)`,
      { psarn, weights },
    );
  }
}

export class RouteNotFoundError extends PsarnError {
  constructor(psarn: string) {
    super(ErrorCode.ROUTE_NOT_FOUND, `no route for ${psarn} in the live release`, { psarn });
  }
}

export class AliasCycleError extends PsarnError {
  constructor(chain: readonly string[]) {
    super(ErrorCode.ALIAS_CYCLE, `psARN alias cycle: ${chain.join(' -> ')}`, { chain });
  }
}

export class AliasTooDeepError extends PsarnError {
  constructor(chain: readonly string[], limit: number) {
    super(ErrorCode.ALIAS_TOO_DEEP, `psARN alias chain longer than ${limit} hops: ${chain.join(' -> ')}`, {
      chain,
      limit,
    });
  }
}

export class MalformedEnvelopeError extends PsarnError {
  constructor(reason: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.MALFORMED_ENVELOPE, `malformed envelope: ${reason}`, context);
  }
}

export class PayloadTooLargeError extends PsarnError {
  /** `what`: what was counted, when it is more than the body (headers, attributes, a kept copy's). */
  constructor(target: string, bytes: number, limit: number, what = 'payload') {
    super(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `${what} of ${bytes} bytes exceeds ${limit} bytes allowed by ${target}`,
      {
        target,
        bytes,
        limit,
      },
    );
  }
}

/** Codes a failed copy can carry (see ERROR_KINDS for what each means). */
export type TargetFailureCode =
  | typeof ErrorCode.TARGET_FAILED
  | typeof ErrorCode.TARGET_THROTTLED
  | typeof ErrorCode.TARGET_UNAVAILABLE
  | typeof ErrorCode.FUNCTION_ERROR
  | typeof ErrorCode.DEADLINE_EXCEEDED
  | typeof ErrorCode.FIFO_ORDER_HELD
  | typeof ErrorCode.PAYLOAD_TOO_LARGE
  | typeof ErrorCode.INVALID_PAYLOAD
  | typeof ErrorCode.TARGET_UNHEALTHY
  | typeof ErrorCode.CIRCUIT_OPEN;

export class TargetFailedError extends PsarnError {
  /** Attempts already made for this copy (the SDK's own retries count), for the retry budget. */
  readonly attempts: number;
  constructor(
    target: string,
    reason: string,
    cause?: unknown,
    options: { readonly code?: TargetFailureCode; readonly attempts?: number } = {},
  ) {
    super(
      options.code ?? ErrorCode.TARGET_FAILED,
      `delivery to ${target} failed: ${reason}`,
      { target },
      { cause },
    );
    this.attempts = options.attempts ?? 1;
  }
}

/** The copy could not be sent, or did not finish, before the invocation's deadline. */
export class DeadlineExceededError extends TargetFailedError {
  constructor(target: string, detail = 'the invocation ran out of time before this copy finished') {
    super(target, detail, undefined, { code: ErrorCode.DEADLINE_EXCEEDED });
  }
}

export class InvalidPayloadError extends PsarnError {
  constructor(reason: string, context: Record<string, unknown> = {}) {
    super(ErrorCode.INVALID_PAYLOAD, `payload rejected: ${reason}`, context);
  }
}

/** A payload its route's `schema:` refuses: where (JSON pointers) and what, a few problems at most. */
export class PayloadInvalidError extends PsarnError {
  constructor(psarn: string, problems: readonly { readonly pointer: string; readonly message: string }[]) {
    super(
      ErrorCode.PAYLOAD_INVALID,
      `payload does not match the schema of ${psarn}: ` +
        problems.map((p) => `${p.pointer === '' ? '(root)' : p.pointer} ${p.message}`).join('; ') +
        '; fix the payload, or the route\'s schema',
      { psarn, problems },
    );
  }
}

export class InvalidHeaderError extends PsarnError {
  constructor(header: string, reason: string) {
    super(ErrorCode.INVALID_HEADER, `header ${JSON.stringify(header.slice(0, 64))} rejected: ${reason}`, {
      header: header.slice(0, 64),
    });
  }
}

export class HeadersTooLargeError extends PsarnError {
  constructor(bytes: number, limit: number) {
    super(
      ErrorCode.HEADERS_TOO_LARGE,
      `the event's headers take ${bytes} bytes as routing metadata, more than the ${limit} allowed: send less, or put it in the payload`,
      { bytes, limit },
    );
  }
}

export class LoopDetectedError extends PsarnError {
  constructor(psarn: string, hops: number, maxHops: number) {
    super(
      ErrorCode.LOOP_DETECTED,
      `event for ${psarn} has already passed through ${hops} router hops (the limit is ${maxHops}): ` +
        'a route leads back to itself through a consumer or queue; it was dead-lettered, fix the loop ' +
        '(psarn graph shows the routes) and re-drive it with psarn drain --dlq',
      { psarn, hops, maxHops },
    );
  }
}

export class StoreUnavailableError extends PsarnError {
  constructor(reason: string, cause?: unknown) {
    super(ErrorCode.STORE_UNAVAILABLE, `route store unavailable: ${reason}`, {}, { cause });
  }
}

export class ReleaseConflictError extends PsarnError {
  constructor(release: number, holder: string) {
    super(ErrorCode.RELEASE_CONFLICT, `release ${release} was taken by ${holder}; nothing was changed`, {
      release,
      holder,
    });
  }
}

/** Another release went live between reading the routes and publishing: publishing would undo it. */
export class ReleaseMovedError extends PsarnError {
  constructor(basedOn: number, live: number) {
    super(
      ErrorCode.RELEASE_CONFLICT,
      `release ${live} went live after these routes were read from release ${basedOn}; nothing was changed: plan again`,
      { basedOn, live },
    );
  }
}

export class ReleaseNotFoundError extends PsarnError {
  constructor(release: number, live: number) {
    super(ErrorCode.RELEASE_NOT_FOUND, `release ${release} does not exist (live release is ${live})`, {
      release,
      live,
    });
  }
}

export class NotParkableError extends PsarnError {
  constructor(psarn: string) {
    super(
      ErrorCode.NOT_PARKABLE,
      `route ${psarn} has no park queue; add park.queue to its route file first`,
      {
        psarn,
      },
    );
  }
}

export class UsageError extends PsarnError {
  constructor(message: string) {
    super(ErrorCode.USAGE, message);
  }
}

/** Narrow anything thrown to a message and a code, for reports and logs. */
export function describeError(err: unknown): { code: string; message: string } {
  if (err instanceof PsarnError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: err.name, message: err.message };
  return { code: 'UNKNOWN', message: String(err) };
}

/** A failed copy as the delivery report shows it: code, message and the reason from ERROR_KINDS. */
export function describeFailure(err: unknown): { code: string; message: string; reason: FailureReason } {
  return { ...describeError(err), reason: errorKind(err).reason };
}

/**
 * A commit was sent but neither its answer nor a re-read of `#control` came back: release N may
 * or may not be live. Nothing of it was deleted; the next apply (or `psarn history`) tells which.
 */
export class CommitUnknownError extends PsarnError {
  constructor(release: number, tableName: string, cause?: unknown) {
    super(
      ErrorCode.STORE_UNAVAILABLE,
      `route store unavailable: committing release ${release} in table ${tableName} got no answer, and #control could not be read back, so release ${release} may or may not be live. Nothing was deleted. Run \`psarn history\` once the table answers: if release ${release} is listed it is live; otherwise run the apply again (it cleans up after this one once its claim lapses)`,
      { release, tableName },
      { cause },
    );
  }
}

/** `apply --yes` of routes that would remove live routes, without `--allow-removals`. */
export class RemovalsNotConfirmedError extends PsarnError {
  constructor(removed: readonly string[], tableName: string, dir: string) {
    const one = removed.length === 1;
    super(
      ErrorCode.REMOVALS_NOT_CONFIRMED,
      `this release would remove ${removed.length} live route${one ? '' : 's'} from ${tableName}: ${removed.join(', ')}; nothing was changed. ` +
        `To remove ${one ? 'it' : 'them'}, run again with --allow-removals --yes; to keep ${one ? 'it' : 'them'}, put ${one ? 'its route file' : 'their route files'} back in ${dir}`,
      { removed, tableName, dir },
    );
  }
}
