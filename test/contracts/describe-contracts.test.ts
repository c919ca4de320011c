import { planRoutes } from '../../src/control/route-plan';
import { route, split, sqsArn } from '../support/routes';

const base = route('/event/newUser', { targets: [split(sqsArn('q'), 1)] });
const big = {
  type: 'object',
  properties: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, { type: 'string' }])),
};

describe('psarn plan for payload contracts and caller overrides', () => {
  it('names a schema by a short digest, never prints it whole', () => {
    const [entry] = planRoutes([base], [{ ...base, schema: big, onInvalid: 'reject' }]).entries;
    expect(entry?.changes).toEqual([
      expect.stringMatching(/^schema none→[0-9a-f]{8}$/),
      'onInvalid none→reject',
    ]);
    expect(entry?.changes.join('').length).toBeLessThan(100);
  });

  it('says a schema changed even when only a nested keyword did', () => {
    const before = { ...base, schema: { type: 'object', required: ['a'] }, onInvalid: 'reject' as const };
    const after = { ...before, schema: { type: 'object', required: ['b'] } };
    const [entry] = planRoutes([before], [after]).entries;
    expect(entry?.changes).toEqual([expect.stringMatching(/^schema [0-9a-f]{8}→[0-9a-f]{8}$/)]);
  });

  it('counts caller overrides added, and describes a new route with them', () => {
    const callers = [{ match: { labels: { deployment: 'blue' } }, targets: [split(sqsArn('blue'), 1)] }];
    expect(planRoutes([base], [{ ...base, callers }]).entries[0]?.changes).toEqual(['callers 0→1 overrides']);
    expect(planRoutes([], [{ ...base, callers }]).entries[0]?.changes).toContain('callers 1 overrides');
  });
});
