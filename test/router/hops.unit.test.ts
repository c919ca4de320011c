import { hopsOf, nextHop, receivedHops } from '../../src/router/hops';
import { unpackForwardedHeaders } from '../../src/router/forwarded-headers';
import { PsarnError } from '../../src/errors';

const PSARN = 'arn:aws:psarns:eu-west-1:123456789012:/event/a';

describe('hop counts', () => {
  it('counts up by one per router and stops at the limit with LOOP_DETECTED', () => {
    expect(nextHop(PSARN, {}, 10)).toEqual({ 'psarn-hops': '1' });
    expect(nextHop(PSARN, { 'psarn-hops': '9', a: 'b' }, 10)).toEqual({ 'psarn-hops': '10', a: 'b' });
    const stopped = nextHop(PSARN, { 'psarn-hops': '10' }, 10);
    expect(stopped).toBeInstanceOf(PsarnError);
    expect((stopped as PsarnError).code).toBe('LOOP_DETECTED');
    expect((stopped as PsarnError).message).toContain('psarn drain --dlq');
  });

  it('refuses hop counts that are not small whole numbers', () => {
    for (const bad of ['', ' 1', '-1', '1e2', '0x10', '1001', '10000']) {
      const result = hopsOf({ 'psarn-hops': bad });
      expect(result).toBeInstanceOf(PsarnError);
      expect((result as PsarnError).code).toBe('INVALID_HEADER');
    }
    expect(hopsOf({ 'psarn-hops': '1000' })).toBe(1000);
    expect(hopsOf({})).toBe(0);
  });

  it('reads what a consumer received from SQS, SNS, a sync invoke or a direct envelope', () => {
    const headers = (hops: string) => JSON.stringify({ 'psarn-hops': hops, tenant: 't' });
    expect(
      receivedHops({
        Records: [
          { messageAttributes: { 'psarn-headers': { stringValue: headers('2') } } },
          { messageAttributes: { 'psarn-headers': { stringValue: headers('5') } } },
          { messageAttributes: {} },
        ],
      }),
    ).toBe(5);
    expect(
      receivedHops({
        Records: [{ Sns: { MessageAttributes: { 'psarn-headers': { Value: headers('3') } } } }],
      }),
    ).toBe(3);
    expect(receivedHops({ other: 1 }, { clientContext: { custom: { 'psarn-headers': headers('4') } } })).toBe(
      4,
    );
    expect(receivedHops({ headers: { 'psarn-hops': '7' } })).toBe(7);
    // Hostile or foreign input counts nothing rather than throwing inside a consumer.
    expect(
      receivedHops({ Records: [{ messageAttributes: { 'psarn-headers': { stringValue: '{' } } }] }),
    ).toBe(0);
    expect(receivedHops({ headers: { 'psarn-hops': 'lots' } })).toBe(0);
    expect(receivedHops(null, 'x')).toBe(0);
  });
});

describe('forwarded headers on SQS ingress', () => {
  it('unpacks psarn-headers one level; the message attributes win', () => {
    expect(
      unpackForwardedHeaders({
        psarn: PSARN,
        'psarn-headers': '{"psarn-hops":"2","tenant":"a","psarn":"x"}',
      }),
    ).toEqual({ psarn: PSARN, 'psarn-hops': '2', tenant: 'a' });
  });

  it("drops what the previous router said of its own hop (release, a kept copy's details)", () => {
    expect(
      unpackForwardedHeaders({
        psarn: PSARN,
        'psarn-route-version': '7',
        'psarn-target': 't',
        'psarn-error': 'E: x',
        'psarn-park-reason': 'deadline',
        'psarn-role': 'split @ x',
        'psarn-route': PSARN,
        tenant: 'a',
      }),
    ).toEqual({ psarn: PSARN, tenant: 'a' });
  });

  it('keeps a producer attribute of that name that is not a JSON object of strings', () => {
    for (const raw of ['not json', '[1]', '{"a":1}', 'null']) {
      expect(unpackForwardedHeaders({ psarn: PSARN, 'psarn-headers': raw })).toEqual({
        psarn: PSARN,
        'psarn-headers': raw,
      });
    }
  });
});
