/**
 * `psarn lookup` against the local stack's dynalite: a table of this file's own, written as a
 * release, then asked by path and by psARN, for humans and with --json.
 */
import { randomUUID } from 'node:crypto';
import { main } from '../../src/cli/main';
import { createRouteTable } from '../../src/store/create-route-table';
import { DynamoReleaseStore } from '../../src/store/dynamo-release-store';
import { captureIo } from '../support/cli';
import { dynamoClient } from '../support/stack';
import { lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const run = randomUUID().slice(0, 8);
const table = `lookup-${run}-routes`;
const signup = route(`/lookup/${run}/newUser`, {
  description: 'sign-ups, canary at 10%',
  targets: [split(lambdaArn('signupV1'), 90), split(lambdaArn('signupV2'), 10)],
  stickyBy: 'payload.userId',
  fanout: [target(snsArn('audit'))],
  park: { queue: sqsArn('newUser-holding'), enabled: true },
  onFailure: 'park',
});
const legacy = route(`/lookup/${run}/userSignedUp`, { targets: [split(signup.psarn, 1)] });

async function psarn(...args: string[]) {
  const io = captureIo();
  const code = await main(['lookup', '--table', table, '--stage', 'local', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  await createRouteTable(dynamoClient(), table);
  await new DynamoReleaseStore({ client: dynamoClient(), tableName: table }).publishRelease(
    [signup, legacy],
    {
      by: 'test',
    },
  );
});

describe('psarn lookup', () => {
  it('shows where a path leads: weights and shares, fanout, park state, release', async () => {
    const { code, out } = await psarn(`/lookup/${run}/newUser`);
    expect(code).toBe(0);
    expect(out).toBe(
      `${signup.psarn}  (release 1, ttl 60 s, on failure: park)\n` +
        'sign-ups, canary at 10%\n' +
        'sticky by payload.userId\n' +
        `PARKED: every event goes to ${sqsArn('newUser-holding')}\n` +
        [
          ['ROLE  ', 'TARGET', 'KIND  ', 'WEIGHT', 'SHARE'],
          ['split ', lambdaArn('signupV1'), 'lambda', '90    ', '90.0%'],
          ['split ', lambdaArn('signupV2'), 'lambda', '10    ', '10.0%'],
          ['fanout', snsArn('audit'), 'sns   ', '', ''],
          ['park  ', sqsArn('newUser-holding'), 'sqs   ', '      ', 'all (parked)'],
        ]
          .map(
            (cells) =>
              `${cells.map((c, n) => (n === 1 ? c.padEnd(lambdaArn('signupV1').length) : c)).join('  ')}`.trimEnd() +
              '\n',
          )
          .join(''),
    );
  });

  it('follows an alias, and prints JSON with --json', async () => {
    const { code, out } = await psarn(legacy.psarn, '--json');
    expect(code).toBe(0);
    const answer = JSON.parse(out) as {
      split: { target: string; leadsTo?: { psarn: string; parked: boolean } }[];
    };
    expect(answer.split).toEqual([
      expect.objectContaining({
        target: signup.psarn,
        kind: 'psarn',
        share: 1,
        leadsTo: expect.objectContaining({ psarn: signup.psarn, parked: true }),
      }),
    ]);
  });

  it('answers an unknown name with ROUTE_NOT_FOUND and exit 1', async () => {
    const { code, err } = await psarn(psarnOf(`/lookup/${run}/nobody`));
    expect(code).toBe(1);
    expect(err).toBe(
      `error [ROUTE_NOT_FOUND]: no route for ${psarnOf(`/lookup/${run}/nobody`)} in the live release\n`,
    );
  });

  it('refuses an undeclared stage before reading anything', async () => {
    const io = captureIo();
    const code = await main(['lookup', `/lookup/${run}/newUser`, '--stage', 'prdo'], io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(
      /^error \[UNKNOWN_STAGE\]: unknown stage "prdo" \(--stage\): did you mean "prod"\?/,
    );
  });
});
