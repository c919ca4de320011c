import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

const P = 'arn:aws:psarns:eu-west-1:123456789012';
const L = 'arn:aws:lambda:eu-west-1:123456789012:function';
const Q = 'arn:aws:sqs:eu-west-1:123456789012';
const T = 'arn:aws:sns:eu-west-1:123456789012';

/** Literal ARNs: the files need neither --region nor --account. */
const ROUTES: Record<string, string> = {
  'orders.yml': `
psarn: ${P}:/event/orderPlaced
targets:
  - { arn: "${L}:fulfilmentA", weight: 30 }
  - { arn: "${L}:fulfilmentB", weight: 50 }
  - { arn: "${L}:fulfilmentC", weight: 20 }
fanout:
  - arn: ${Q}:orders-copy
  - arn: ${T}:audit
`,
  'users.yml': `
psarn: ${P}:/event/newUser
targets:
  - { arn: "${L}:signup:live", weight: 50 }
  - { arn: "${L}:signup:canary", weight: 50 }
stickyBy: payload.userId
fanout:
  - arn: ${T}:audit
---
psarn: ${P}:/event/userSignedUp
targets:
  - arn: ${P}:/event/newUser
---
psarn: ${P}:/event/held
targets:
  - arn: ${L}:held
park:
  queue: ${Q}:held-holding
  enabled: true
`,
  'other-account.yml': `
psarn: arn:aws:psarns:us-east-1:000000000000:/event/newUser
targets:
  - arn: arn:aws:lambda:us-east-1:000000000000:function:elsewhere
`,
};

