import { randomUUID } from 'node:crypto';
import type { OutgoingMessage } from '../../src/targets/forwarder';

export const PSARN = 'arn:aws:psarns:eu-west-1:000000000000:/event/contract';

/** A message as the delivery engine builds it: body = the payload's JSON, metadata = routing attributes. */
export function message(payload: unknown, extra: Partial<OutgoingMessage['event']> = {}): OutgoingMessage {
  const traceId = extra.traceId ?? randomUUID();
  const eventId = extra.eventId ?? randomUUID();
  const event = { psarn: PSARN, payload, headers: {}, traceId, eventId, ...extra };
  return {
    event,
    body: JSON.stringify(payload),
    metadata: {
      psarn: event.psarn,
      'psarn-route-version': '7',
      'psarn-trace-id': traceId,
      'psarn-event-id': eventId,
    },
  };
}
