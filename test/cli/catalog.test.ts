import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../../src/discovery/catalog';
import { MAX_MAP_ROUTES } from '../../src/discovery/catalog-html';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import type { Route } from '../../src/routes/model';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { canaryYaml, useCliFixture } from '../control/cli-harness';

const P = 'arn:aws:psarns:eu-west-1:123456789012';
const L = 'arn:aws:lambda:eu-west-1:123456789012:function';
const Q = 'arn:aws:sqs:eu-west-1:123456789012';
const cli = useCliFixture();

/** A route with every catalog field: owner, labels, split, fanout, park. */
function signupYaml(live: number, canary: number): string {
  return canaryYaml(
    'newUser',
    live,
    canary,
    [
      'description: New user sign-ups',
      'owner: team-signup',
      'labels:',
      '  team: signup',
      '  env: ${stage}',
      'stickyBy: payload.userId',
      'fanout:',
      `  - arn: arn:aws:sns:\${region}:\${account}:audit`,
      'park:',
      `  queue: arn:aws:sqs:\${region}:\${account}:newUser-holding`,
    ].join('\n'),
  );
}

const EMAIL = [`psarn: ${P}:/email/send`, 'targets:', `  - arn: ${Q}:email`, ''].join('\n');

async function catalogJson(...args: string[]): Promise<Catalog> {
  const run = await cli.run('catalog', '--json', ...args);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as Catalog;
}

