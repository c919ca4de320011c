import { createInterface } from 'node:readline/promises';
import { UsageError } from '../errors';

/** Where a yes/no answer comes from: the terminal, or a test's streams. */
export interface ConfirmSource {
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/**
 * Ask `question` and resolve true only for "y"/"yes". Without a terminal on stdin there is nobody
 * to answer, so a change that was not pre-approved with `--yes` is refused rather than guessed.
 *
 * @example
 * if (!(await confirm('Apply release 5?', { command: 'apply' }))) return;
 */
export async function confirm(
  question: string,
  options: { readonly command: string; readonly source?: ConfirmSource },
): Promise<boolean> {
  const source = options.source ?? { input: process.stdin, output: process.stderr };
  if (source.input.isTTY !== true) {
    throw new UsageError(
      `psarn ${options.command} asks for confirmation, but stdin is not a terminal: pass --yes to ${options.command} without asking (nothing was changed)`,
    );
  }
  const rl = createInterface({ input: source.input, output: source.output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
