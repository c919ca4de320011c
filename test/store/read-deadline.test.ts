import { ErrorCode, StoreUnavailableError } from '../../src/errors';
import { answerWithin, StoreTimeoutError, withDeadline } from '../../src/store/read-deadline';

const never = <T>() => new Promise<T>(() => undefined);
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('withDeadline', () => {
  it('passes an answer that comes in time through', async () => {
    await expect(withDeadline(() => after(5, 'ok'), 200, 'reading x')).resolves.toBe('ok');
  });

  it('rejects a read that never answers with a STORE_UNAVAILABLE timeout, and aborts it', async () => {
    let signal: AbortSignal | undefined;
    const read = withDeadline(
      (s) => {
        signal = s;
        return never<string>();
      },
      30,
      'reading #control',
    );
    await expect(read).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(read).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
      message: 'route store unavailable: reading #control got no answer within 30 ms',
    });
    expect(signal?.aborted).toBe(true);
  });

  it("passes the read's own failure through unchanged", async () => {
    const failure = new StoreUnavailableError('connect ECONNREFUSED');
    await expect(withDeadline(() => Promise.reject(failure), 200, 'reading x')).rejects.toBe(failure);
  });
});

describe('answerWithin', () => {
  it("is the pending outcome when it settles first, the late answer's otherwise", async () => {
    await expect(answerWithin(after(5, 'fresh'), 100, () => 'stale')).resolves.toBe('fresh');
    await expect(answerWithin(after(100, 'fresh'), 10, () => 'stale')).resolves.toBe('stale');
    await expect(answerWithin(Promise.reject(new Error('down')), 100, () => 'stale')).rejects.toThrow('down');
  });

  it('keeps waiting for the pending outcome when the late answer is undefined', async () => {
    await expect(answerWithin(after(40, 'fresh'), 5, () => undefined)).resolves.toBe('fresh');
  });
});
