/**
 * `psarn send`: its exit code and summary from what the router reported, and a message (never a
 * stack trace) for each way an operator's setup can be wrong. The router's answers come from a
 * stand-in Lambda endpoint (an HTTP server speaking Invoke), so every outcome is exact; the
 * missing router and the stopped stack use the real serverless-offline and a closed port.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../src/cli/main';
import { routerOf } from '../../src/cli/send';
import { captureIo } from '../support/cli';

const P = 'arn:aws:psarns:us-east-1:000000000000:/event/x';

interface Invoked {
  readonly fn: string;
  readonly type: string | undefined;
}

/** A Lambda endpoint that answers every invoke with `answer(body)`, and records what was invoked. */
async function fakeLambda(
  answer: (fn: string) => { status: number; body: unknown; headers?: Record<string, string> },
): Promise<{ url: string; invoked: Invoked[]; close: () => Promise<void> }> {
  const invoked: Invoked[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const fn = decodeURIComponent(/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
      const type = req.headers['x-amz-invocation-type'] as string | undefined;
      invoked.push({ fn, type });
      const a = type === 'Event' ? { status: 202, body: '' } : answer(fn);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invoked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
  PSARN_LAMBDA_MAX_ATTEMPTS: '1',
};

async function run(env: Record<string, string | undefined>, ...args: string[]) {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** The CLI as an operator runs it (bin/psarn.js), with only the environment given: the SDK reads its own. */
async function runBin(env: Record<string, string | undefined>, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, '..', '..', 'bin', 'psarn.js'), ...args],
      { env: env as NodeJS.ProcessEnv },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: failed.stdout ?? '', err: failed.stderr ?? '' };
  }
}

const report = (...statuses: string[]) => ({
  psarn: P,
  deliveries: statuses.map((status, i) => ({
    role: 'split',
    target: `arn:aws:sqs:us-east-1:000000000000:q${i}`,
    status,
  })),
});

describe('psarn send: exit code and summary', () => {
  it('exits non-zero with the count when a copy was dead-lettered', async () => {
    const lambda = await fakeLambda(() => ({ status: 200, body: report('delivered', 'dead-lettered') }));
    try {
      const r = await run({ ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: lambda.url }, 'send', P);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/1 of 2 copies were not delivered/);
      const many = await run({ ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: lambda.url }, 'send', P, '--count', '3');
      expect(many.code).toBe(1);
      expect(many.err).toMatch(/3 of 6 copies were not delivered/);
    } finally {
      await lambda.close();
    }
  });

  it('exits 0 when every copy was delivered', async () => {
    const lambda = await fakeLambda(() => ({ status: 200, body: report('delivered', 'delivered') }));
    try {
      const r = await run({ ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: lambda.url }, 'send', P, '--count', '2');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(/^\s+2 {2}delivered {2}arn:aws:sqs:us-east-1:000000000000:q0$/m);
    } finally {
      await lambda.close();
    }
  });

  it('summarises --async --count 3 as 3 queued events, not as Lambda responses', async () => {
    const lambda = await fakeLambda(() => ({ status: 200, body: {} }));
    try {
      const r = await run(
        { ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: lambda.url },
        'send',
        P,
        '--async',
        '--count',
        '3',
      );
      expect(r.code).toBe(0);
      expect(lambda.invoked.map((i) => i.type)).toEqual(['Event', 'Event', 'Event']);
      expect(r.out).toMatch(/^queued 3 of 3 events for psarn-dev-router/);
      expect(r.out).not.toMatch(/single Lambda target/);
    } finally {
      await lambda.close();
    }
  });
});

describe('psarn send: --stage selects the router function', () => {
  it('beats PSARN_ROUTER_FUNCTION (set by the local stack env.sh)', () => {
    const env = { PSARN_ROUTER_FUNCTION: 'psarn-local-router', PSARN_STAGE: 'local' };
    expect(routerOf({ stage: 'prod' }, env).routerFunction).toBe('psarn-prod-router');
    expect(routerOf({}, env).routerFunction).toBe('psarn-local-router');
    expect(routerOf({ stage: 'prod', function: 'mine' }, env).routerFunction).toBe('mine');
    expect(routerOf({}, {}).routerFunction).toBe('psarn-dev-router');
  });
});

describe('psarn send: user errors are messages, not stack traces', () => {
  const noTrace = (text: string) => expect(text).not.toMatch(/^\s+at /m);

  it('names the missing region', async () => {
    const r = await runBin(
      { PATH: process.env.PATH, HOME: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
      'send',
      P,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[AWS_CONFIG_MISSING\]: no AWS region: pass --region or set AWS_REGION/);
    noTrace(r.err);
  });

  it('names the missing credentials', async () => {
    const r = await runBin(
      {
        PATH: process.env.PATH,
        HOME: '/nonexistent',
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      },
      'send',
      P,
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[AWS_CONFIG_MISSING\]: no AWS credentials/);
    noTrace(r.err);
  });

  it('names a --file that does not exist', async () => {
    const r = await run(baseEnv, 'send', P, '--file', 'no-such-payload.json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[FILE_NOT_FOUND\]: --file .*no-such-payload\.json: no such file/);
    noTrace(r.err);
  });

  it('hints at npm start when nothing listens on a local endpoint', async () => {
    const closed = await fakeLambda(() => ({ status: 200, body: {} }));
    await closed.close();
    const r = await runBin({ ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: closed.url }, 'send', P);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error \[ENDPOINT_UNREACHABLE\]: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*npm start/,
    );
    noTrace(r.err);
    // In-process too (jest's realm makes the SDK wrap the error: only its message is left).
    const inProcess = await run({ ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: closed.url }, 'send', P);
    expect(inProcess.err).toMatch(/^error \[ENDPOINT_UNREACHABLE\]/);
  });

  it('shows no trace for an unexpected fault either, unless --debug', async () => {
    const lambda = await fakeLambda(() => ({ status: 200, body: 'not json' }));
    try {
      const env = { ...baseEnv, AWS_ENDPOINT_URL_LAMBDA: lambda.url };
      const r = await run(env, 'send', P);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: SyntaxError: /);
      expect(r.err).toMatch(/run again with --debug for its stack trace/);
      noTrace(r.err);
      expect((await run(env, 'send', P, '--debug')).err).toMatch(/^\s+at /m);
    } finally {
      await lambda.close();
    }
  });

  it('names the router and the stage when the router does not exist (serverless-offline)', async () => {
    const r = await run(process.env, 'send', P, '--stage', 'qa');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error \[ROUTER_NOT_FOUND\]: router function psarn-qa-router \(stage qa\) does not exist/,
    );
    noTrace(r.err);
  });

  it('shows the stack trace with --debug', async () => {
    const r = await run(baseEnv, 'send', P, '--file', 'no-such-payload.json', '--debug');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[FILE_NOT_FOUND\]/);
    expect(r.err).toMatch(/^\s+at /m);
  });
});

describe('psarn --version', () => {
  it("prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = await run(baseEnv, '--version');
    expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });
});
