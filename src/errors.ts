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
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TARGET_FAILED: 'TARGET_FAILED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  RELEASE_CONFLICT: 'RELEASE_CONFLICT',
  RELEASE_NOT_FOUND: 'RELEASE_NOT_FOUND',
  NOT_PARKABLE: 'NOT_PARKABLE',
  USAGE: 'USAGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
  constructor(target: string, bytes: number, limit: number) {
    super(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `payload of ${bytes} bytes exceeds ${limit} bytes allowed by ${target}`,
      {
        target,
        bytes,
        limit,
      },
    );
  }
}

export class TargetFailedError extends PsarnError {
  constructor(target: string, reason: string, cause?: unknown) {
    super(ErrorCode.TARGET_FAILED, `delivery to ${target} failed: ${reason}`, { target }, { cause });
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
