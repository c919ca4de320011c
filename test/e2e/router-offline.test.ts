/**
 * End to end, as a producer and an operator see it: `psarn apply` writes the shipped routes/ for
 * the `local` stage into the stack's route table, and `psarn send` invokes the router Lambda
 * running in serverless-offline (the esbuild bundle serverless.yml deploys), which forwards to
 * the demo targets. This is the only test file that writes the stack's own route table.
 */
import { randomUUID } from 'node:crypto';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import { queueUrl, receiveAll, stackVar, waitForRecords } from '../support/stack';

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    env: process.env,
    cwd: process.cwd(),
    isTty: false,
    out: () => out,
    err: () => err,
  };
}

const psarn = (path: string) =>
  `arn:aws:psarns:${stackVar('AWS_REGION')}:${stackVar('PSARN_ACCOUNT')}:${path}`;

async function send(
  path: string,
  payload: unknown,
  ...extra: string[]
): Promise<{ code: number; answer: unknown }> {
  const cli = io();
  const code = await main(['send', psarn(path), '--data', JSON.stringify(payload), '--json', ...extra], cli);
  return { code, answer: cli.out() === '' ? cli.err() : JSON.parse(cli.out()) };
}

describe('producer → router Lambda (serverless-offline) → targets', () => {
  beforeAll(async () => {
    const cli = io();
    const code = await main(['apply', '--yes', '--stage', 'local'], cli);
    if (code !== 0) throw new Error(`psarn apply failed (${code}): ${cli.err()}`);
  });

  it('routes a sign-up to one canary side and fans it out to the topic and the bus', async () => {
    const id = randomUUID();
    const { code, answer } = await send('/event/newUser', { userId: id }, '--header', 'tenant=acme');
    expect(code).toBe(0);
    const report = answer as { deliveries: { target: string; role: string; status: string }[] };
    expect(report.deliveries.map((d) => [d.role, d.status])).toEqual([
      ['split', 'delivered'],
      ['fanout', 'delivered'],
      ['fanout', 'delivered'],
    ]);
    const side = report.deliveries[0]?.target.endsWith('signupV1') === true ? 'signupV1' : 'signupV2';
    const [record] = await waitForRecords(side, (r) => JSON.stringify(r.event).includes(id));
    expect(record?.event).toEqual({ userId: id });
    const [copy] = await receiveAll(await queueUrl('audit-copy'), {
      expected: 1,
      timeoutMs: 10_000,
      filter: (m) => m.Body?.includes(id) === true,
    });
    expect(copy?.Body).toBe(JSON.stringify({ userId: id }));
    expect(copy?.MessageAttributes?.['psarn-headers']?.StringValue).toBe('{"tenant":"acme"}');
  });

  it('follows the legacy alias to the same route', async () => {
    const id = randomUUID();
    const { answer } = await send('/event/userSignedUp', { userId: id });
    const report = answer as { deliveries: { target: string }[] };
    expect(report.deliveries).toHaveLength(3);
    expect(report.deliveries[0]?.target).toMatch(/function:psarn-local-signupV[12]$/);
  });

  it('queues e-mail and parks invoices while their route is parked', async () => {
    const id = randomUUID();
    await send('/email/send', { to: id });
    const [mail] = await receiveAll(await queueUrl('email'), {
      expected: 1,
      filter: (m) => m.Body?.includes(id) === true,
    });
    expect(mail?.Body).toBe(JSON.stringify({ to: id }));

    const { answer } = await send('/event/invoiceDue', { invoiceId: id });
    expect(answer).toMatchObject({ deliveries: [{ role: 'park', status: 'parked' }] });
    const [held] = await receiveAll(await queueUrl('invoice-holding'), {
      expected: 1,
      filter: (m) => m.Body?.includes(id) === true,
    });
    expect(held?.MessageAttributes?.['psarn-park-reason']?.StringValue).toBe('route-parked');
  });

  it('answers an unknown psARN with a typed error and exit code 1', async () => {
    const { code, answer } = await send('/event/nobodyHome', {});
    expect(code).toBe(1);
    expect(answer).toEqual({
      psarn: psarn('/event/nobodyHome'),
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: `no route for ${psarn('/event/nobodyHome')} in the live release`,
      },
    });
  });

  it('sends many events with --count and summarises them per target', async () => {
    const cli = io();
    const code = await main(
      ['send', psarn('/event/orderPlaced'), '--data', '{"customerId":"c1"}', '--count', '20'],
      cli,
    );
    expect(code).toBe(0);
    expect(cli.out()).toMatch(/sent 20 events in [\d.]+ s \(\d+\/s\), 0 rejected/);
    expect(cli.out()).toMatch(
      /\s20 {2}delivered {2}arn:aws:sqs:us-east-1:000000000000:psarn-local-orders\.fifo/,
    );
  });
});