let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'psarn-resolve-'));
  await mkdir(path.join(cwd, 'routes'));
  for (const [name, text] of Object.entries(ROUTES)) await writeFile(path.join(cwd, 'routes', name), text);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function psarn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    cwd,
    isTty: false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('psarn resolve --samples', () => {
  it('prints the documented JSON, with a 30/50/20 split within 1 percentage point', async () => {
    const run = await psarn('resolve', `${P}:/event/orderPlaced`, '--samples', '100000', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      psarn: string;
      samples: number;
      targets: { arn: string; weight: number; count: number; share: number }[];
      fanout: string[];
    };
    expect(Object.keys(json)).toEqual(['psarn', 'samples', 'targets', 'fanout']);
    expect(json.psarn).toBe(`${P}:/event/orderPlaced`);
    expect(json.samples).toBe(100000);
    expect(json.fanout).toEqual([`${Q}:orders-copy`, `${T}:audit`]);
    expect(json.targets.map((t) => [t.arn, t.weight])).toEqual([
      [`${L}:fulfilmentA`, 30],
      [`${L}:fulfilmentB`, 50],
      [`${L}:fulfilmentC`, 20],
    ]);
    for (const t of json.targets) {
      expect(Object.keys(t)).toEqual(['arn', 'weight', 'count', 'share']);
      expect(t.share).toBeCloseTo(t.count / 100000, 12);
      expect(Math.abs(t.share - t.weight / 100)).toBeLessThan(0.01);
    }
    expect(json.targets.reduce((sum, t) => sum + t.count, 0)).toBe(100000);
  });

  it('repeats a run exactly with --seed', async () => {
    const args = ['resolve', `${P}:/event/orderPlaced`, '--samples', '5000', '--seed', '7', '--json'];
    const first = await psarn(...args);
    expect(first.code).toBe(0);
    expect((await psarn(...args)).stdout).toBe(first.stdout);
    expect((await psarn(...args.map((a) => (a === '7' ? '8' : a)))).stdout).not.toBe(first.stdout);
  });

  it('prints observed shares next to the configured weights, and the fanout', async () => {
    const run = await psarn('resolve', '/event/orderPlaced', '--samples', '20000', '--seed', '1');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `psARN    ${P}:/event/orderPlaced`,
      'samples  20000 (random by weight)',
      '',
      `${'TARGET'.padEnd(`${L}:fulfilmentA`.length)}  WEIGHT  EXPECTED  OBSERVED  COUNT`,
    ]);
    // COUNT is right-aligned to the widest count (5 digits at most for 20000 samples).
    expect(lines[4]).toMatch(
      new RegExp(`^${L}:fulfilmentA {6}30 {4}30\\.00% {4}\\d\\d\\.\\d\\d% {2}[ \\d]{4}\\d$`),
    );
    expect(
      run.stdout.endsWith(`fanout (every event also goes to):\n  ${Q}:orders-copy\n  ${T}:audit\n`),
    ).toBe(true);
  });

  it('puts every sample with the same --key on one target', async () => {
    const run = await psarn('resolve', `${P}:/event/newUser`, '--key', 'u-1', '--samples', '1000', '--json');
    const counts = (JSON.parse(run.stdout) as { targets: { count: number }[] }).targets.map((t) => t.count);
    expect(counts.sort((a, b) => a - b)).toEqual([0, 1000]);
  });

  it('follows an alias to the real targets and their fanout, sampling sticky keys', async () => {
    const run = await psarn(
      'resolve',
      `${P}:/event/userSignedUp`,
      '--samples',
      '4000',
      '--seed',
      '2',
      '--json',
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as {
      mode: string;
      targets: { arn: string; role: string; via: string[]; weight: number; share: number }[];
      fanout: { arn: string; share: number }[];
    };
    expect(json.mode).toBe('sticky by payload.userId: one sampled key per event');
    expect(json.targets.map((t) => [t.arn, t.role, t.weight, t.via])).toEqual([
      [`${L}:signup:live`, 'split', 50, [`${P}:/event/userSignedUp`, `${P}:/event/newUser`]],
      [`${L}:signup:canary`, 'split', 50, [`${P}:/event/userSignedUp`, `${P}:/event/newUser`]],
    ]);
    for (const t of json.targets) expect(Math.abs(t.share - 0.5)).toBeLessThan(0.05);
    expect(json.fanout.map((f) => [f.arn, f.share])).toEqual([[`${T}:audit`, 1]]);

    const text = await psarn('resolve', `${P}:/event/userSignedUp`, '--samples', '1000', '--seed', '2');
    expect(text.stdout).not.toContain(`${P}:/event/newUser  `);
    expect(text.stdout).not.toContain('fanout: none');
    expect(text.stdout).toContain('aliases followed');
    expect(text.stdout).toContain(
      `  ${T}:audit  100.00% of events (via /event/userSignedUp > /event/newUser)`,
    );
  });

  it('a sticky route behind an alias with --key: every sample on one real target', async () => {
    const run = await psarn(
      'resolve',
      `${P}:/event/userSignedUp`,
      '--key',
      'u-1',
      '--samples',
      '500',
      '--json',
    );
    const json = JSON.parse(run.stdout) as { mode: string; targets: { count: number }[] };
    expect(json.mode).toBe('sticky: payload.userId = "u-1", every sample');
    expect(json.targets.map((t) => t.count).sort((a, b) => a - b)).toEqual([0, 500]);
  });

  it('says a parked route is parked, and still measures its split', async () => {
    const run = await psarn('resolve', `${P}:/event/held`, '--samples', '10', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `note: ${P}:/event/held is parked: every event goes to ${Q}:held-holding until unparked; ` +
        'the shares below are the split as configured\n',
    );
    expect(JSON.parse(run.stdout)).toEqual({
      psarn: `${P}:/event/held`,
      samples: 10,
      targets: [{ arn: `${L}:held`, weight: 1, count: 10, share: 1 }],
      fanout: [],
    });
  });

  it.each([['0'], ['-5'], ['1.5'], ['lots'], ['10000001']])(
    'rejects --samples %s as usage (exit 2)',
    async (n) => {
      const run = await psarn('resolve', `${P}:/event/orderPlaced`, '--samples', n);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: --samples must be/);
    },
  );
});

