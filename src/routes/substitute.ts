import type { RouteContext } from './model';

/** The variables a route file may use, and where their values come from (for messages). */
export const ROUTE_VARIABLES = {
  stage: '--stage or PSARN_STAGE',
  region: '--region or AWS_REGION',
  account: '--account or PSARN_ACCOUNT',
} as const;
export type RouteVariable = keyof typeof ROUTE_VARIABLES;

const REFERENCE = /\$\{([^}]*)\}/g;

export interface VariableProblem {
  readonly variable: string;
  readonly message: string;
}

export type Substitution =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problems: readonly VariableProblem[] };

function isRouteVariable(name: string): name is RouteVariable {
  return Object.hasOwn(ROUTE_VARIABLES, name);
}

/**
 * The `${...}` references in `text` that name no known variable, each with a message.
 *
 * @example
 * unknownVariables('arn:aws:sqs:${regoin}:1:q') // [{ variable: 'regoin', message: 'unknown variable ${regoin}: ...' }]
 */
export function unknownVariables(text: string): VariableProblem[] {
  return [...text.matchAll(REFERENCE)]
    .map((match) => match[1] ?? '')
    .filter((name) => !isRouteVariable(name))
    .map((name) => ({
      variable: name,
      message: `unknown variable \${${name}}: only \${stage}, \${region} and \${account} are substituted`,
    }));
}

/**
 * Replace `${stage}`, `${region}` and `${account}` in `text` with the context's values. Unknown
 * or unset variables make the result a failure naming each of them and how to set it.
 *
 * @example
 * substitute('psarn-${stage}-orders', { stage: 'dev' }) // { ok: true, value: 'psarn-dev-orders' }
 */
export function substitute(text: string, context: RouteContext): Substitution {
  const problems: VariableProblem[] = [...unknownVariables(text)];
  for (const match of text.matchAll(REFERENCE)) {
    const name = match[1] ?? '';
    if (!isRouteVariable(name) || problems.some((p) => p.variable === name)) continue;
    const value = context[name];
    if (value === undefined || value === '') {
      const from = ROUTE_VARIABLES[name].replace(' or ', ' or set ');
      problems.push({ variable: name, message: `\${${name}} has no value: pass ${from}` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: text.replace(REFERENCE, (whole, name: string) =>
      isRouteVariable(name) ? (context[name] ?? whole) : whole,
    ),
  };
}
