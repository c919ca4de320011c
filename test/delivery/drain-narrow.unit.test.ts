/**
 * The copies drain writes back for a partly delivered message (review of issue 7): their error
 * text is cleaned and cut like the engine's own kept copies (SQS refuses ANSI escapes in
 * attributes; fauxqs does not check, so recording forwarders stand in), and two copies of one event
 * for one FIFO queue (an alias diamond) keep distinct copy keys, so their dedup ids differ.
 */
import { keepMissingCopies } from '../../src/delivery/drain-narrow';
import type { DeliveryItem } from '../../src/delivery/engine';
import type { DeliveryOutcome } from '../../src/delivery/report';
import { fifoFields } from '../../src/targets/fifo';
import { RecordingForwarders } from '../support/recording-forwarders';
import { route, sqsArn, target } from '../support/routes';

it('writes each missing copy under its own copy key, with a clean error text of at most 1 KiB', async () => {
  const q = target(sqsArn('orders.fifo'), { groupBy: 'payload.g' });
  const left = route('/left', { targets: [{ ...q, weight: 1 }] });
  const right = route('/right', { targets: [{ ...q, weight: 1 }] });
  const top = route('/top');
  const item: DeliveryItem = {
    event: { psarn: top.psarn, payload: { g: 'x' }, headers: {}, traceId: 't', eventId: 'e-1' },
    plan: {
      psarn: top.psarn,
      deliveries: [
        { target: q, role: 'split', route: left, via: [top.psarn, left.psarn] },
        { target: q, role: 'split', route: right, via: [top.psarn, right.psarn] },
      ],
    },
    body: '{"g":"x"}',
    routeVersion: 1,
    passthrough: false,
  };
  const error = '\u001b[31mboom\u001b[0m ' + 'é'.repeat(2000);
  const outcome: DeliveryOutcome = {
    report: { psarn: top.psarn, routeVersion: 1, traceId: 't', deliveries: [] },
    secured: false,
    unsecured: [
      { target: q.arn, error },
      { target: q.arn, error },
    ],
  };
  const fw = new RecordingForwarders();
  const hold = target(sqsArn('hold.fifo'), { groupBy: 'psarn' });
  const result = await keepMissingCopies(item, outcome, { forwarders: fw.lookup, queue: hold, carried: {} });
  expect(result).toEqual({ ok: true, copies: 2 });
  const written = fw.to(hold.arn);
  for (const m of written) {
    const text = m.metadata['psarn-error'] ?? '';
    expect(text.includes('\u001b')).toBe(false);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
  }
  const ids = written.map((m) => {
    const fields = fifoFields(hold, m);
    if (fields instanceof Error) throw fields;
    return fields.MessageDeduplicationId;
  });
  expect(new Set(ids).size).toBe(2);
  expect(written.map((m) => m.metadata['psarn-role'])).toEqual([
    `split @ ${top.psarn}>${left.psarn}`,
    `split @ ${top.psarn}>${right.psarn}`,
  ]);
});
