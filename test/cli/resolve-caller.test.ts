import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

const P = 'arn:aws:psarns:eu-west-1:123456789012';
const Q = 'arn:aws:sqs:eu-west-1:123456789012';

const ROUTE = `
psarn: ${P}:/event/newUser
targets:
  - arn: ${Q}:green
callers:
  - match: { principal: "arn:aws:iam::123456789012:role/canary-*" }
    targets:
      - arn: ${Q}:canary
  - match: { labels: { deployment: blue } }
    targets:
      - arn: ${Q}:blue
---
psarn: ${P}:/event/signedUp
targets:
  - arn: ${P}:/event/newUser
`;

async function resolve(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'psarn-resolve-caller-'));
  await writeFile(path.join(dir, 'users.yml'), ROUTE);
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: {},
    cwd: dir,
    isTty: false,
  };
  const code = await main(['resolve', ...args, '--dir', dir], io);
  return { code, out, err };
}

describe('psarn resolve for a caller', () => {
  it('shows the override a label matched and plans its targets', async () => {
    const { code, out, err } = await resolve('/event/newUser', '--caller-label', 'deployment=blue');
    expect(code).toBe(0);
    expect(err).toContain('caller callers[1] matched: {"labels":{"deployment":"blue"}}');
    expect(out).toContain(`${Q}:blue`);
    expect(out).not.toContain(`${Q}:green`);
  });

  it('plans a principal as HTTP ingress with IAM auth would, in JSON with the choice', async () => {
    const { code, out } = await resolve(
      '/event/newUser',
      '--principal',
      'arn:aws:sts::123456789012:assumed-role/canary-api/s',
      '--json',
    );
    expect(code).toBe(0);
    const json = JSON.parse(out) as { deliveries: { target: string }[]; caller: { override: number } };
    expect(json.deliveries.map((d) => d.target)).toEqual([`${Q}:canary`]);
    expect(json.caller.override).toBe(0);
  });

  it('says when no override matched, and follows aliases for the same caller', async () => {
    const none = await resolve('/event/newUser', '--caller-label', 'deployment=green');
    expect(none.err).toContain('no override matched (2 checked)');
    expect(none.out).toContain(`${Q}:green`);
    const aliased = await resolve('/event/signedUp', '--caller-label', 'deployment=blue');
    expect(aliased.out).toContain(`${Q}:blue`);
  });

  it('refuses a label that is not key=value', async () => {
    const { code, err } = await resolve('/event/newUser', '--caller-label', 'blue');
    expect(code).toBe(2);
    expect(err).toContain('must be key=value');
  });
});
