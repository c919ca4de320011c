import type { CliIo } from '../../src/cli/io';

/** A CliIo that records what a command printed; env defaults to the suite's (the local stack's). */
export function captureIo(env: Readonly<Record<string, string | undefined>> = process.env): CliIo & {
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env,
    cwd: process.cwd(),
    isTty: false,
    out: () => out,
    err: () => err,
  };
}
