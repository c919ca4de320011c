import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { isNotFound } from '../health/probe';
import { parseTargetArn } from '../psarn/target-arn';
import type { Route } from '../routes/model';
import { routesOrThrow } from '../routes/load';
import { destroyAwsClients, regionalClients, type AwsClients } from '../targets/clients';
import type { RegisterCommand } from './commands';
import { loadRoutesOffline } from './offline-context';
import { DEFAULT_ROUTES_DIR } from './validate';

interface CheckFlags {
  dir: string;
  stage?: string;
  region?: string;
  account?: string;
  json?: boolean;
}

/** A target the route files name, and whether it exists. */
export interface TargetCheck {
  readonly arn: string;
  /** `missing`: the service says it does not exist; `unknown`: it could not be asked (no rights, no endpoint). */
  readonly status: 'exists' | 'missing' | 'unknown';
  readonly detail?: string;
  /** The psARNs whose routes name it. */
  readonly routes: readonly string[];
}

/**
 * Ask each service whether every target the routes name (split, fanout, park queue) exists.
 *
 * @example
 * await checkTargets(routes, regionalClients()) // [{ arn: '…:psarn-prod-orders', status: 'missing', … }]
 */
export async function checkTargets(
  routes: readonly Route[],
  clientsFor: (region: string) => AwsClients,
): Promise<TargetCheck[]> {
  const named = new Map<string, string[]>();
  const add = (arn: string, psarn: string): void => {
    const list = named.get(arn) ?? [];
    if (!list.includes(psarn)) list.push(psarn);
    named.set(arn, list);
  };
  for (const route of routes) {
    for (const t of [...route.targets, ...route.fanout]) if (t.kind !== 'psarn') add(t.arn, route.psarn);
    if (route.park !== undefined) add(route.park.queue, route.psarn);
  }
  return Promise.all(
    [...named].map(async ([arn, psarns]): Promise<TargetCheck> => {
      try {
        await exists(arn, clientsFor);
        return { arn, status: 'exists', routes: psarns };
      } catch (err) {
        const e = err as { name?: string; message?: string };
        const missing = isNotFound(err);
        return {
          arn,
          status: missing ? 'missing' : 'unknown',
          detail: `${e.name ?? 'Error'}: ${e.message ?? ''}`.trim(),
          routes: psarns,
        };
      }
    }),
  );
}

async function exists(arn: string, clientsFor: (region: string) => AwsClients): Promise<void> {
  const t = parseTargetArn(arn);
  const clients = clientsFor(t.region);
  switch (t.kind) {
    case 'lambda':
      await clients.lambda.send(
        new GetFunctionCommand({
          FunctionName: `arn:aws:lambda:${t.region}:${t.account}:function:${t.name}`,
          ...(t.qualifier === undefined ? {} : { Qualifier: t.qualifier }),
        }),
      );
      return;
    case 'sqs':
      await clients.sqs.send(
        new GetQueueUrlCommand({ QueueName: t.name, QueueOwnerAWSAccountId: t.account }),
      );
      return;
    case 'sns':
      await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      return;
    case 'events':
      await clients.eventbridge.send(new DescribeEventBusCommand({ Name: arn }));
      return;
    default:
      return;
  }
}

/**
 * `psarn check-targets`: whether the functions, queues, topics and buses the route files name
 * exist. Exit 1 when any is missing; the deploy plugin runs it after a deploy and warns.
 */
export const registerCheckTargets: RegisterCommand = (program, io, setExit) => {
  program
    .command('check-targets')
    .description('check that every target the route files name exists (exit 1 if any is missing)')
    .option('--dir <dir>', 'directory of *.yml route files', DEFAULT_ROUTES_DIR)
    .option('--stage <stage>', 'stage whose overrides apply (default PSARN_STAGE or dev)')
    .option('--region <region>', 'value of ${region} (default AWS_REGION or AWS_DEFAULT_REGION)')
    .option('--account <account>', 'value of ${account} (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)')
    .option('--json', 'print the checks as JSON')
    .action(async (flags: CheckFlags) => {
      const routes = routesOrThrow(await loadRoutesOffline(flags, io));
      const made: AwsClients[] = [];
      const regional = regionalClients(io.env);
      const clientsFor = (region: string): AwsClients => {
        const c = regional(region);
        if (!made.includes(c)) made.push(c);
        return c;
      };
      let checks: TargetCheck[];
      try {
        checks = await checkTargets(routes, clientsFor);
      } finally {
        for (const c of made) destroyAwsClients(c);
      }
      const missing = checks.filter((c) => c.status === 'missing');
      const unknown = checks.filter((c) => c.status === 'unknown');
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ checks }, null, 2)}\n`);
      } else {
        for (const c of missing)
          io.stdout(
            `warning: target ${c.arn} does not exist (named by ${c.routes.join(', ')}): events to it will be dead-lettered\n`,
          );
        for (const c of unknown) io.stdout(`note: could not check ${c.arn}: ${c.detail ?? ''}\n`);
        io.stdout(
          `${checks.length - missing.length - unknown.length} of ${checks.length} targets exist` +
            `${missing.length > 0 ? `, ${missing.length} missing` : ''}${unknown.length > 0 ? `, ${unknown.length} not checked` : ''}\n`,
        );
      }
      if (missing.length > 0) setExit(1);
    });
};
