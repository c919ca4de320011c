import { formatValidation } from '../cli/validate';
import { loadRoutes, type LoadResult } from '../routes/load';
import type { Route } from '../routes/model';
import { accountTemplate, PLACEHOLDER_ACCOUNTS } from './account-template';
import {
  routerIamStatements,
  type CfnValue,
  type IamMode,
  type IamStatement,
  type ServiceKind,
} from './iam-statements';
import { namedTargets } from './route-targets';

/** What packaging a stage needs to know to validate its routes and build the router's policy. */
export interface PackagePolicyOptions {
  /** The routes directory, relative to `cwd`. */
  readonly dir: string;
  readonly cwd: string;
  readonly stage: string;
  /** The region deployed to: the value of `${region}`. */
  readonly region: string;
  /** The value of `${account}`; unknown offline, then CloudFormation's `${AWS::AccountId}` stands in. */
  readonly account?: string;
  readonly mode: IamMode;
  readonly table: CfnValue;
  readonly deadLetterQueue: CfnValue;
  /** KMS key ARNs of SSE-KMS targets (`custom.psarn.kmsKeys`), or CloudFormation intrinsics. */
  readonly kmsKeys?: readonly CfnValue[];
}

export type PackagePolicy =
  | {
      readonly ok: false;
      readonly report: string;
      /** What is wrong: the route files (default), or the deploy config's `kmsKeys`. */
      readonly invalid?: 'kmsKeys';
    }
  | {
      readonly ok: true;
      readonly statements: IamStatement[];
      readonly routes: readonly Route[];
      /** The validator's report (warnings, summary line), for the packaging log. */
      readonly report: string;
    };

/**
 * Validate `dir` for the stage exactly as `psarn validate` does and, when every route is valid,
 * build the router role's statements from the ARNs the routes name. Without an account the
 * routes are loaded twice with two placeholder accounts, and every ARN that took its account
 * from `${account}` becomes a `Fn::Sub` on `${AWS::AccountId}`: packaging needs no credentials.
 *
 * @example
 * const policy = await packagePolicy({ dir: 'routes', cwd, stage: 'prod', region: 'eu-west-1', mode: 'exact', table, deadLetterQueue });
 * if (!policy.ok) throw new Error(policy.report);
 */
export async function packagePolicy(options: PackagePolicyOptions): Promise<PackagePolicy> {
  const keyProblems = (options.kmsKeys ?? []).flatMap((key, i) => kmsKeyProblem(key, i));
  if (keyProblems.length > 0)
    return { ok: false, invalid: 'kmsKeys', report: keyProblems.map((p) => `${p}\n`).join('') };
  const load = (account: string): Promise<LoadResult> =>
    loadRoutes({
      dir: options.dir,
      cwd: options.cwd,
      context: { stage: options.stage, region: options.region, account },
    });
  const first = await load(options.account ?? PLACEHOLDER_ACCOUNTS[0]);
  // Offline, messages would name the placeholder: show the variable the user wrote instead.
  const report =
    options.account === undefined
      ? formatValidation(first).replaceAll(PLACEHOLDER_ACCOUNTS[0], '${account}')
      : formatValidation(first);
  if (first.issues.some((issue) => issue.severity === 'error')) return { ok: false, report };
  const routes = first.routes.map((loaded) => loaded.route);
  const targets = serviceTargets(routes);

  const drainQueues = autoDrainQueues(routes);
  let resources: CfnValue[];
  let drainResources: CfnValue[];
  if (options.account !== undefined) {
    resources = targets.map((t) => t.arn);
    drainResources = drainQueues;
  } else {
    const secondRoutes = (await load(PLACEHOLDER_ACCOUNTS[1])).routes.map((loaded) => loaded.route);
    const second = serviceTargets(secondRoutes);
    // The same files for the same stage: only the account differs, so the lists pair up by index.
    resources = targets.map((t, i) => accountTemplate(t.arn, second[i]?.arn ?? ''));
    const secondQueues = autoDrainQueues(secondRoutes);
    drainResources = drainQueues.map((arn, i) => accountTemplate(arn, secondQueues[i] ?? ''));
  }
  const statements = routerIamStatements({
    targets: targets.map((t, i) => ({ kind: t.kind, resource: resources[i] as CfnValue })),
    table: options.table,
    deadLetterQueue: options.deadLetterQueue,
    mode: options.mode,
    ...(options.kmsKeys === undefined ? {} : { kmsKeys: options.kmsKeys }),
    ...(drainResources.length === 0 ? {} : { drainQueues: drainResources }),
  });
  return { ok: true, statements, routes, report };
}

/** The targets that need a permission: every one but psARN aliases. */
export function serviceTargets(
  routes: readonly Route[],
): { readonly kind: ServiceKind; readonly arn: string }[] {
  return namedTargets(routes).flatMap((t) => (t.kind === 'psarn' ? [] : [{ kind: t.kind, arn: t.arn }]));
}

/** The park queues the scheduled check drains: those of routes with `autoDrain: true`. */
export function autoDrainQueues(routes: readonly Route[]): string[] {
  return routes.flatMap((r) => (r.autoDrain === true && r.park !== undefined ? [r.park.queue] : []));
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(alias\/.+)$/;

/** Why `key` (entry `i` of `custom.psarn.kmsKeys`) cannot be granted, or nothing. */
function kmsKeyProblem(key: CfnValue, i: number): string[] {
  if (typeof key !== 'string' || KMS_KEY_ARN.test(key)) return []; // intrinsics: CloudFormation checks them
  const where = `custom.psarn.kmsKeys[${i}] ${JSON.stringify(key)}`;
  const alias = KMS_ALIAS_ARN.exec(key) ?? (key.startsWith('alias/') ? [key, key] : null);
  if (alias !== null) {
    return [
      `${where} is an alias: IAM grants need the key ARN (arn:aws:kms:<region>:<account>:key/<key id>); ` +
        `\`aws kms describe-key --key-id ${alias[1]}\` prints it`,
    ];
  }
  return [
    `${where} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>): name the key of each SSE-KMS queue, topic or bus the routes send to`,
  ];
}
