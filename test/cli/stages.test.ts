/**
 * Stages cannot be mixed: the route table knows its stage, every command refuses a table of
 * another stage naming both, and stage names the project does not declare (serverless.yml
 * custom.psarn.stages) are refused with "did you mean".
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { main } from '../../src/cli/main';
import { recordTableStage, STAGE_KEY } from '../../src/cli/stages';
import { captureIo } from '../support/cli';
import { createRouteTable } from '../../src/store/create-route-table';
import { dynamoClient, stackVar } from '../support/stack';

async function run(env: Record<string, string | undefined>, ...args: string[]) {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('the route table knows its stage', () => {
  const dynamo = dynamoClient();
  const table = `stage-${randomUUID().slice(0, 8)}-routes`;

  beforeAll(async () => {
    await createRouteTable(dynamo, table);
    await recordTableStage(dynamo, table, 'local', 'stages.test');
  });

  it('the local stack recorded "local" in its own table when it created it', async () => {
    const out = await dynamo.send(
      new GetItemCommand({ TableName: stackVar('PSARN_TABLE'), Key: STAGE_KEY, ConsistentRead: true }),
    );
    expect(out.Item?.['stage']?.S).toBe('local');
  });

  it('apply --stage qa with PSARN_TABLE of the local table is refused, naming both, and writes nothing', async () => {
    const env = { ...process.env, PSARN_TABLE: table, PSARN_STAGE: 'local' };
    const r = await run(env, 'apply', '--stage', 'qa', '--yes');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^error \\[STAGE_MISMATCH\\]: route table ${table} \\(PSARN_TABLE\\) belongs to stage local .*for stage qa \\(--stage\\)`,
      ),
    );
    expect(r.err).toContain('unset it or pass --table');
    const history = await run(env, 'history', '--json');
    expect(history.code).toBe(0);
    expect(history.out).not.toContain('"release": 1');
  });

  it('every store command refuses it (history, plan, park, flush, rollback, drain)', async () => {
    const env = { ...process.env, PSARN_TABLE: table };
    const P = 'arn:aws:psarns:us-east-1:000000000000:/event/newUser';
    for (const args of [
      ['history'],
      ['plan'],
      ['park', P],
      ['flush'],
      ['rollback', '--to', '1', '--yes'],
      ['drain', P],
    ]) {
      const r = await run(env, ...args, '--stage', 'prod');
      expect([args[0], r.code, r.err.split('\n')[0]]).toEqual([
        args[0],
        1,
        expect.stringMatching(
          /^error \[STAGE_MISMATCH\]: route table .* belongs to stage local .*for stage prod/,
        ),
      ]);
    }
  });

  it('a table named psarn-<stage>-routes is refused for another stage by its name', async () => {
    const r = await run({ ...process.env, PSARN_TABLE: 'psarn-local-routes' }, 'history', '--stage', 'qa');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error \[STAGE_MISMATCH\]: route table psarn-local-routes \(PSARN_TABLE\) belongs to stage local/,
    );
  });

  it('the matching stage works', async () => {
    const r = await run({ ...process.env, PSARN_TABLE: table }, 'history', '--stage', 'local');
    expect(r.code).toBe(0);
  });
});

describe('unknown stage names', () => {
  it('validate --stage prdo: UNKNOWN_STAGE with "did you mean prod"', async () => {
    const r = await run(process.env, 'validate', '--stage', 'prdo');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error [UNKNOWN_STAGE]: unknown stage "prdo" (--stage): did you mean "prod"? ' +
        '(serverless.yml custom.psarn.stages declares local, dev, qa, prod)\n',
    );
  });

  it('history, send and resolve refuse it too', async () => {
    for (const args of [['history'], ['send', '/event/x'], ['resolve', '/event/x']]) {
      const r = await run(process.env, ...args, '--stage', 'prdo');
      expect([args[0], r.code, r.err.split('\n')[0]]).toEqual([
        args[0],
        1,
        expect.stringMatching(/^error \[UNKNOWN_STAGE\]: .*did you mean "prod"/),
      ]);
    }
  });

  it('a `stages: prdo:` override block is an error with "did you mean prod"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'psarn-stages-'));
    await mkdir(join(dir, 'routes'));
    await copyFile(join(__dirname, '..', '..', 'serverless.yml'), join(dir, 'serverless.yml'));
    const P = 'arn:aws:psarns:us-east-1:000000000000';
    await writeFile(
      join(dir, 'routes', 'a.yml'),
      `psarn: ${P}:/event/a\ntargets:\n  - arn: arn:aws:sqs:us-east-1:000000000000:q\nstages:\n  prdo:\n    ttl: 5\n`,
    );
    const io = { ...captureIo({}), cwd: dir };
    expect(await main(['validate', '--stage', 'prod'], io)).toBe(1);
    expect(io.out()).toBe(
      'routes/a.yml:5:3  unknown stage `prdo`: did you mean `prod`? serverless.yml custom.psarn.stages ' +
        'declares local, dev, qa, prod; this block would never apply (stages.prdo)\n✗ 1 error in 1 file\n',
    );
    await rm(dir, { recursive: true, force: true });
  });
});
