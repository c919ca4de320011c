/**
 * `psarn check-targets` (run by the deploy plugin after a deploy): every target the routes name
 * is asked for on the local stack; a missing one is a warning naming it and the routes, exit 1.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/cli';

const P = 'arn:aws:psarns:us-east-1:000000000000';
const A = 'us-east-1:000000000000';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'psarn-check-'));
  await mkdir(join(dir, 'routes'));
  await writeFile(
    join(dir, 'routes', 'a.yml'),
    [
      `psarn: ${P}:/event/a`,
      'targets:',
      `  - arn: arn:aws:sqs:${A}:psarn-local-orders`,
      'fanout:',
      `  - arn: arn:aws:sqs:${A}:psarn-nowhere-queue`,
      `  - arn: arn:aws:sns:${A}:psarn-local-audit`,
      `  - arn: arn:aws:sns:${A}:psarn-nowhere-topic`,
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('warns about each target that does not exist, names its routes, and exits 1', async () => {
  const io = { ...captureIo(), cwd: dir };
  const code = await main(['check-targets', '--stage', 'local', '--json'], io);
  const { checks } = JSON.parse(io.out()) as { checks: { arn: string; status: string; routes: string[] }[] };
  expect(Object.fromEntries(checks.map((c) => [c.arn, c.status]))).toEqual({
    [`arn:aws:sqs:${A}:psarn-local-orders`]: 'exists',
    [`arn:aws:sqs:${A}:psarn-nowhere-queue`]: 'missing',
    [`arn:aws:sns:${A}:psarn-local-audit`]: 'exists',
    [`arn:aws:sns:${A}:psarn-nowhere-topic`]: 'missing',
  });
  expect(code).toBe(1);

  const text = { ...captureIo(), cwd: dir };
  expect(await main(['check-targets', '--stage', 'local'], text)).toBe(1);
  expect(text.out()).toContain(
    `warning: target arn:aws:sqs:${A}:psarn-nowhere-queue does not exist (named by ${P}:/event/a): events to it will be dead-lettered`,
  );
  expect(text.out().trimEnd().split('\n').at(-1)).toBe('2 of 4 targets exist, 2 missing');
});
