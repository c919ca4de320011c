// `psarn register` / `psarn deregister` and the registration layer in `plan` / `apply`, in-process
// against a real dynalite (test/control/cli-harness.ts): every release goes through the release store.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { deployRecordToItem } from '../../src/deploy/deploy-record';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { RegistrationStore } from '../../src/registration/registration-store';
import { registerSet } from '../../src/registration/register';
import { parseRegistration } from '../../src/registration/parse';
import { mergeRegistrations } from '../../src/registration/merge';
import { readLayered } from '../../src/registration/publish';
import { canaryYaml, useCliFixture } from '../control/cli-harness';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const V3 = 'arn:aws:lambda:eu-west-1:123456789012:function:signup-dev-signupV3';
const cli = useCliFixture();

const releases = (): DynamoReleaseStore =>
  new DynamoReleaseStore({ client: cli.local.client, tableName: cli.table });
const liveRoute = async (psarn = PSARN) => {
  const store = releases();
  const { release } = await store.readControl();
  return (await store.routesAt(release)).find((r) => r.psarn === psarn);
};
const register = (...extra: string[]) =>
  cli.run('register', '--service', 'signup', '--psarn', '/event/newUser', '--target', V3, ...extra);

describe('psarn register', () => {
  it('adds the target to the live split as one release recorded as registered by the service', async () => {
    await cli.run('apply', '--yes');
    const run = await register('--weight', '10');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `registered signup/dev in ${cli.table}:\n  + split ${V3} weight 10 on ${PSARN}\nrelease 2: 0 added, 1 changed, 0 removed\n`,
    );
    expect((await liveRoute())?.targets.at(-1)).toEqual({
      arn: V3,
      kind: 'lambda',
      weight: 10,
      registeredBy: 'signup/dev',
    });
    const history = await releases().listReleases();
    expect(history.at(-1)).toMatchObject({
      release: 2,
      by: 'tester@ci',
      summary: 'registered by signup/dev: 0 added, 1 changed, 0 removed',
    });
  });

  it('is idempotent: registering the same again writes no release and no second copy', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    const again = await register('--weight', '10');
    expect(again.stdout).toContain('No changes: release 2 already has it.');
    expect((await releases().readControl()).release).toBe(2);
    const sets = await new RegistrationStore(cli.local.client, cli.table).list();
    expect(sets.map((s) => [s.registrant, s.registrations.length])).toEqual([['signup/dev', 1]]);
  });

  it('refuses a psARN no route defines, writing nothing, unless --create', async () => {
    await cli.run('apply', '--yes');
    const other = ['register', '--service', 'signup', '--psarn', '/event/other', '--target', V3, '--fanout'];
    const refused = await cli.run(...other);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /REGISTRATION_ROUTE_MISSING.*signup\/dev registers a target on arn:aws:psarns:eu-west-1:123456789012:\/event\/other, but no route .* defines it; nothing was registered\. .*create: true/,
    );
    expect(await new RegistrationStore(cli.local.client, cli.table).list()).toEqual([]);
    expect((await releases().readControl()).release).toBe(1);

    const created = await cli.run(...other, '--create', '--ttl', '30');
    expect(created.code).toBe(0);
    expect(await liveRoute('arn:aws:psarns:eu-west-1:123456789012:/event/other')).toEqual({
      psarn: 'arn:aws:psarns:eu-west-1:123456789012:/event/other',
      ttl: 30,
      targets: [],
      fanout: [{ arn: V3, kind: 'lambda', registeredBy: 'signup/dev' }],
      onFailure: 'dlq',
    });
  });

  it('refuses a target another service registered first on the same psARN', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    const run = await cli.run(
      'register',
      '--service',
      'billing',
      '--psarn',
      PSARN,
      '--target',
      V3,
      '--fanout',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /REGISTRATION_CONFLICT.*billing\/dev registers .* which signup\/dev registered first/,
    );
    expect((await releases().readControl()).release).toBe(2);
  });

  it.each([
    [[], /--weight <n> \(split\) or --fanout/],
    [['--weight', 'ten'], /--weight must be a number greater than 0, got "ten"/],
    [['--weight', '1', '--ttl', '5'], /--ttl and --description describe the route --create makes/],
  ])('names the flag that is wrong (%j)', async (extra, message) => {
    const run = await register(...extra);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('warns on stderr when the deployed router role cannot reach the registered target, and registers it', async () => {
    await cli.run('apply', '--yes');
    await cli.local.client.send(
      new PutItemCommand({
        TableName: cli.table,
        Item: deployRecordToItem({
          iam: 'exact',
          allowed: [],
          stage: 'dev',
          region: 'eu-west-1',
          account: '123456789012',
          at: '2026-12-01T00:00:00.000Z',
          by: 'ci@build',
        }),
      }),
    );
    const run = await register('--weight', '10');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`cannot reach 1 target:\n  ${V3}  (${PSARN} targets[2])\n`);
    expect((await liveRoute())?.targets.at(-1)?.arn).toBe(V3);
  });

  it('refuses a service name that is not one', async () => {
    const run = await cli.run('register', '--service', 'a/b', '--psarn', PSARN, '--target', V3, '--fanout');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--service "a\/b" is not a service name/);
  });

  it('refuses more registrations than one service may hold, writing nothing', async () => {
    await cli.run('apply', '--yes');
    const many = Array.from({ length: 101 }, (_, i) =>
      parseRegistration(
        { psarn: PSARN, arn: `arn:aws:sqs:eu-west-1:123456789012:q${i}`, fanout: true },
        'test',
        { region: 'eu-west-1', account: '123456789012' },
      ),
    );
    await expect(
      registerSet(
        { client: cli.local.client, tableName: cli.table, releases: releases(), by: 'x' },
        'big/dev',
        many,
      ),
    ).rejects.toMatchObject({
      code: 'REGISTRATION_INVALID',
      message: expect.stringMatching(/101 registrations, more than the 100/),
    });
    expect(await new RegistrationStore(cli.local.client, cli.table).list()).toEqual([]);
  });

  it('serialises concurrent registrations of several services: every one ends in the live route', async () => {
    await cli.run('apply', '--yes');
    const services = ['a', 'b', 'c', 'd'];
    await Promise.all(
      services.map((name) => {
        const arn = `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
        const reg = parseRegistration({ psarn: PSARN, arn, fanout: true }, name, {
          region: 'eu-west-1',
          account: '123456789012',
        });
        return registerSet(
          { client: cli.local.client, tableName: cli.table, releases: releases(), by: `${name}@ci` },
          `${name}/dev`,
          [reg],
        );
      }),
    );
    const route = await liveRoute();
    expect(route?.fanout.map((t) => t.registeredBy).sort()).toEqual(services.map((s) => `${s}/dev`));
    // Each registration is its own release or merged into another's: never more than one each.
    const control = await releases().readControl();
    expect(control.release).toBeGreaterThanOrEqual(2);
    expect(control.release).toBeLessThanOrEqual(1 + services.length);
  });
});

describe('psarn plan and apply with registrations', () => {
  it('plan shows the registrations and no change; apply of routes/ keeps the registered target', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    const plan = await cli.run('plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toBe(
      [
        'Registrations layered over the route files (1 service):',
        `  signup/dev  + split ${V3} weight 10 on ${PSARN}`,
        'No changes: the routes match release 2.',
        '',
      ].join('\n'),
    );
    // A route file change is applied with the registration still merged in.
    await cli.dir.write({ 'new-user.yml': canaryYaml('newUser', 50, 50) });
    const apply = await cli.run('apply', '--yes');
    expect(apply.stdout).toContain('weight live 90→50, canary 10→50');
    expect(apply.stdout).toContain('release 3: 0 added, 1 changed, 0 removed');
    expect((await liveRoute())?.targets.map((t) => [t.weight, t.registeredBy ?? 'file'])).toEqual([
      [50, 'file'],
      [50, 'file'],
      [10, 'signup/dev'],
    ]);
    const json = JSON.parse((await cli.run('plan', '--json')).stdout) as {
      registrations: { sets: unknown[] };
    };
    expect(json.registrations.sets).toHaveLength(1);
  });

  it('after a rollback past a registration, plan shows the registered target coming back and who registered it', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    expect((await cli.run('rollback', '--to', '1', '--yes')).code).toBe(0);
    expect((await liveRoute())?.targets.some((t) => t.arn === V3)).toBe(false);
    const plan = await cli.run('plan');
    expect(plan.code).toBe(3);
    expect(plan.stdout).toContain(`    targets +${V3} (registered by signup/dev)\n`);
    expect((await cli.run('apply', '--yes')).stdout).toContain('release 4: 0 added, 1 changed, 0 removed');
    expect((await liveRoute())?.targets.at(-1)?.registeredBy).toBe('signup/dev');
  });

  it('an apply that read the registrations before a registration landed does not drop it', async () => {
    await cli.run('apply', '--yes');
    const registrations = new RegistrationStore(cli.local.client, cli.table);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The apply's publish, paused once it holds the claim on release 2, as a slow apply would be.
    const slow = new DynamoReleaseStore({
      client: cli.local.client,
      tableName: cli.table,
      hooks: { afterClaim: () => gate },
    });
    const view = await readLayered(slow, registrations);
    // The apply changes the route's ttl: a release of its own.
    const files = view.live.map((r) => ({ ...r, ttl: 5 }));
    const applying = slow.publishRelease(mergeRegistrations(files, view.sets).routes, {
      by: 'apply@ci',
      basedOn: view.release,
    });
    const reg = parseRegistration({ psarn: PSARN, arn: V3, split: { weight: 10 } }, 'test', {
      region: 'eu-west-1',
      account: '123456789012',
    });
    const registering = registerSet(
      { client: cli.local.client, tableName: cli.table, releases: releases(), by: 'signup@ci' },
      'signup/dev',
      [reg],
    );
    // Let the apply commit once the registration item is written (the apply never saw it).
    while ((await registrations.list()).length === 0) await new Promise((r) => setTimeout(r, 10));
    open();
    expect((await applying).release).toBe(2);
    expect((await registering).result.release).toBe(3);
    const route = await liveRoute();
    expect(route?.ttl).toBe(5);
    expect(route?.targets.at(-1)).toMatchObject({ arn: V3, registeredBy: 'signup/dev' });
  });

  it('plan warns when the route files drop a psARN a service registered on', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    await cli.dir.write({ 'other.yml': canaryYaml('other', 1, 1) });
    const plan = await cli.run('plan');
    expect(plan.stdout).toContain(
      `warning: signup/dev registration of ${V3} on ${PSARN} is dormant: no route defines the psARN`,
    );
    expect(plan.stdout).toContain(`- ${PSARN}`);
  });
});

describe('psarn deregister', () => {
  it('removes what the service registered as one release, and is a no-op the second time', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    const run = await cli.run('deregister', '--service', 'signup');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `deregistered signup/dev from ${cli.table}\nrelease 3: 0 added, 1 changed, 0 removed\n`,
    );
    expect((await liveRoute())?.targets.map((t) => t.registeredBy)).toEqual([undefined, undefined]);
    expect((await releases().listReleases()).at(-1)?.summary).toBe(
      'deregistered by signup/dev: 0 added, 1 changed, 0 removed',
    );
    const again = await cli.run('deregister', '--service', 'signup', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ registrant: 'signup/dev', found: false });
  });

  it('says so for a service that never registered', async () => {
    await cli.run('apply', '--yes');
    const run = await cli.run('deregister', '--service', 'ghost');
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `ghost/dev has no registrations in ${cli.table}: nothing to deregister\n`,
    });
    expect((await releases().readControl()).release).toBe(1);
  });

  it('removes one registration with --psarn and --target, keeping the others', async () => {
    await cli.run('apply', '--yes');
    await register('--weight', '10');
    const audit = 'arn:aws:sqs:eu-west-1:123456789012:signup-audit';
    await cli.run('register', '--service', 'signup', '--psarn', PSARN, '--target', audit, '--fanout');
    const run = await cli.run(
      'deregister',
      '--service',
      'signup',
      '--psarn',
      '/event/newUser',
      '--target',
      V3,
    );
    expect(run.code).toBe(0);
    const route = await liveRoute();
    expect(route?.targets.some((t) => t.arn === V3)).toBe(false);
    expect(route?.fanout).toEqual([{ arn: audit, kind: 'sqs', registeredBy: 'signup/dev' }]);
  });
});
