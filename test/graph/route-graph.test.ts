import { buildRouteGraph } from '../../src/graph/route-graph';
import { busArn, lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

describe('buildRouteGraph', () => {
  const newUser = route('/event/newUser', {
    targets: [split(lambdaArn('newUser:live'), 90), split(lambdaArn('newUser:canary'), 10)],
    fanout: [target(snsArn('audit')), target(busArn('default'))],
    park: { queue: sqsArn('newUser-holding'), enabled: false },
  });
  const legacy = route('/event/userSignedUp', { targets: [split(newUser.psarn, 1)] });
  const held = route('/event/held', {
    targets: [split(lambdaArn('held'), 1), split(lambdaArn('held2'), 2)],
    fanout: [target(snsArn('audit'))],
    park: { queue: sqsArn('held-holding'), enabled: true },
  });
  const graph = buildRouteGraph([newUser, legacy, held]);
  const node = (arn: string) => graph.nodes.find((n) => n.arn === arn);
  const edgesFrom = (arn: string) =>
    graph.edges
      .filter((e) => e.from === node(arn)?.id)
      .map((e) => [e.role, graph.nodes.find((n) => n.id === e.to)?.arn, e.label]);

  it('draws split targets with their share in percent, fanout and the park queue', () => {
    expect(edgesFrom(newUser.psarn)).toEqual([
      ['split', lambdaArn('newUser:live'), '90%'],
      ['split', lambdaArn('newUser:canary'), '10%'],
      ['fanout', snsArn('audit'), 'fanout'],
      ['fanout', busArn('default'), 'fanout'],
      ['park', sqsArn('newUser-holding'), 'park (standby)'],
    ]);
  });

  it('marks a parked route and its queue as parked', () => {
    expect(edgesFrom(held.psarn)).toEqual([
      ['split', lambdaArn('held'), '33.33%'],
      ['split', lambdaArn('held2'), '66.67%'],
      ['fanout', snsArn('audit'), 'fanout'],
      ['park', sqsArn('held-holding'), 'PARKED'],
    ]);
    expect(node(held.psarn)).toMatchObject({ parked: true, label: '/event/held (PARKED)' });
    expect(node(sqsArn('held-holding'))).toMatchObject({ parked: true, kind: 'sqs' });
    expect(node(sqsArn('newUser-holding'))?.parked).toBe(false);
    expect(graph.edges.find((e) => e.label === 'PARKED')?.active).toBe(true);
  });

  it('draws an alias as an edge between two psARN nodes', () => {
    expect(edgesFrom(legacy.psarn)).toEqual([['split', newUser.psarn, 'alias 100%']]);
    expect(graph.edges.filter((e) => e.alias)).toHaveLength(1);
  });

  it('draws a shared target once', () => {
    expect(graph.nodes.filter((n) => n.arn === snsArn('audit'))).toHaveLength(1);
    expect(new Set(graph.nodes.map((n) => n.arn)).size).toBe(graph.nodes.length);
  });

  it('labels psARNs by path and targets by kind and name', () => {
    expect(node(newUser.psarn)?.label).toBe('/event/newUser');
    expect(node(lambdaArn('newUser:live'))?.label).toBe('lambda: newUser:live');
    expect(node(busArn('default'))?.label).toBe('events: default');
  });

  it('uses full ARNs where short labels would be ambiguous, and keeps ids unique', () => {
    const a = route('/event/a', {
      targets: [split(lambdaArn('fn'), 1), split('arn:aws:lambda:eu-west-1:111111111111:function:fn', 1)],
    });
    const g = buildRouteGraph([a]);
    expect(g.nodes.map((n) => n.label)).toEqual([
      '/event/a',
      lambdaArn('fn'),
      'arn:aws:lambda:eu-west-1:111111111111:function:fn',
    ]);
    expect(g.nodes.map((n) => n.id)).toEqual(['ps_event_a', 'lambda_fn', 'lambda_fn_2']);
  });

  it('draws an alias to an unknown psARN as an undefined node', () => {
    const dangling = route('/event/dangling', { targets: [split(psarnOf('/event/gone'), 1)] });
    const g = buildRouteGraph([dangling]);
    expect(g.nodes[1]).toMatchObject({
      arn: psarnOf('/event/gone'),
      defined: false,
      label: '/event/gone (no route)',
    });
  });

  it('is stable under reordering of the routes', () => {
    expect(buildRouteGraph([held, legacy, newUser])).toEqual(graph);
  });
});
