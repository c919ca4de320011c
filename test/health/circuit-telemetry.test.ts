/**
 * A circuit change writes one line: a CloudWatch EMF document (the metric, by target) that is
 * also the log line an operator reads.
 */
import { circuitChangeLine } from '../../src/health/circuit-telemetry';
import { sqsArn } from '../support/routes';

const arn = sqsArn('orders');

it('is one JSON line with the EMF metric of the change and the fields of a log line', () => {
  const line = circuitChangeLine(
    { arn, state: 'open', at: Date.UTC(2026, 11, 1), coolDownMs: 60_000, trips: 2, source: 'local' },
    'psarn',
    'psarn-router',
  );
  expect(line).not.toContain('\n');
  const doc = JSON.parse(line) as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  };
  expect(doc._aws.CloudWatchMetrics[0]).toEqual({
    Namespace: 'psarn',
    Dimensions: [['service', 'target']],
    Metrics: [{ Name: 'circuitOpened', Unit: 'Count' }],
  });
  expect(doc).toMatchObject({
    service: 'psarn-router',
    target: arn,
    circuitOpened: 1,
    level: 'WARN',
    message: `circuit open for ${arn}`,
    circuitState: 'open',
    source: 'local',
    trips: 2,
    coolDownMs: 60_000,
    openUntil: '2026-12-01T00:01:00.000Z',
  });
});

it('names the closing with its own metric, at INFO', () => {
  const doc = JSON.parse(
    circuitChangeLine(
      { arn, state: 'closed', at: 0, coolDownMs: 0, trips: 0, source: 'local' },
      'psarn',
      'svc',
    ),
  ) as Record<string, unknown>;
  expect(doc).toMatchObject({ circuitClosed: 1, level: 'INFO', message: `circuit closed for ${arn}` });
  expect(doc['openUntil']).toBeUndefined();
});
