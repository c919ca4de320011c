import { PsarnError } from '../errors';
import { traceOf } from '../cli/explain-error';

/**
 * What `npm start` prints when it cannot start: a PsarnError's message with its code, any other
 * error's message, and the stack trace only with `--debug` (or PSARN_DEBUG=1).
 *
 * @example
 * startFailureText(new PsarnError('PORTS_IN_USE', 'port(s) 8000 already in use …'), false)
 * // 'npm start failed [PORTS_IN_USE]: port(s) 8000 already in use …\n'
 */
export function startFailureText(err: unknown, debug: boolean): string {
  const head =
    err instanceof PsarnError
      ? `npm start failed [${err.code}]: ${err.message}`
      : `npm start failed: ${err instanceof Error ? err.message : String(err)}`;
  const tail = debug
    ? `\n${traceOf(err)}`
    : err instanceof PsarnError
      ? ''
      : '\n(run `npm start -- --debug` for the stack trace; the emulators log to .local-stack/*.log)';
  return `${head}${tail}\n`;
}
