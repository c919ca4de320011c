import type { RouteContext } from './model';

/** The stage route files are validated for when neither `--stage` nor PSARN_STAGE says. */
export const DEFAULT_STAGE = 'dev';

/**
 * Build the values for `${stage}`, `${region}` and `${account}` from CLI flags, then the
 * environment: stage from PSARN_STAGE (default "dev"), region from AWS_REGION or
 * AWS_DEFAULT_REGION, account from PSARN_ACCOUNT or AWS_ACCOUNT_ID. Empty values count as unset.
 * Region and account may stay unset: route files with literal ARNs need neither.
 *
 * @example
 * routeContextFrom({ stage: 'local' }, { AWS_REGION: 'us-east-1', PSARN_ACCOUNT: '000000000000' })
 * // { stage: 'local', region: 'us-east-1', account: '000000000000' }
 */
export function routeContextFrom(
  flags: {
    readonly stage?: string | undefined;
    readonly region?: string | undefined;
    readonly account?: string | undefined;
  },
  env: Readonly<Record<string, string | undefined>>,
): RouteContext {
  const first = (...values: (string | undefined)[]): string | undefined =>
    values.find((v) => v !== undefined && v !== '');
  const region = first(flags.region, env['AWS_REGION'], env['AWS_DEFAULT_REGION']);
  const account = first(flags.account, env['PSARN_ACCOUNT'], env['AWS_ACCOUNT_ID']);
  return {
    stage: first(flags.stage, env['PSARN_STAGE']) ?? DEFAULT_STAGE,
    ...(region === undefined ? {} : { region }),
    ...(account === undefined ? {} : { account }),
  };
}
