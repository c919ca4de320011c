import {
  allowedTargetPatterns,
  arnPatternMatches,
  partitionOfRegion,
  unreachableTargets,
} from '../../src/deploy/reach';
import { namedTargets } from '../../src/deploy/route-targets';
import { busArn, lambdaArn, psarnOf, route, snsArn, split, sqsArn, target } from '../support/routes';

const signup = route('/event/signup', {
  targets: [split(`${lambdaArn('signup')}:live`, 90), split(`${lambdaArn('signup')}:canary`, 10)],
  fanout: [target(snsArn('audit')), target(busArn('default'))],
  park: { queue: sqsArn('signup-holding'), enabled: false },
});
const legacy = route('/event/legacy', { targets: [split(psarnOf('/event/signup'), 1)] });
const orders = route('/event/orders', { fanout: [target(sqsArn('orders.fifo')), target(snsArn('audit'))] });

describe('namedTargets', () => {
  it('lists split targets, fanout and the holding queue (parked or not) with where each is named', () => {
    expect(namedTargets([signup]).map((t) => `${t.kind} ${t.role} ${t.path} ${t.arn}`)).toEqual([
      `lambda target targets[0] ${lambdaArn('signup')}:live`,
      `lambda target targets[1] ${lambdaArn('signup')}:canary`,
      `sns fanout fanout[0] ${snsArn('audit')}`,
      `events fanout fanout[1] ${busArn('default')}`,
      `sqs park park.queue ${sqsArn('signup-holding')}`,
    ]);
  });
});

describe('arnPatternMatches', () => {
  it.each([
    ['arn:aws:sqs:*:*:*', sqsArn('orders'), true],
    ['arn:aws:lambda:*:*:function:*', `${lambdaArn('f')}:live`, true],
    ['arn:aws:lambda:*:*:function:*', sqsArn('orders'), false],
    [lambdaArn('f'), `${lambdaArn('f')}:live`, false],
    [`${lambdaArn('f')}:live`, `${lambdaArn('f')}:live`, true],
    [`${lambdaArn('f')}:?ive`, `${lambdaArn('f')}:live`, true],
    [sqsArn('orders.fifo'), sqsArn('ordersXfifo'), false],
    [sqsArn('Orders'), sqsArn('orders'), false],
  ])('%s covers %s: %s', (pattern, arn, expected) => {
    expect(arnPatternMatches(pattern, arn)).toBe(expected);
  });
});

describe('allowedTargetPatterns', () => {
  it('is the distinct ARNs the routes name, aliases left out, in exact mode', () => {
    expect(allowedTargetPatterns([signup, legacy, orders], 'exact', 'aws')).toEqual(
      [
        `${lambdaArn('signup')}:canary`,
        `${lambdaArn('signup')}:live`,
        snsArn('audit'),
        busArn('default'),
        sqsArn('signup-holding'),
        sqsArn('orders.fifo'),
      ].sort(),
    );
  });

  it('is one pattern per service in the deployed partition in wildcard mode', () => {
    expect(allowedTargetPatterns([signup], 'wildcard', 'aws-cn')).toEqual([
      'arn:aws-cn:lambda:*:*:function:*',
      'arn:aws-cn:sqs:*:*:*',
      'arn:aws-cn:sns:*:*:*',
      'arn:aws-cn:events:*:*:event-bus/*',
    ]);
  });
});

describe('unreachableTargets', () => {
  it('names every target no allowed pattern covers, never an alias', () => {
    const allowed = allowedTargetPatterns([signup], 'exact', 'aws');
    expect(unreachableTargets([signup, legacy, orders], allowed).map((t) => `${t.psarn} ${t.path}`)).toEqual([
      `${psarnOf('/event/orders')} fanout[0]`,
    ]);
  });

  it('finds nothing unreachable behind wildcards', () => {
    const allowed = allowedTargetPatterns([], 'wildcard', 'aws');
    expect(unreachableTargets([signup, legacy, orders], allowed)).toEqual([]);
  });

  it('finds a canary unreachable when only the unqualified function was allowed', () => {
    const canary = route('/event/c', { targets: [split(`${lambdaArn('signup')}:canary`, 1)] });
    expect(unreachableTargets([canary], [lambdaArn('signup')]).map((t) => t.arn)).toEqual([
      `${lambdaArn('signup')}:canary`,
    ]);
  });
});

describe('partitionOfRegion', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});
