import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

// Placeholders, so the command has to substitute --region/--account (or the environment).
const ROUTES = `
psarn: arn:aws:psarns:\${region}:\${account}:/event/newUser
targets:
  - { arn: "arn:aws:lambda:\${region}:\${account}:function:newUser:live", weight: 90 }
  - { arn: "arn:aws:lambda:\${region}:\${account}:function:newUser:canary", weight: 10 }
fanout:
  - arn: arn:aws:sns:\${region}:\${account}:audit
park:
  queue: arn:aws:sqs:\${region}:\${account}:newUser-holding
  enabled: true
---
psarn: arn:aws:psarns:\${region}:\${account}:/event/userSignedUp
targets:
  - arn: arn:aws:psarns:\${region}:\${account}:/event/newUser
`;

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'psarn-graph-'));
  await mkdir(path.join(cwd, 'routes'));
  await writeFile(path.join(cwd, 'routes', 'users.yml'), ROUTES);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function psarn(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd,
    isTty: false,
  };
  return { code: await main(args, io), stdout, stderr };
}

describe('psarn graph', () => {
  it('prints a Mermaid flowchart of the routes by default', async () => {
    const run = await psarn({}, 'graph', '--region', 'eu-west-1', '--account', '123456789012');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'flowchart LR',
        '  ps_event_newUser(["/event/newUser (PARKED)"])',
        '  ps_event_userSignedUp(["/event/userSignedUp"])',
        '  lambda_newUser_live["lambda: newUser:live"]',
        '  lambda_newUser_canary["lambda: newUser:canary"]',
        '  sns_audit["sns: audit"]',
        '  sqs_newUser_holding[("sqs: newUser-holding")]',
        '  ps_event_newUser -->|"90%"| lambda_newUser_live',
        '  ps_event_newUser -->|"10%"| lambda_newUser_canary',
        '  ps_event_newUser -.->|"fanout"| sns_audit',
        '  ps_event_newUser ==>|"PARKED"| sqs_newUser_holding',
        '  ps_event_userSignedUp -->|"alias 100%"| ps_event_newUser',
        '  classDef psarn fill:#e8f0fe,stroke:#1a73e8',
        '  class ps_event_newUser,ps_event_userSignedUp psarn',
        '  classDef parked fill:#fce8e6,stroke:#c5221f,stroke-width:3px',
        '  class ps_event_newUser,sqs_newUser_holding parked',
        '',
      ].join('\n'),
    );
  });

  it('prints Graphviz DOT with --format dot, taking region and account from the environment', async () => {
    const run = await psarn(
      { AWS_REGION: 'eu-west-1', PSARN_ACCOUNT: '123456789012' },
      'graph',
      '--format',
      'dot',
    );
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('digraph psarn {\n  rankdir=LR;\n')).toBe(true);
    expect(run.stdout).toContain(
      '  "ps_event_newUser" -> "sqs_newUser_holding" [label="PARKED", style=bold, color="#c5221f"];\n',
    );
    expect(run.stdout).toContain('  "ps_event_userSignedUp" -> "ps_event_newUser" [label="alias 100%"];\n');
    expect(run.stdout.endsWith('}\n')).toBe(true);
  });

  it('rejects an unknown format as usage (exit 2)', async () => {
    const run = await psarn({}, 'graph', '--format', 'svg');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'svg' is invalid. Allowed choices are mermaid, dot.");
  });

  it("fills unset ${region} and ${account} with the local stack's values, and says so on stderr", async () => {
    const run = await psarn({}, 'graph');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      "note: ${region} = us-east-1, ${account} = 000000000000 (the local stack's; set --region or AWS_REGION / --account or PSARN_ACCOUNT for yours)\n",
    );
    expect(run.stdout).toContain('ps_event_newUser -->|"90%"| lambda_newUser_live');
  });
});