describe('psarn catalog', () => {
  it('says nothing was applied yet on a new table', async () => {
    expect(await cli.run('catalog')).toEqual({
      code: 0,
      stderr: '',
      stdout: `No routes in ${cli.table} yet: nothing has been applied for stage dev (psarn apply --stage dev publishes routes/).\n`,
    });
    expect(await catalogJson()).toEqual({
      version: 1,
      stage: 'dev',
      table: cli.table,
      release: 0,
      routes: [],
    });
  });

  it('lists the applied routes with owner, labels, shares, fanout, park and the release each last changed in', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10), 'email.yml': EMAIL });
    expect((await cli.run('apply', '--yes')).code).toBe(0);
    await cli.dir.write({ 'new-user.yml': signupYaml(3, 1), 'email.yml': EMAIL });
    expect((await cli.run('apply', '--yes')).code).toBe(0);

    const catalog = await catalogJson();
    expect(catalog).toMatchObject({ version: 1, stage: 'dev', table: cli.table, release: 2 });
    expect(catalog.routes.map((r) => r.path)).toEqual(['/email/send', '/event/newUser']);
    const [email, signup] = catalog.routes;
    expect(email).toMatchObject({
      owner: null,
      labels: {},
      split: [{ arn: `${Q}:email`, kind: 'sqs', weight: 1, percent: 100, registeredBy: null }],
      contract: { schema: false, summary: null },
      lastChanged: { release: 1, by: 'tester@ci', summary: '2 added, 0 changed, 0 removed' },
    });
    expect(signup).toEqual({
      psarn: `${P}:/event/newUser`,
      path: '/event/newUser',
      description: 'New user sign-ups',
      owner: 'team-signup',
      labels: { env: 'dev', team: 'signup' },
      ttl: 60,
      stickyBy: 'payload.userId',
      onFailure: 'park',
      parked: false,
      split: [
        { arn: `${L}:newUser:live`, kind: 'lambda', weight: 3, percent: 75, registeredBy: null },
        { arn: `${L}:newUser:canary`, kind: 'lambda', weight: 1, percent: 25, registeredBy: null },
      ],
      fanout: [{ arn: 'arn:aws:sns:eu-west-1:123456789012:audit', kind: 'sns', registeredBy: null }],
      park: { queue: `${Q}:newUser-holding`, enabled: false },
      contract: { schema: false, summary: null },
      registeredBy: [],
      lastChanged: {
        release: 2,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) as unknown as string,
        by: 'tester@ci',
        summary: '0 added, 1 changed, 0 removed',
      },
    });
  });

  it('shows a park as the release that changed the route, and the route as parked', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10), 'email.yml': EMAIL });
    await cli.run('apply', '--yes');
    expect((await cli.run('park', `${P}:/event/newUser`)).code).toBe(0);
    const [email, signup] = (await catalogJson()).routes;
    expect(signup).toMatchObject({ parked: true, park: { enabled: true }, lastChanged: { release: 2 } });
    expect(email?.lastChanged?.release).toBe(1);
  });

  it('prints a block per route for people, with targets, shares and the last release', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10) });
    await cli.run('apply', '--yes');
    const run = await cli.run('catalog');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`Catalog of stage dev: ${cli.table}, live release 1, 1 route`);
    expect(lines.slice(2, 9)).toEqual([
      '/event/newUser  New user sign-ups',
      `  psarn     ${P}:/event/newUser`,
      '  owner     team-signup',
      '  labels    env=dev, team=signup',
      '  contract  no schema',
      expect.stringMatching(/^ {2}changed {3}release 1, \S+Z, by tester@ci: 1 added, 0 changed, 0 removed$/),
      '  routing   ttl 60s, onFailure park, split sticky by payload.userId',
    ]);
    expect(lines.slice(9, 14).map((l) => l.split(/ {2,}/).filter((c) => c !== ''))).toEqual([
      ['ROLE', 'TARGET', 'WEIGHT', 'SHARE', 'REGISTERED BY'],
      ['split', `${L}:newUser:live`, '90', '90%', '-'],
      ['split', `${L}:newUser:canary`, '10', '10%', '-'],
      ['fanout', 'arn:aws:sns:eu-west-1:123456789012:audit', 'every', '-'],
      ['park', `${Q}:newUser-holding`, 'standby'],
    ]);
  });

  it('keeps a hostile description on one line in the terminal', async () => {
    await cli.dir.write({
      'new-user.yml': canaryYaml('newUser', 1, 1, 'description: "line one\\nline two \\e[31mred"'),
    });
    await cli.run('apply', '--yes');
    const run = await cli.run('catalog');
    expect(run.stdout).toContain('/event/newUser  line one?line two ?[31mred\n');
    expect(run.stdout).not.toContain('\u001b');
  });

  it('narrows the list by name prefix, owner and labels', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10), 'email.yml': EMAIL });
    await cli.run('apply', '--yes');
    const paths = async (...args: string[]): Promise<string[]> =>
      (await catalogJson(...args)).routes.map((r) => r.path);
    expect(await paths('/event')).toEqual(['/event/newUser']);
    expect(await paths(`${P}:/email/send`)).toEqual(['/email/send']);
    expect(await paths('--owner', 'team-signup')).toEqual(['/event/newUser']);
    expect(await paths('--label', 'team=signup', '--label', 'env=dev')).toEqual(['/event/newUser']);
    expect(await paths('--label', 'team=other')).toEqual([]);
    expect((await cli.run('catalog', '--owner', 'nobody')).stdout).toBe(
      `No route of live release 1 of ${cli.table} matches the name, --owner and --label given.\n`,
    );
  });

  it('offers the nearest live name when a name matches nothing', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10), 'email.yml': EMAIL });
    await cli.run('apply', '--yes');
    expect((await cli.run('catalog', '/event/newUsr')).stdout).toBe(
      `No route of live release 1 of ${cli.table} matches the name, --owner and --label given. Did you mean /event/newUser?\n`,
    );
    expect((await cli.run('catalog', `${P}:/email/sned`)).stdout).toMatch(
      /Did you mean .*:\/email\/send\?\n$/,
    );
    expect((await cli.run('catalog', '/zzz')).stdout).not.toContain('Did you mean');
  });

  it('shows who registered a target and the route contract, as the register and contracts code store them', async () => {
    // Route files cannot say registeredBy or schema (the schema is strict); the registration and
    // contract code publish them into the release. The same release store does so here.
    const store = new DynamoReleaseStore({ client: cli.local.client, tableName: cli.table });
    const route = {
      psarn: `${P}:/event/newUser`,
      ttl: 60,
      targets: [
        { arn: `${L}:newUser:live`, kind: 'lambda', weight: 3 },
        { arn: `${L}:signupV2`, kind: 'lambda', weight: 1, registeredBy: 'signup-v2/dev' },
      ],
      fanout: [{ arn: `${Q}:audit`, kind: 'sqs', registeredBy: 'audit/dev' }],
      onFailure: 'dlq',
      schema: { title: 'NewUser', type: 'object', required: ['userId', 'email'] },
      onInvalid: 'park',
    } as unknown as Route;
    await store.publishRelease([route], { by: 'signup-v2@deploy', summary: 'registered by signup-v2/dev' });

    const [row] = (await catalogJson()).routes;
    expect(row).toMatchObject({
      registeredBy: ['audit/dev', 'signup-v2/dev'],
      split: [
        { registeredBy: null, percent: 75 },
        { registeredBy: 'signup-v2/dev', percent: 25 },
      ],
      fanout: [{ registeredBy: 'audit/dev' }],
      contract: { schema: true, summary: 'NewUser: object, requires userId, email; invalid: park' },
      lastChanged: { release: 1, by: 'signup-v2@deploy', summary: 'registered by signup-v2/dev' },
    });
    const text = (await cli.run('catalog')).stdout;
    expect(text).toContain('  contract  schema: NewUser: object, requires userId, email; invalid: park\n');
    expect(text).toMatch(new RegExp(`split +${L}:signupV2 +1 +25% +signup-v2/dev\n`));
    expect(text).toMatch(new RegExp(`fanout +${Q}:audit +every +audit/dev\n`));
  });

  it('draws a progress bar on a terminal, on stderr, and clears it before the catalog', async () => {
    await cli.run('apply', '--yes');
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: cli.env,
      cwd: cli.dir.cwd,
      isTty: true,
    };
    expect(await main(['catalog'], io)).toBe(0);
    expect(stderr).toContain(`\r[${'#'.repeat(28)}] reading ${cli.table} 3/3`);
    expect(stderr.endsWith('\r\u001b[K')).toBe(true);
    expect(stdout).toMatch(/^Catalog of stage dev: /);
  });

  it('refuses a --label that is not key=value before reading anything', async () => {
    const run = await cli.run('catalog', '--label', 'team');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: --label "team" is not key=value with a label key (letters, digits, ".", "_", "-", "/"), like --label team=payments\n',
    );
    expect(await cli.run('catalog', '--label', 'team=a', '--label', 'team=b')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --label team is given twice, as "a" and "b"\n',
    });
  });

  it('writes the HTML page atomically next to its name, and says where', async () => {
    await cli.dir.write({ 'new-user.yml': signupYaml(90, 10) });
    await cli.run('apply', '--yes');
    await mkdir(path.join(cli.dir.cwd, 'site'), { recursive: true });
    await writeFile(path.join(cli.dir.cwd, 'site', 'catalog.html'), 'old page');
    const run = await cli.run('catalog', '--html', 'site/catalog.html');
    const file = path.join(cli.dir.cwd, 'site', 'catalog.html');
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: `wrote ${file}: 1 route of ${cli.table} (stage dev), live release 1\n`,
    });
    const page = await readFile(file, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<svg');
    expect(await readdir(path.join(cli.dir.cwd, 'site'))).toEqual(['catalog.html']);
  });

  it('leaves the map out of a page of more routes than a map is drawn for, and says so', async () => {
    const many = Array.from({ length: MAX_MAP_ROUTES + 1 }, (_, i) =>
      [`- psarn: ${P}:/bulk/r${i}`, '  targets:', `    - arn: ${Q}:q${i}`].join('\n'),
    );
    await cli.dir.write({ 'bulk.yml': `${many.join('\n')}\n` });
    expect((await cli.run('apply', '--yes')).code).toBe(0);
    const run = await cli.run('catalog', '--html', 'big.html');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `note: no route map on the page: ${MAX_MAP_ROUTES + 1} routes are more than the ${MAX_MAP_ROUTES} a map is drawn for; narrow the catalog (a path prefix, --owner, --label) to draw one\n`,
    );
    const page = await readFile(path.join(cli.dir.cwd, 'big.html'), 'utf8');
    expect(page).not.toContain('<svg');
    expect(page.match(/<tr>/g)).toHaveLength(MAX_MAP_ROUTES + 2);
    // Narrowed, the same table gets its map.
    const narrowed = await cli.run('catalog', '/bulk/r7', '--html', 'small.html');
    expect(narrowed.stderr).toBe('');
    expect(await readFile(path.join(cli.dir.cwd, 'small.html'), 'utf8')).toContain('>/bulk/r7</text>');
  });

  it('says which path cannot be written, before reading the table', async () => {
    const run = await cli.run('catalog', '--html', 'no-such-dir/catalog.html');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error [FILE_NOT_WRITABLE]: cannot write ${path.join(cli.dir.cwd, 'no-such-dir', 'catalog.html')}: its directory ${path.join(cli.dir.cwd, 'no-such-dir')} does not exist; pass another --html path\n`,
    );
  });
});
