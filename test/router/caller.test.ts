import { routeForCaller, matchingOverride, roleArnOf } from '../../src/contracts/caller-variants';
import { callerIdentity, MAX_CALLER_HEADER_BYTES, parseCallerHeader } from '../../src/router/caller';
import { parseEnvelope, verifiedPrincipal } from '../../src/router/envelope';
import { planDelivery } from '../../src/routing/planner';
import { reseedEventRandom, eventRandom } from '../../src/routing/event-random';
import { InvalidHeaderError } from '../../src/errors';
import type { Route } from '../../src/routes/model';
import { route, split, sqsArn, target } from '../support/routes';
import { iamHttpEvent } from '../support/http-events';

describe('the psarn-caller header', () => {
  it('names a function and labels', () => {
    expect(parseCallerHeader('{"function":"checkout","labels":{"deployment":"blue"}}')).toEqual({
      function: 'checkout',
      labels: { deployment: 'blue' },
    });
  });

  it.each([
    ['not JSON', '{function:checkout}', 'is not JSON'],
    ['not an object', '["checkout"]', 'must be a JSON object'],
    ['an unknown key', '{"fn":"checkout"}', 'unknown key "fn"'],
    ['a principal', '{"principal":"arn:aws:iam::1:role/admin"}', 'cannot name a principal'],
    ['a label that is not a string', '{"labels":{"n":1}}', 'label "n" must be a string'],
    ['labels that are a list', '{"labels":["blue"]}', '"labels" must be an object'],
    ['an empty function', '{"function":""}', '"function" must be a function name'],
    [
      'too large',
      JSON.stringify({ labels: { a: 'x'.repeat(MAX_CALLER_HEADER_BYTES) } }),
      `at most ${MAX_CALLER_HEADER_BYTES}`,
    ],
    [
      'too many labels',
      JSON.stringify({ labels: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`l${i}`, 'v'])) }),
      'at most 16',
    ],
  ])('is an INVALID_HEADER error when it is %s', (_, text, reason) => {
    const error = parseCallerHeader(text);
    expect(error).toBeInstanceOf(InvalidHeaderError);
    expect((error as InvalidHeaderError).code).toBe('INVALID_HEADER');
    expect((error as InvalidHeaderError).message).toContain('psarn-caller');
    expect((error as InvalidHeaderError).message).toContain(reason);
  });
});

describe('the verified principal of HTTP ingress', () => {
  const role = 'arn:aws:sts::000000000000:assumed-role/blue-api/session';

  it('comes from the request context AWS builds (HTTP API v2 / Function URL, AWS_IAM)', () => {
    const envelope = parseEnvelope(iamHttpEvent(role));
    expect(envelope.kind === 'http' && envelope.event.principal).toBe(role);
  });

  it('comes from requestContext.identity.userArn in an API Gateway REST event', () => {
    expect(
      verifiedPrincipal({ requestContext: { identity: { userArn: role, caller: 'AROA:session' } } }),
    ).toBe(role);
  });

  it('is absent without IAM auth, and a psarn-caller header cannot claim one', () => {
    const claim = { 'psarn-caller': JSON.stringify({ principal: 'arn:aws:iam::000000000000:role/admin' }) };
    const event = iamHttpEvent(role, claim) as { requestContext: Record<string, unknown> };
    delete event.requestContext['authorizer'];
    const envelope = parseEnvelope(event);
    if (envelope.kind !== 'http') throw new Error('expected an HTTP envelope');
    expect(envelope.event.principal).toBeUndefined();
    const caller = callerIdentity(envelope.event.headers['psarn-caller'], envelope.event.principal);
    expect(caller).toBeInstanceOf(InvalidHeaderError);
  });

  it('keeps header labels beside a verified principal, the principal from AWS only', () => {
    const envelope = parseEnvelope(
      iamHttpEvent(role, { 'psarn-caller': '{"labels":{"deployment":"green"}}' }),
    );
    if (envelope.kind !== 'http') throw new Error('expected an HTTP envelope');
    expect(callerIdentity(envelope.event.headers['psarn-caller'], envelope.event.principal)).toEqual({
      principal: role,
      labels: { deployment: 'green' },
    });
  });

  it('reads an assumed-role session as its role', () => {
    expect(roleArnOf(role)).toBe('arn:aws:iam::000000000000:role/blue-api');
    expect(roleArnOf('arn:aws:iam::000000000000:user/alice')).toBeUndefined();
  });
});

