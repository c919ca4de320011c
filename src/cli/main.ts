import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors';
import { explainError, traceOf } from './explain-error';
import { ExitCode, processIo, type CliIo } from './io';
import { commands } from './commands';
import packageJson from '../../package.json';

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
    .version(packageJson.version, '-V, --version', 'print the version of psarn')
    .option('--debug', 'print the stack trace of an error (also PSARN_DEBUG=1)')
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
    const debug = argv.includes('--debug') || (io.env['PSARN_DEBUG'] ?? '') === '1';
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n`);
      if (debug) io.stderr(`${traceOf(err)}\n`);
      return ExitCode.usage;
    }
    const explained = explainError(err);
    if (explained !== undefined) {
      io.stderr(`error [${explained.code}]: ${explained.message}\n`);
      if (debug) io.stderr(`${traceOf(err)}\n`);
      return ExitCode.userError;
    }
    // Not a user error: a fault nobody foresaw. Its message, and the trace only when asked for.
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.stderr(`error: ${message}\n`);
    io.stderr(
      debug ? `${traceOf(err)}\n` : '(an unexpected error: run again with --debug for its stack trace)\n',
    );
    return ExitCode.userError;
  }
}
