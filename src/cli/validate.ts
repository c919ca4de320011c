import { loadRoutesOffline } from './offline-context';
import type { RouteIssue } from '../errors';
import type { LoadResult } from '../routes/load';
import type { RegisterCommand } from './commands';
import { ExitCode } from './io';

interface ValidateFlags {
  dir: string;
  stage?: string;
  region?: string;
  account?: string;
  json?: boolean;
}

/** The directory `validate` (and the other route commands) read when no `--dir` is given. */
export const DEFAULT_ROUTES_DIR = 'routes/';

/**
 * `psarn validate`: check every route file in a directory for one stage and list every issue,
 * not just the first, so one run shows everything to fix. Exit 1 on any error; warnings alone
 * pass.
 */
export const registerValidate: RegisterCommand = (program, io, setExit) => {
  program
    .command('validate')
    .description('check the route files: schema, targets, aliases, duplicates (exit 1 on any error)')
    .option('--dir <dir>', 'directory of *.yml route files', DEFAULT_ROUTES_DIR)
    .option('--stage <stage>', 'stage whose overrides apply (default PSARN_STAGE or dev)')
    .option('--region <region>', 'value of ${region} (default AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--account <account>', 'value of ${account} (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)')
    .option('--json', 'print {valid, routes, issues} as JSON')
    .action(async (flags: ValidateFlags) => {
      const result = await loadRoutesOffline(flags, io);
      const valid = !result.issues.some((issue) => issue.severity === 'error');
      if (flags.json) {
        io.stdout(`${JSON.stringify({ valid, routes: result.routes, issues: result.issues }, null, 2)}\n`);
      } else {
        io.stdout(formatValidation(result));
      }
      if (!valid) setExit(ExitCode.userError);
    });
};

/**
 * One line per issue, `file:line:column  message (path)`, warnings marked, then a summary line.
 *
 * @example
 * formatValidation(result)
 * // routes/a.yml:7:7  unknown key `weigth`: did you mean `weight`? (targets[1].weigth)
 * // ✗ 1 error in 1 file
 */
export function formatValidation(result: LoadResult): string {
  const lines = result.issues.map(formatRouteIssue);
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = result.issues.length - errors;
  if (errors === 0) {
    const fileCount = new Set(result.routes.map((loaded) => loaded.file)).size;
    const noted = warnings === 0 ? '' : ` (${count(warnings, 'warning')})`;
    lines.push(
      `✓ ${count(result.routes.length, 'route')} in ${count(fileCount, 'file')} ${result.routes.length === 1 ? 'is' : 'are'} valid${noted}`,
    );
  } else {
    const files = new Set(result.issues.map((issue) => issue.file)).size;
    const parts = [count(errors, 'error'), ...(warnings === 0 ? [] : [count(warnings, 'warning')])];
    lines.push(`✗ ${parts.join(', ')} in ${count(files, 'file')}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `file:line:column  message (path)`, with `warning: ` before a warning's message.
 *
 * @example
 * formatRouteIssue(issue) // 'routes/a.yml:3:5  warning: target is in region ... (targets[0].arn)'
 */
export function formatRouteIssue(issue: RouteIssue): string {
  const marker = issue.severity === 'warning' ? 'warning: ' : '';
  const where = issue.path === '' ? '' : ` (${issue.path})`;
  return `${issue.file}:${issue.line}:${issue.column}  ${marker}${issue.message}${where}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