describe('caller overrides', () => {
  const green = sqsArn('green');
  const blue = sqsArn('blue');
  const canary = sqsArn('canary');
  const base: Route = route('/event/newUser', {
    targets: [split(green, 1)],
    fanout: [target(sqsArn('audit'))],
    callers: [
      { match: { principal: 'arn:aws:iam::000000000000:role/blue-*' }, targets: [split(blue, 1)] },
      { match: { labels: { deployment: 'blue' } }, targets: [split(blue, 1)], fanout: [] },
      {
        match: { function: 'checkout-*', labels: { ring: 'canary' } },
        targets: [split(canary, 9), split(green, 1)],
      },
    ],
  });
  const plan = (caller: Parameters<typeof routeForCaller>[1], eventId = 'e1') => {
    reseedEventRandom(eventId);
    return planDelivery(
      routeForCaller(base, caller),
      { psarn: base.psarn, payload: {}, headers: {}, traceId: eventId, eventId },
      eventRandom,
    ).deliveries.map((d) => d.target.arn);
  };

  it('sends a matching caller to the override, everyone else to the route', () => {
    expect(plan(undefined)).toEqual([green, sqsArn('audit')]);
    expect(plan({ labels: { deployment: 'blue' } })).toEqual([blue]);
    expect(plan({ labels: { deployment: 'green' } })).toEqual([green, sqsArn('audit')]);
  });

  it('matches a role glob against an assumed-role session of that role', () => {
    const caller = { principal: 'arn:aws:sts::000000000000:assumed-role/blue-api/i-123', labels: {} };
    expect(matchingOverride(base, caller)).toBe(0);
    expect(plan(caller)).toEqual([blue, sqsArn('audit')]);
    expect(
      matchingOverride(base, { principal: 'arn:aws:sts::000000000000:assumed-role/red-api/i', labels: {} }),
    ).toBe(-1);
  });

  it('takes the first override that matches, and needs every field of a match', () => {
    const both = { principal: 'arn:aws:iam::000000000000:role/blue-x', labels: { deployment: 'blue' } };
    expect(matchingOverride(base, both)).toBe(0);
    expect(matchingOverride(base, { function: 'checkout-api', labels: {} })).toBe(-1);
    expect(matchingOverride(base, { function: 'checkout-api', labels: { ring: 'canary' } })).toBe(2);
  });

  it('draws the same split for the same event id on a retry, per caller', () => {
    const caller = { function: 'checkout-api', labels: { ring: 'canary' } };
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(plan(caller, id)).toEqual(plan(caller, id));
  });

  it('reuses one variant object per override, so the planner compiles it once', () => {
    const caller = { labels: { deployment: 'blue' } };
    expect(routeForCaller(base, caller)).toBe(routeForCaller(base, caller));
    expect(routeForCaller(base, caller).callers).toBeUndefined();
    const plain = route('/event/plain', { targets: [split(green, 1)] });
    expect(routeForCaller(plain, caller)).toBe(plain);
  });

  it('treats glob metacharacters other than * literally (no regular expressions from route files)', () => {
    const dotted = route('/event/d', {
      targets: [split(green, 1)],
      callers: [{ match: { function: 'a.b(c)+' }, targets: [split(blue, 1)] }],
    });
    expect(matchingOverride(dotted, { function: 'a.b(c)+', labels: {} })).toBe(0);
    expect(matchingOverride(dotted, { function: 'axb(c)', labels: {} })).toBe(-1);
  });
});
