import { ErrorCode, PsarnError } from '../errors';

/**
 * Turn a fault the SDK or Node throws for a user's setup (no region, no credentials, nothing
 * listening on the endpoint, a missing file) into a PsarnError whose message says what, where and
 * the next step. Anything else is returned as undefined: a real bug, shown as such.
 *
 * @example
 * explainError(new Error('Region is missing'))?.code // 'AWS_CONFIG_MISSING'
 */
export function explainError(err: unknown): PsarnError | undefined {
  if (err instanceof PsarnError) return err;
  // Duck-typed, not `instanceof Error`: errors of another realm (jest's, the SDK's wrapper) count too.
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  const cause = { cause: err };
  if (message === 'Region is missing') {
    return new PsarnError(
      ErrorCode.AWS_CONFIG_MISSING,
      'no AWS region: pass --region or set AWS_REGION (for the local stack: source .local-stack/env.sh)',
      {},
      cause,
    );
  }
  if (e.name === 'CredentialsProviderError') {
    return new PsarnError(
      ErrorCode.AWS_CONFIG_MISSING,
      'no AWS credentials: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ' +
        '(for the local stack: source .local-stack/env.sh)',
      {},
      cause,
    );
  }
  const net = networkFault(err);
  if (net !== undefined) {
    const local = /^(127\.|::1$|localhost$|0\.0\.0\.0$)/.test(net.host);
    const where = net.port === undefined ? net.host : `${net.host}:${net.port}`;
    const next = local
      ? 'is the local stack running? start it with `npm start`, then `source .local-stack/env.sh` in this shell'
      : 'check the endpoint (--endpoint, AWS_ENDPOINT_URL*) and the network';
    return new PsarnError(
      ErrorCode.ENDPOINT_UNREACHABLE,
      `cannot reach ${where} (${net.code}): ${next}`,
      { host: net.host, ...(net.port === undefined ? {} : { port: net.port }), errno: net.code },
      cause,
    );
  }
  const sys = err as NodeJS.ErrnoException;
  if ((sys.code === 'ENOENT' || sys.code === 'EACCES' || sys.code === 'EISDIR') && sys.path !== undefined) {
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' }[
      sys.code
    ];
    return new PsarnError(
      ErrorCode.FILE_NOT_FOUND,
      `cannot read ${sys.path}: ${why}; check the path`,
      { path: sys.path },
      cause,
    );
  }
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNRESET']);

/** A refused/unresolvable connection anywhere in the error, its `errors` (AggregateError) or causes. */
function networkFault(err: unknown, depth = 0): { code: string; host: string; port?: number } | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const e = err as {
    code?: unknown;
    address?: unknown;
    hostname?: unknown;
    port?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    const host =
      typeof e.address === 'string' ? e.address : typeof e.hostname === 'string' ? e.hostname : undefined;
    if (host !== undefined)
      return { code: e.code, host, ...(typeof e.port === 'number' ? { port: e.port } : {}) };
  }
  // The SDK wraps what it cannot recognise as an Error ("AWS SDK error wrapper for Error: connect
  // ECONNREFUSED 127.0.0.1:3002"): the message is all that is left.
  const text =
    typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : '';
  const m = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ECONNRESET) ([^\s:]+|\[[^\]]+\]):(\d+)/.exec(
    text,
  );
  if (m !== null) return { code: m[1] as string, host: m[2] as string, port: Number(m[3]) };
  for (const inner of Array.isArray(e.errors) ? (e.errors as unknown[]) : []) {
    const found = networkFault(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return networkFault(e.cause, depth + 1);
}

/** The stack of an error and of each of its causes, for `--debug`. */
export function traceOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let i = 0; i < 5 && current !== undefined; i++) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
