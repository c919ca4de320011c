import { TargetFailedError } from '../../src/errors';
import { fifoFields, GroupKeyMissingError } from '../../src/targets/fifo';
import { message } from './messages';

const queue = { arn: 'arn:aws:sqs:eu-west-1:000000000000:orders.fifo', kind: 'sqs' as const };

describe('fifoFields', () => {
  it('takes MessageGroupId from a payload path', () => {
    const fields = fifoFields({ ...queue, groupBy: 'payload.tenant' }, message({ tenant: 't-1' }));
    expect(fields).toMatchObject({ MessageGroupId: 't-1' });
  });

  it('takes MessageGroupId from a header, and numbers as text', () => {
    const m = message({ n: 1 }, { headers: { tenant: 'acme' } });
    expect(fifoFields({ ...queue, groupBy: 'headers.tenant' }, m)).toMatchObject({ MessageGroupId: 'acme' });
    expect(fifoFields({ ...queue, groupBy: 'payload.n' }, m)).toMatchObject({ MessageGroupId: '1' });
  });

  it('matches a header in lower case, as HTTP ingress delivers it', () => {
    const m = message({}, { headers: { 'x-tenant': 'acme' } });
    expect(fifoFields({ ...queue, groupBy: 'headers.X-Tenant' }, m)).toMatchObject({
      MessageGroupId: 'acme',
    });
  });

  it('fails clearly, naming the path, when the group key is missing or not a scalar', () => {
    for (const payload of [{}, { tenant: null }, { tenant: '' }, { tenant: { id: 1 } }]) {
      const result = fifoFields({ ...queue, groupBy: 'payload.tenant' }, message(payload));
      expect(result).toBeInstanceOf(GroupKeyMissingError);
      expect((result as Error).message).toContain('payload.tenant');
    }
  });

  it('fails when a FIFO target has no groupBy at all', () => {
    expect(fifoFields(queue, message({}))).toBeInstanceOf(GroupKeyMissingError);
  });

  it('fails, not throws, on a malformed groupBy path', () => {
    expect(fifoFields({ ...queue, groupBy: 'body.x' }, message({}))).toBeInstanceOf(TargetFailedError);
  });

  it('hashes a key the service would reject, keeping equal keys in one group', () => {
    const a = fifoFields({ ...queue, groupBy: 'payload.k' }, message({ k: 'has space é' }));
    const b = fifoFields({ ...queue, groupBy: 'payload.k' }, message({ k: 'has space é' }));
    expect(a).toMatchObject({ MessageGroupId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((a as { MessageGroupId: string }).MessageGroupId).toBe(
      (b as { MessageGroupId: string }).MessageGroupId,
    );
  });

  it('derives the dedup id from trace id and target: stable per target, distinct across fanout copies', () => {
    const m = message({ tenant: 't' }, { traceId: 'trace-1' });
    const one = fifoFields({ ...queue, groupBy: 'payload.tenant' }, m);
    const again = fifoFields({ ...queue, groupBy: 'payload.tenant' }, m);
    const other = fifoFields(
      { arn: 'arn:aws:sqs:eu-west-1:000000000000:other.fifo', kind: 'sqs', groupBy: 'payload.tenant' },
      m,
    );
    const dedup = (f: unknown): string => (f as { MessageDeduplicationId: string }).MessageDeduplicationId;
    expect(dedup(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(dedup(again)).toBe(dedup(one));
    expect(dedup(other)).not.toBe(dedup(one));
  });
});
