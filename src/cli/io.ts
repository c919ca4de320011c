/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdout is a terminal: progress bars and colours only then. */
  readonly isTty: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
  };
}

/** Exit codes shared by every command (DESIGN.md "CLI"). */
export const ExitCode = { ok: 0, userError: 1, usage: 2, changes: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
