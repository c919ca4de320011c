/**
 * The probes against the local stack's emulators, where some APIs do not exist: serverless-offline
 * answers GetFunctionConfiguration with a bare 404 and the EventBridge plugin answers
 * DescribeEventBus with nothing. Those targets are `unknown` (never written), not `removed` or
 * `unhealthy`: a check must not take every function out because an endpoint lacks an API.
 */
import { probeTarget } from '../../src/health/probe';
import { regionalClients } from '../../src/targets/clients';
import { busArn, lambdaArn, snsArn, sqsArn } from '../support/routes';

const clientsFor = regionalClients(process.env);

it('says unknown for a function or bus the emulator cannot describe, and judges queues and topics', async () => {
  const status = async (arn: string) => (await probeTarget(arn, clientsFor)).status;
  expect(await status(lambdaArn('psarn-local-signupV1'))).toBe('unknown');
  expect(await status(busArn('psarn-local-bus'))).toBe('unknown');
  expect(await status(snsArn('psarn-local-audit'))).toBe('healthy');
  expect(await status(snsArn('psarn-local-no-such-topic'))).toBe('removed');
  expect(await status(sqsArn('psarn-local-orders'))).toBe('healthy');
  expect(await status(sqsArn('psarn-local-no-such-queue'))).toBe('removed');
});
