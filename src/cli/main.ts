import { Command, CommanderError } from 'commander';
import { PsarnError, UsageError } from '../errors';
import { ExitCode, processIo, type CliIo } from './io';
import { commands } from './commands';

/**
 * Run the `psarn` CLI. Returns the exit code instead of exiting, so tests run it in-process.
 *
 * @example
 * const code = await main(['validate', '--dir', 'routes']);
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('psarn')
    .description('psarn-router: route events addressed to pseudo-ARNs to real AWS targets')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  for (const register of commands) {
    register(program, io, (code) => {
      exitCode = code;
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander but successes to the user.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      return ExitCode.usage;
    }
    if (err instanceof PsarnError) {
      io.stderr(`error [${err.code}]: ${err.message}\n`);
      return ExitCode.userError;
    }
    io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return ExitCode.userError;
  }
}
