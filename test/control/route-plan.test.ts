import { planRoutes } from '../../src/control/route-plan';
import { renderPlan } from '../../src/control/render-plan';
import type { Route } from '../../src/routes/model';
import { lambdaArn, psarnOf, ref, route, snsArn, split, sqsArn } from './route-fixtures';

const canary = (live: number, can: number): Route =>
  route('newUser', {
    targets: [split(lambdaArn('newUser:live'), live), split(lambdaArn('newUser:canary'), can)],
  });

/** The phrases of the one changed route between two versions of it. */
function phrases(before: Route, after: Route): readonly string[] {
  const plan = planRoutes([before], [after]);
  expect(plan.entries).toHaveLength(1);
  expect(plan.entries[0]?.kind).toBe('changed');
  return plan.entries[0]?.changes ?? [];
}

describe('planRoutes words, per change class', () => {
  it('names weight changes by the short target name', () => {
    expect(phrases(canary(90, 10), canary(50, 50))).toEqual(['weight live 90→50, canary 10→50']);
  });

  it('shows a fanout target added and removed by its ARN', () => {
    const base = route('a', { fanout: [ref(snsArn('audit'))] });
    expect(phrases(base, { ...base, fanout: [ref(snsArn('audit')), ref(sqsArn('copy'))] })).toEqual([
      'fanout +arn:aws:sqs:eu-west-1:123456789012:copy',
    ]);
    expect(phrases(base, { ...base, fanout: [] })).toEqual([
      'fanout -arn:aws:sns:eu-west-1:123456789012:audit',
    ]);
  });

  it('shows parking and the park queue', () => {
    const park = { queue: sqsArn('hold'), enabled: false };
    const base = route('a', { park });
    expect(phrases(base, { ...base, park: { ...park, enabled: true } })).toEqual(['parked: no→yes']);
    expect(phrases(route('a'), base)).toEqual(['park queue none→arn:aws:sqs:eu-west-1:123456789012:hold']);
  });

  it('shows ttl, stickyBy, onFailure and description', () => {
    const base = route('a', { ttl: 300, onFailure: 'park' });
    expect(phrases(base, { ...base, ttl: 60 })).toEqual(['ttl 300→60']);
    expect(phrases(base, { ...base, stickyBy: 'payload.userId' })).toEqual(['stickyBy none→payload.userId']);
    expect(phrases(base, { ...base, onFailure: 'dlq' })).toEqual(['onFailure park→dlq']);
    expect(phrases(base, { ...base, description: 'Sign-ups' })).toEqual(['description none→"Sign-ups"']);
  });

  it('shows split targets added and removed, with the remaining weights', () => {
    const before = route('a', { targets: [split(lambdaArn('a:live'), 100)] });
    const after = route('a', { targets: [split(lambdaArn('a:live'), 90), split(lambdaArn('a:canary'), 10)] });
    expect(phrases(before, after)).toEqual([
      'weight live 100→90',
      'targets +arn:aws:lambda:eu-west-1:123456789012:function:a:canary',
    ]);
    expect(phrases(after, before)).toEqual([
      'weight live 90→100',
      'targets -arn:aws:lambda:eu-west-1:123456789012:function:a:canary',
    ]);
  });

  it('shows target attributes and reordering', () => {
    const base = route('a', {
      fanout: [ref(sqsArn('o.fifo'), { groupBy: 'payload.tenant' }), ref(snsArn('s'))],
    });
    expect(
      phrases(base, {
        ...base,
        fanout: [ref(sqsArn('o.fifo'), { groupBy: 'payload.user' }), ref(snsArn('s'))],
      }),
    ).toEqual(['fanout o.fifo groupBy payload.tenant→payload.user']);
    expect(phrases(base, { ...base, fanout: [...base.fanout].reverse() })).toEqual(['fanout reordered']);
  });

  it('uses the full ARN when two targets share a short name', () => {
    const before = route('a', { targets: [split(lambdaArn('x:live'), 50), split(lambdaArn('y:live'), 50)] });
    const after = route('a', { targets: [split(lambdaArn('x:live'), 60), split(lambdaArn('y:live'), 40)] });
    expect(phrases(before, after)).toEqual([
      `weight ${lambdaArn('x:live')} 50→60, ${lambdaArn('y:live')} 50→40`,
    ]);
  });
});

describe('renderPlan', () => {
  it('prints additions, changes and removals with counts', () => {
    const parked = route('p', { park: { queue: sqsArn('hold'), enabled: false } });
    const plan = planRoutes(
      [canary(90, 10), route('gone'), parked],
      [
        canary(50, 50),
        route('new', { fanout: [ref(snsArn('audit'))] }),
        { ...parked, park: { queue: sqsArn('hold'), enabled: true } },
      ],
    );
    expect(renderPlan(plan, 7)).toBe(
      [
        '+ arn:aws:psarns:eu-west-1:123456789012:/event/new',
        '    targets new 100',
        '    fanout +arn:aws:sns:eu-west-1:123456789012:audit',
        '    ttl 60',
        '    onFailure dlq',
        '~ arn:aws:psarns:eu-west-1:123456789012:/event/newUser',
        '    weight live 90→50, canary 10→50',
        '~ arn:aws:psarns:eu-west-1:123456789012:/event/p',
        '    parked: no→yes',
        '- arn:aws:psarns:eu-west-1:123456789012:/event/gone',
        'Plan against release 7: 1 to add, 2 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing changes', () => {
    const plan = planRoutes([canary(90, 10)], [canary(90, 10)]);
    expect(plan.entries).toEqual([]);
    expect(renderPlan(plan, 3)).toBe('No changes: the routes match release 3.\n');
  });

  it('plans a removal of every route', () => {
    expect(planRoutes([route('a')], []).entries).toEqual([
      { psarn: psarnOf('a'), kind: 'removed', changes: [] },
    ]);
  });
});
