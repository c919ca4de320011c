/** The header that tells the router (and a `callers:` override) which producer sent an event. */
export const CALLER_HEADER = 'psarn-caller';

/** Who the producer is, as it says in `createPsarnClient({ caller })`. */
export interface CallerOptions {
  /** Free-form labels (team, tier, …) a route's `callers:` override may match on. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The compact JSON of header `psarn-caller`: `{"function":"…","labels":{…}}`. The function name
 * is Lambda's own AWS_LAMBDA_FUNCTION_NAME (not something the producer types, so it cannot drift
 * from the deployed name); either part is left out when unknown, and with neither there is no
 * header at all.
 *
 * @example
 * callerHeader({ labels: { team: 'growth' } }, { AWS_LAMBDA_FUNCTION_NAME: 'signup-api' })
 * // '{"function":"signup-api","labels":{"team":"growth"}}'
 */
export function callerHeader(
  caller: CallerOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const fn = env['AWS_LAMBDA_FUNCTION_NAME'];
  const labels = caller?.labels;
  const hasLabels = labels !== undefined && Object.keys(labels).length > 0;
  if ((fn === undefined || fn === '') && !hasLabels) return undefined;
  return JSON.stringify({
    ...(fn === undefined || fn === '' ? {} : { function: fn }),
    ...(hasLabels ? { labels } : {}),
  });
}
