import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';

const P = 'arn:aws:psarns:eu-west-1:123456789012';
const Q = 'arn:aws:sqs:eu-west-1:123456789012';

async function validate(files: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'psarn-validate-contracts-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: {},
    cwd: dir,
    isTty: false,
  };
  const code = await main(['validate', '--dir', dir], io);
  return { code, out, err };
}

describe('psarn validate with payload contracts', () => {
  it('reports a schema that does not compile as a route-file error at its line', async () => {
    const { code, out, err } = await validate({
      'users.yml': `psarn: ${P}:/event/newUser\ntargets:\n  - arn: ${Q}:q\nschema:\n  type: object\n  properties:\n    age: { type: integer, minimun: 0 }\n`,
    });
    expect(code).toBe(1);
    expect(out + err).toMatch(
      /users\.yml:5:\d+ +the schema does not compile: strict mode: unknown keyword: "minimun" \(schema\)/,
    );
  });

  it('passes a route whose schema file sits next to it', async () => {
    const { code } = await validate({
      'users.yml': `psarn: ${P}:/event/newUser\ntargets:\n  - arn: ${Q}:q\nschema: ./user.schema.json\n`,
      'user.schema.json': '{"type":"object","required":["userId"]}',
    });
    expect(code).toBe(0);
  });
});
