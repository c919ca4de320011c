import { formatReachWarning } from '../deploy/reach-warning';
import { UsageError } from '../errors';
import { REGISTRANT_PART, registrantOf, type Registration } from '../registration/model';
import { parseRegistration } from '../registration/parse';
import { registerSet, type RegistrationTarget } from '../registration/register';
import { RegistrationStore } from '../registration/registration-store';
import { noteLine, registrationLine } from '../registration/report';
import { DynamoReleaseStore } from '../store/dynamo-release-store';
import type { RegisterCommand } from './commands';
import type { CliIo } from './io';
import { releaseJson, releaseLine } from './release-report';
import {
  dynamoClientFor,
  guardStage,
  operatorName,
  resolveStoreTarget,
  withStoreOptions,
  type StoreFlags,
  type StoreTarget,
} from './store-options';

/** Flags of `register` and `deregister`: who registers, on the stage's table. */
export interface RegistrantFlags extends StoreFlags {
  readonly service?: string;
  readonly json?: boolean;
}

interface RegisterFlags extends RegistrantFlags {
  readonly psarn?: string;
  readonly target?: string;
  readonly weight?: string;
  readonly fanout?: boolean;
  readonly create?: boolean;
  readonly ttl?: string;
  readonly description?: string;
  readonly detailType?: string;
  readonly source?: string;
  readonly groupBy?: string;
  readonly account?: string;
}

/**
 * Run `use` with what a registration command needs on the resolved table (client, release store,
 * who acts), after the same stage checks as every table command; closes the client after.
 */
export async function withRegistrationTarget<T>(
  flags: RegistrantFlags,
  io: CliIo,
  use: (target: RegistrationTarget, where: StoreTarget, registrant: string) => Promise<T>,
): Promise<T> {
  if (flags.service === undefined || flags.service === '') {
    throw new UsageError('--service <name> is required: the consumer service the registration belongs to');
  }
  if (!REGISTRANT_PART.test(flags.service)) {
    throw new UsageError(
      `--service ${JSON.stringify(flags.service)} is not a service name: a letter, then letters, digits, "-" or "_" (as in serverless.yml \`service:\`)`,
    );
  }
  const where = resolveStoreTarget(flags, io.env);
  const client = dynamoClientFor(where, io.env);
  try {
    await guardStage(flags, io.env, where, client);
    const releases = new DynamoReleaseStore({ client, tableName: where.tableName });
    const target = { client, tableName: where.tableName, releases, by: operatorName(io.env) };
    return await use(target, where, registrantOf(flags.service, where.stage));
  } finally {
    client.destroy();
  }
}

/**
 * `psarn register`: what the osls plugin does on deploy, by hand, one target at a time. The
 * target joins the service's registration set (replacing a registration of the same target on
 * the same psARN), and the merged release is published.
 *
 * @example
 * psarn register --service signup --stage prod --psarn /event/newUser --target arn:aws:lambda:…:function:signup-prod-v3 --weight 10
 */
export const registerRegister: RegisterCommand = (program, io) => {
  withStoreOptions(program.command('register'))
    .description(
      "add a consumer service's target to a route (a registration layered over routes/; a new release)",
    )
    .option('--service <name>', 'the consumer service registering (recorded as <service>/<stage>)')
    .option('--psarn <psarn>', 'the route: a psARN, or its path (/event/newUser) in this region and account')
    .option('--target <arn>', 'the target ARN (Lambda, SQS, SNS, EventBridge bus)')
    .option('--weight <n>', 'join the split with this weight')
    .option('--fanout', 'join the fanout')
    .option('--create', 'create the route when no route defines the psARN')
    .option('--ttl <seconds>', 'with --create: the ttl of the route it creates')
    .option('--description <text>', 'with --create: the description of the route it creates')
    .option('--detail-type <type>', 'EventBridge target: DetailType')
    .option('--source <source>', 'EventBridge target: Source')
    .option('--group-by <path>', 'FIFO target: the event path of MessageGroupId')
    .option('--account <id>', 'account of a psARN path (default PSARN_ACCOUNT or AWS_ACCOUNT_ID)')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: RegisterFlags) => {
      await withRegistrationTarget(flags, io, async (target, where, registrant) => {
        const registration = registrationFromFlags(flags, where.region, io);
        const existing = (await new RegistrationStore(target.client, target.tableName).list()).find(
          (s) => s.registrant === registrant,
        );
        const kept = (existing?.registrations ?? []).filter(
          (r) => !(r.psarn === registration.psarn && r.target.arn === registration.target.arn),
        );
        const outcome = await registerSet(target, registrant, [...kept, registration]);
        const warnings = outcome.mine.map(noteLine);
        const reach =
          outcome.reach === undefined
            ? ''
            : formatReachWarning(outcome.reach.unreachable, outcome.reach.record);
        if (flags.json) {
          io.stdout(
            `${JSON.stringify({ registrant, ...releaseJson(outcome.result), registrations: [...kept, registration], notes: outcome.mine, unreachable: outcome.reach?.unreachable ?? [] })}\n`,
          );
        } else {
          io.stdout(
            `registered ${registrant} in ${target.tableName}:\n  ${registrationLine(registration)}\n`,
          );
          io.stdout(
            `${outcome.result.changed.length === 0 ? `No changes: release ${outcome.result.release} already has it.` : releaseLine(outcome.result)}\n`,
          );
        }
        for (const line of warnings) io.stderr(`${line}\n`);
        io.stderr(reach);
      });
    });
};

function registrationFromFlags(flags: RegisterFlags, region: string, io: CliIo): Registration {
  const account = flags.account ?? io.env['PSARN_ACCOUNT'] ?? io.env['AWS_ACCOUNT_ID'];
  if (flags.psarn === undefined)
    throw new UsageError('--psarn <psarn> is required: the route to register on');
  if (flags.target === undefined) throw new UsageError('--target <arn> is required: the ARN to register');
  if (flags.psarn.startsWith('/') && account === undefined) {
    throw new UsageError(
      `--psarn ${flags.psarn} is a path: pass --account <id> (or PSARN_ACCOUNT), or the full psARN`,
    );
  }
  if ((flags.weight === undefined) === (flags.fanout !== true)) {
    throw new UsageError('say how the target joins the route: --weight <n> (split) or --fanout, one of them');
  }
  if (flags.weight !== undefined && !(Number(flags.weight) > 0 && Number.isFinite(Number(flags.weight)))) {
    throw new UsageError(`--weight must be a number greater than 0, got ${JSON.stringify(flags.weight)}`);
  }
  if (flags.create !== true && (flags.ttl !== undefined || flags.description !== undefined)) {
    throw new UsageError('--ttl and --description describe the route --create makes: pass --create too');
  }
  return parseRegistration(
    {
      psarn: flags.psarn,
      arn: flags.target,
      ...(flags.weight === undefined ? { fanout: true } : { split: { weight: Number(flags.weight) } }),
      ...(flags.create === true
        ? {
            create: {
              ...(flags.ttl === undefined ? {} : { ttl: Number(flags.ttl) }),
              ...(flags.description === undefined ? {} : { description: flags.description }),
            },
          }
        : {}),
      ...(flags.detailType === undefined ? {} : { detailType: flags.detailType }),
      ...(flags.source === undefined ? {} : { source: flags.source }),
      ...(flags.groupBy === undefined ? {} : { groupBy: flags.groupBy }),
    },
    'psarn register',
    { region, account: account ?? '000000000000' },
  );
}
