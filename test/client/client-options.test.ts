/** createPsarnClient's options: defaults from the stage, and typed errors for what cannot work. */
import { callerHeader } from '../../src/client/caller';
import { clientSettings, type PsarnClientOptions } from '../../src/client/client-options';
import { createPsarnClient } from '../../src/client';

const settings = (options: PsarnClientOptions, env: Record<string, string> = {}) =>
  clientSettings(options, env);

describe('client options', () => {
  it('derives router and table from the stage, which beats PSARN_TABLE and PSARN_ROUTER_FUNCTION', () => {
    const env = { PSARN_STAGE: 'local', PSARN_TABLE: 'psarn-local-routes', PSARN_ROUTER_FUNCTION: 'mine' };
    expect(settings({ mode: 'router', stage: 'prod' }, env)).toMatchObject({
      stage: 'prod',
      table: 'psarn-prod-routes',
      routerFunction: 'psarn-prod-router',
    });
    expect(settings({ mode: 'router' }, env)).toMatchObject({
      stage: 'local',
      table: 'psarn-local-routes',
      routerFunction: 'mine',
    });
    expect(settings({ mode: 'direct' })).toMatchObject({ stage: 'dev', table: 'psarn-dev-routes' });
    expect(
      settings({ mode: 'direct', stage: 'qa', table: 't', routerFunction: 'r', region: 'eu-west-1' }),
    ).toMatchObject({
      table: 't',
      routerFunction: 'r',
      region: 'eu-west-1',
      env: { AWS_REGION: 'eu-west-1' },
    });
  });

  it.each([
    [{ mode: 'router', stgae: 'prod' }, 'unknown option "stgae": did you mean "stage"?'],
    [{ mode: 'routr' }, 'mode must be "router" or "direct", got "routr"'],
    [{}, 'mode must be "router" or "direct", got undefined'],
    [{ mode: 'router', stage: 'prod us' }, 'stage must be 1-32 letters, digits or dashes'],
    [{ mode: 'router', stage: '' }, 'stage must be a non-empty string, got ""'],
    [{ mode: 'router', region: 'Europe' }, 'region "Europe" is no AWS region'],
    [{ mode: 'direct', deadLetterQueue: 'my-dlq' }, 'deadLetterQueue must be an SQS queue ARN'],
    [{ mode: 'router', caller: { function: 'x' } }, 'caller has unknown key "function"'],
    [{ mode: 'router', caller: { labels: { team: 7 } } }, 'caller.labels.team must be a string'],
    [{ mode: 'router', caller: { labels: { 'a b': 'x' } } }, 'caller.labels key "a b" must be'],
    [{ mode: 'router', clients: 'lambda' }, 'clients must be an object of SDK clients'],
  ])('refuses %j with INVALID_CLIENT_OPTIONS', (options, message) => {
    let thrown: unknown;
    try {
      createPsarnClient(options as unknown as PsarnClientOptions);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'PsarnError', code: 'INVALID_CLIENT_OPTIONS' });
    expect((thrown as Error).message).toContain(`createPsarnClient: ${message}`);
  });

  it('builds the psarn-caller header from the Lambda function name and the labels', () => {
    const fn = { AWS_LAMBDA_FUNCTION_NAME: 'signup-api' };
    expect(callerHeader({ labels: { team: 'growth' } }, fn)).toBe(
      '{"function":"signup-api","labels":{"team":"growth"}}',
    );
    expect(callerHeader(undefined, fn)).toBe('{"function":"signup-api"}');
    expect(callerHeader({ labels: { team: 'growth' } }, {})).toBe('{"labels":{"team":"growth"}}');
    expect(callerHeader({}, {})).toBeUndefined();
  });
});