describe('psarn resolve (one event)', () => {
  it('prints the plan as a table: split, then fanout', async () => {
    const run = await psarn('resolve', `${P}:/event/orderPlaced`, '--seed', '3');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `psARN  ${P}:/event/orderPlaced`,
      'split  random by weight',
      '',
      `ROLE    ${'TARGET'.padEnd(`${L}:fulfilmentA`.length)}  KIND    VIA`,
    ]);
    expect(lines[4]).toMatch(new RegExp(`^split   ${L}:fulfilment[ABC]  lambda  -$`));
    expect(lines.slice(5)).toEqual([
      `fanout  ${`${Q}:orders-copy`.padEnd(`${L}:fulfilmentA`.length)}  sqs     -`,
      `fanout  ${`${T}:audit`.padEnd(`${L}:fulfilmentA`.length)}  sns     -`,
      '',
    ]);
  });

  it('follows an alias and shows the path it took; --key pins the sticky target', async () => {
    const viaAlias = await psarn('resolve', `${P}:/event/userSignedUp`, '--key', 'user-7', '--json');
    const direct = await psarn('resolve', `${P}:/event/newUser`, '--key', 'user-7', '--json');
    expect(viaAlias.code).toBe(0);
    const plan = JSON.parse(viaAlias.stdout) as {
      psarn: string;
      key: string;
      deliveries: { role: string; target: string; kind: string; route: string; via: string[] }[];
    };
    expect(plan.psarn).toBe(`${P}:/event/userSignedUp`);
    expect(plan.key).toBe('user-7');
    const chosen = (JSON.parse(direct.stdout) as typeof plan).deliveries[0]?.target;
    expect(plan.deliveries).toEqual([
      {
        role: 'split',
        target: chosen,
        kind: 'lambda',
        route: `${P}:/event/newUser`,
        via: [`${P}:/event/userSignedUp`, `${P}:/event/newUser`],
      },
      {
        role: 'fanout',
        target: `${T}:audit`,
        kind: 'sns',
        route: `${P}:/event/newUser`,
        via: [`${P}:/event/userSignedUp`, `${P}:/event/newUser`],
      },
    ]);
    const table = await psarn('resolve', `${P}:/event/userSignedUp`, '--key', 'user-7');
    expect(table.stdout).toContain('split  sticky: payload.userId = "user-7"\n');
    expect(table.stdout).toMatch(
      new RegExp(`\n\\s*fanout  ${T}:audit +sns     /event/userSignedUp > /event/newUser\n`),
    );
    // Stickiness: ten runs, one answer.
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => psarn('resolve', `${P}:/event/newUser`, '--key', 'user-7', '--json')),
    );
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
  });

  it('notes that --key does nothing on a route without stickyBy', async () => {
    const run = await psarn('resolve', `${P}:/event/orderPlaced`, '--key', 'k');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `note: ${P}:/event/orderPlaced has no stickyBy (nor do its aliases); --key is ignored\n`,
    );
  });

  it('shows a parked route going to its park queue only', async () => {
    const run = await psarn('resolve', `${P}:/event/held`);
    expect(run.stdout).toBe(
      [
        `psARN  ${P}:/event/held`,
        `state  PARKED: events wait in ${Q}:held-holding`,
        'split  random by weight (not used while parked)',
        '',
        `ROLE  ${'TARGET'.padEnd(`${Q}:held-holding`.length)}  KIND  VIA`,
        `park  ${Q}:held-holding  sqs   -`,
        '',
      ].join('\n'),
    );
  });

  it('fails with ROUTE_NOT_FOUND (exit 1) for an unknown psARN', async () => {
    const run = await psarn('resolve', `${P}:/event/nothing`);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `error [ROUTE_NOT_FOUND]: no route for ${P}:/event/nothing in the route files in routes/\n`,
    });
  });

  describe('malformed psARNs: INVALID_PSARN naming the wrong part, the source and the near miss', () => {
    const meant = `did you mean ${P}:/event/orderPlaced?`;
    it.each([
      [
        'a wrong service',
        'arn:aws:psarn:eu-west-1:123456789012:/event/orderPlaced',
        'service "psarn" must be "psarns"',
      ],
      ['no leading "/"', `${P}:event/orderPlaced`, 'path "event/orderPlaced" must start with "/"'],
      [
        'an 11-digit account',
        'arn:aws:psarns:eu-west-1:12345678901:/event/orderPlaced',
        'account "12345678901" is not 12 digits',
      ],
      ['a bare path', 'event/orderPlaced', 'path "event/orderPlaced" must start with "/"'],
    ])('%s', async (_what, input, problem) => {
      const run = await psarn('resolve', input);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error \[INVALID_PSARN\]: /);
      expect(run.stderr).toContain(problem);
      expect(run.stderr).toContain('the route files in routes');
      expect(run.stderr).toContain(meant);
      expect(run.stderr).not.toContain('live release');
    });

    it('a valid psARN close to a known one: ROUTE_NOT_FOUND in the route files, with "did you mean"', async () => {
      const run = await psarn('resolve', `${P}:/event/orderPlacd`);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `error [ROUTE_NOT_FOUND]: no route for ${P}:/event/orderPlacd in the route files in routes/; ${meant}\n`,
      );
    });
  });

  it('asks for the full psARN when a path matches routes in two accounts', async () => {
    const run = await psarn('resolve', '/event/newUser');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('/event/newUser matches 2 routes');
  });

  it('fails with the route errors (exit 1) when the route files are invalid', async () => {
    const bad = path.join(cwd, 'bad-routes');
    await mkdir(bad, { recursive: true });
    await writeFile(
      path.join(bad, 'a.yml'),
      `psarn: ${P}:/event/a\ntargets:\n  - arn: ${L}:a\n    weigth: 1\n`,
    );
    const run = await psarn('resolve', `${P}:/event/a`, '--dir', 'bad-routes');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error \[ROUTE_INVALID\]: 1 route error\(s\):\nbad-routes\/a\.yml:4:5 {2}/);
  });
});
