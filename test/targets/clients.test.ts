import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../src/targets/clients';

describe('createAwsClients', () => {
  it('takes the region from the given environment', async () => {
    const clients = createAwsClients({ AWS_REGION: 'eu-central-1' });
    expect(await clients.sqs.config.region()).toBe('eu-central-1');
    expect(await clients.eventbridge.config.region()).toBe('eu-central-1');
  });

  it('reads service endpoint variables, then AWS_ENDPOINT_URL, from an injected environment', async () => {
    const clients = createAwsClients({
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9000',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566',
    });
    const endpoint = async (config: { endpoint?: () => Promise<{ hostname: string; port?: number }> }) => {
      const e = await config.endpoint?.();
      return `${e?.hostname}:${e?.port}`;
    };
    expect(await endpoint(clients.sqs.config)).toBe('127.0.0.1:4566');
    expect(await endpoint(clients.lambda.config)).toBe('127.0.0.1:9000');
  });

  it('builds SQS with useQueueUrlAsEndpoint off, so fauxqs queue URLs do not replace the endpoint', () => {
    expect(createAwsClients({ AWS_REGION: 'eu-west-1' }).sqs.config.useQueueUrlAsEndpoint).toBe(false);
  });

  it('uses an injected client instead of building one', () => {
    const sqs = new SQSClient({ region: 'eu-west-1' });
    expect(createAwsClients({ AWS_REGION: 'eu-west-1' }, { sqs }).sqs).toBe(sqs);
  });
});

describe('createAwsClients with a CLI environment', () => {
  it('takes the profile a command was given (--profile → AWS_PROFILE) for every client', () => {
    const clients = createAwsClients({ AWS_REGION: 'eu-west-1', AWS_PROFILE: 'ops' });
    for (const client of Object.values(clients)) {
      expect((client.config as { profile?: string }).profile).toBe('ops');
      client.destroy();
    }
  });
});
