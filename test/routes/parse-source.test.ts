import { parseRouteSource } from '../../src/routes/load';
import { BUS, CONTEXT, LAMBDA, PSARN, SNS, SQS, lines, yaml } from './fixtures';

function issuesOf(text: string, context = CONTEXT): string[] {
  return lines(parseRouteSource('routes/r.yml', text, context).issues);
}

describe('parseRouteSource: valid routes', () => {
  it('fills in the defaults: ttl 60, weight 1 for a lone target, onFailure dlq without a park queue', () => {
    const result = parseRouteSource(
      'routes/r.yml',
      yaml(`psarn: ${PSARN}:/email/send`, 'targets:', `  - arn: ${SQS}:email`),
      CONTEXT,
    );
    expect(result.issues).toEqual([]);
    expect(result.files).toEqual(['routes/r.yml']);
    expect(result.routes).toEqual([
      {
        file: 'routes/r.yml',
        line: 1,
        column: 1,
        route: {
          psarn: `${PSARN}:/email/send`,
          ttl: 60,
          targets: [{ arn: `${SQS}:email`, kind: 'sqs', weight: 1 }],
          fanout: [],
          onFailure: 'dlq',
        },
      },
    ]);
  });

  it('substitutes variables and reads every field, defaulting onFailure to park when a park queue exists', () => {
    const text = yaml(
      'psarn: arn:aws:psarns:${region}:${account}:/event/newUser',
      'description: New users',
      'ttl: 300',
      'targets:',
      '  - arn: arn:aws:lambda:${region}:${account}:function:psarn-${stage}-v1:live',
      '    weight: 90',
      '  - arn: arn:aws:lambda:${region}:${account}:function:psarn-${stage}-v2',
      '    weight: 10',
      'stickyBy: payload.userId',
      'fanout:',
      `  - arn: ${SNS}:audit`,
      `  - arn: ${BUS}/bus`,
      '    detailType: NewUser',
      `  - arn: ${SQS}:orders.fifo`,
      '    groupBy: headers.tenant',
      'park:',
      `  queue: ${SQS}:holding`,
    );
    const result = parseRouteSource('r.yml', text, {
      stage: 'qa',
      region: 'eu-west-1',
      account: '123456789012',
    });
    expect(result.issues).toEqual([]);
    expect(result.routes.map((r) => r.route)).toEqual([
      {
        psarn: `${PSARN}:/event/newUser`,
        description: 'New users',
        ttl: 300,
        targets: [
          { arn: `${LAMBDA}:psarn-qa-v1:live`, kind: 'lambda', weight: 90 },
          { arn: `${LAMBDA}:psarn-qa-v2`, kind: 'lambda', weight: 10 },
        ],
        stickyBy: 'payload.userId',
        fanout: [
          { arn: `${SNS}:audit`, kind: 'sns' },
          { arn: `${BUS}/bus`, kind: 'events', detailType: 'NewUser', source: 'psarn' },
          { arn: `${SQS}:orders.fifo`, kind: 'sqs', groupBy: 'headers.tenant' },
        ],
        park: { queue: `${SQS}:holding`, enabled: false },
        onFailure: 'park',
      },
    ]);
  });

  it('reads a list of routes, positioned at each list item', () => {
    const text = yaml(
      '# orders',
      `- psarn: ${PSARN}:/a`,
      `  targets: [{ arn: "${SQS}:a" }]`,
      `- psarn: ${PSARN}:/b`,
      `  fanout: [{ arn: "${SNS}:b" }]`,
    );
    const result = parseRouteSource('r.yml', text, CONTEXT);
    expect(result.issues).toEqual([]);
    expect(result.routes.map((r) => [r.route.psarn, r.line, r.column])).toEqual([
      [`${PSARN}:/a`, 2, 3],
      [`${PSARN}:/b`, 4, 3],
    ]);
  });

  it('reads several --- documents, each a route or a list, skipping empty ones', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      `targets: [{ arn: "${SQS}:a" }]`,
      '---',
      `- psarn: ${PSARN}:/b`,
      `  targets: [{ arn: "${SQS}:b" }]`,
      '---',
      '# nothing here',
      '---',
      `psarn: ${PSARN}:/c`,
      `targets: [{ arn: "${SQS}:c" }]`,
    );
    const result = parseRouteSource('r.yml', text, CONTEXT);
    expect(result.issues).toEqual([]);
    expect(result.routes.map((r) => [r.route.psarn, r.line, r.column])).toEqual([
      [`${PSARN}:/a`, 1, 1],
      [`${PSARN}:/b`, 4, 3],
      [`${PSARN}:/c`, 9, 1],
    ]);
  });

  it('merges the selected stage over the base, replacing whole fields', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'ttl: 30',
      'targets:',
      `  - arn: ${LAMBDA}:a`,
      '    weight: 1',
      `  - arn: ${LAMBDA}:b`,
      '    weight: 1',
      'stages:',
      '  prod:',
      '    ttl: 600',
      `    targets: [{ arn: "${LAMBDA}:a:live" }]`,
      '  dev:',
      '    description: dev only',
    );
    const prod = parseRouteSource('r.yml', text, { ...CONTEXT, stage: 'prod' });
    expect(prod.issues).toEqual([]);
    expect(prod.routes[0]?.route).toEqual({
      psarn: `${PSARN}:/a`,
      ttl: 600,
      targets: [{ arn: `${LAMBDA}:a:live`, kind: 'lambda', weight: 1 }],
      fanout: [],
      onFailure: 'dlq',
    });
    const dev = parseRouteSource('r.yml', text, CONTEXT);
    expect(dev.routes[0]?.route).toMatchObject({ description: 'dev only', ttl: 30 });
    expect(dev.routes[0]?.route.targets).toHaveLength(2);
    const other = parseRouteSource('r.yml', text, { ...CONTEXT, stage: 'qa' });
    expect(other.routes[0]?.route).not.toHaveProperty('description');
  });

  it('needs no region or account when the file uses literal ARNs', () => {
    const result = parseRouteSource('r.yml', yaml(`psarn: ${PSARN}:/a`, `targets: [{ arn: "${SQS}:a" }]`), {
      stage: 'dev',
    });
    expect(result.issues).toEqual([]);
    expect(result.routes).toHaveLength(1);
  });

  it('warns, but accepts, targets in another region or account than the psARN', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      '  - arn: arn:aws:sqs:us-east-1:123456789012:q',
      'fanout:',
      '  - arn: arn:aws:sns:eu-west-1:999999999999:t',
      'park:',
      '  queue: arn:aws:sqs:us-east-1:999999999999:hold',
    );
    const result = parseRouteSource('r.yml', text, CONTEXT);
    expect(lines(result.issues)).toEqual([
      "3:10 warning targets[0].arn: target is in region us-east-1, the route's psARN in eu-west-1: allowed, but check the router may reach it",
      "5:10 warning fanout[0].arn: target is in account 999999999999, the route's psARN in 123456789012: allowed, but the router needs permission there",
      "7:10 warning park.queue: target is in region us-east-1, the route's psARN in eu-west-1: allowed, but check the router may reach it",
      "7:10 warning park.queue: target is in account 999999999999, the route's psARN in 123456789012: allowed, but the router needs permission there",
    ]);
    expect(result.routes).toHaveLength(1);
  });
});

describe('parseRouteSource: YAML and file shape', () => {
  it('reports a YAML syntax error at its position and still validates the other documents', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets: [{ arn: x',
      '---',
      `psarn: ${PSARN}:/b`,
      `targets: [{ arn: "${SQS}:b" }]`,
    );
    const result = parseRouteSource('r.yml', text, CONTEXT);
    expect(lines(result.issues)).toEqual([
      '3:1 error : YAML: Flow map in block collection must be sufficiently indented and end with a }',
      '3:1 error : YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(result.routes.map((r) => r.route.psarn)).toEqual([`${PSARN}:/b`]);
  });

  it('reports a duplicate key', () => {
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, 'ttl: 1', 'ttl: 2'))).toEqual([
      '3:1 error : YAML: Map keys must be unique',
    ]);
  });

  it('warns about a file without routes', () => {
    expect(issuesOf('# nothing yet\n')).toEqual(['1:1 warning : the file defines no routes']);
  });

  it('rejects a document that is not a route map', () => {
    expect(issuesOf(yaml('just text'))).toEqual([
      '1:1 error : a route must be a map of route fields (psarn, targets, fanout, ...), got "just text"',
    ]);
    expect(issuesOf(yaml(`- psarn: ${PSARN}:/a`, `  targets: [{ arn: "${SQS}:a" }]`, '- 42'))).toEqual([
      '3:3 error : a route must be a map of route fields (psarn, targets, fanout, ...), got 42',
    ]);
  });
});

describe('parseRouteSource: schema errors', () => {
  it('names a missing psarn at the route', () => {
    expect(issuesOf(yaml('description: x', `targets: [{ arn: "${SQS}:a" }]`))).toEqual([
      '1:1 error psarn: `psarn` is missing: it must be a psARN like arn:aws:psarns:${region}:${account}:/event/name',
    ]);
  });

  it('names a missing target arn at the target', () => {
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, 'targets:', '  - weight: 1'))).toEqual([
      '3:5 error targets[0].arn: `arn` is missing: it must be a target ARN (Lambda function, SQS queue, SNS topic, EventBridge bus or psARN)',
    ]);
  });

  it('flags unknown keys at the key, with a "did you mean" hint when one is close', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${LAMBDA}:f`,
      '    weigth: 10',
      'fanout:',
      `  - arn: ${SNS}:t`,
      '    weight: 1',
      '    detailtype: X',
      'tll: 3',
      'color: red',
      'park:',
      `  queue: ${SQS}:hold`,
      '  enbled: true',
      'stages:',
      '  prod:',
      '    psarn: x',
      '    fanuot: []',
    );
    expect(issuesOf(text)).toEqual([
      '4:5 error targets[0].weigth: unknown key `weigth`: did you mean `weight`?',
      '7:5 error fanout[0].weight: unknown key `weight`: fanout targets have no weight, every event goes to each of them; valid keys are arn, detailType, source, groupBy',
      '8:5 error fanout[0].detailtype: unknown key `detailtype`: did you mean `detailType`?',
      '9:1 error tll: unknown key `tll`: did you mean `ttl`?',
      '10:1 error color: unknown key `color`: valid keys are psarn, description, ttl, targets, stickyBy, fanout, park, onFailure, owner, labels, schema, onInvalid, callers, autoDrain, stages',
      '13:3 error park.enbled: unknown key `enbled`: did you mean `enabled`?',
      "16:5 error stages.prod.psarn: unknown key `psarn`: a stage cannot change the route's psARN; valid keys are description, ttl, targets, stickyBy, fanout, park, onFailure, owner, labels, schema, onInvalid, callers, autoDrain",
      '17:5 error stages.prod.fanuot: unknown key `fanuot`: did you mean `fanout`?',
    ]);
  });

  it('keeps checking a route past an unknown key, without repeating what the hint says', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${LAMBDA}:a`,
      '    weigth: 30',
      `  - arn: ${LAMBDA}:b`,
      '    weight: 70',
      'fanout:',
      `  - arn: ${SQS}:orders.fifo`,
    );
    const result = parseRouteSource('r.yml', text, CONTEXT);
    expect(lines(result.issues)).toEqual([
      '4:5 error targets[0].weigth: unknown key `weigth`: did you mean `weight`?',
      '8:5 error fanout[0].groupBy: FIFO target orders.fifo needs `groupBy`: the event field whose value becomes MessageGroupId, like payload.customerId',
    ]);
    expect(result.routes).toEqual([]);
    const typoOnly = yaml(`psarn: ${PSARN}:/a`, `targets: [{ arn: "${SQS}:a" }]`, 'descripton: x');
    expect(parseRouteSource('r.yml', typoOnly, CONTEXT).routes).toEqual([]);
  });

  it('says what each field must be when its value has the wrong type or range', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'description:',
      'ttl: 1.5',
      'targets:',
      `  - arn: ${LAMBDA}:f`,
      '    weight: ten',
      `  - arn: ${LAMBDA}:g`,
      '    weight: -1',
      '  - just-a-string',
      'fanout: {}',
      'park:',
      `  queue: ${SQS}:hold`,
      '  enabled: yes',
      'onFailure: retry',
      'stages:',
      '  prod: 3',
    );
    expect(issuesOf(text)).toEqual([
      '2:1 error description: `description` must be a string, got nothing (null)',
      '3:6 error ttl: `ttl` must be a whole number of seconds from 0 to 86400, got 1.5',
      '6:13 error targets[0].weight: `weight` must be a non-negative number, got "ten"',
      '8:13 error targets[1].weight: `weight` must be a non-negative number, got -1',
      '9:5 error targets[2]: `targets[2]` must be a map like {arn: ..., weight: 10}, got "just-a-string"',
      '10:9 error fanout: `fanout` must be a list of targets, each {arn}, got a map',
      '13:12 error park.enabled: `enabled` must be true or false, got "yes"',
      '14:12 error onFailure: `onFailure` must be park or dlq, got "retry"',
      '16:9 error stages.prod: stage `prod` must be a map of the route fields this stage overrides, got 3',
    ]);
  });

  it('rejects a ttl above a day', () => {
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, 'ttl: 86401', `targets: [{ arn: "${SQS}:a" }]`))).toEqual([
      '2:6 error ttl: `ttl` must be a whole number of seconds from 0 to 86400, got 86401',
    ]);
  });
});

describe('parseRouteSource: variables', () => {
  it('names an unknown variable, in any stage, not only the one selected', () => {
    const text = yaml(
      'psarn: arn:aws:psarns:${regoin}:${account}:/a',
      `targets: [{ arn: "${SQS}:a" }]`,
      'stages:',
      '  prod:',
      '    targets: [{ arn: "arn:aws:sqs:${region}:${acount}:a" }]',
    );
    expect(issuesOf(text)).toEqual([
      '1:8 error psarn: unknown variable ${regoin}: only ${stage}, ${region} and ${account} are substituted',
      '5:22 error stages.prod.targets[0].arn: unknown variable ${acount}: only ${stage}, ${region} and ${account} are substituted',
    ]);
  });

  it('names each unset variable once per route, at its first use, saying how to set it', () => {
    const text = yaml(
      'psarn: arn:aws:psarns:${region}:123456789012:/a',
      'targets:',
      '  - arn: arn:aws:sqs:${region}:${account}:q',
    );
    expect(issuesOf(text, { stage: 'dev' })).toEqual([
      '1:8 error psarn: ${region} has no value: pass --region or set AWS_REGION',
      '3:10 error targets[0].arn: ${account} has no value: pass --account or set PSARN_ACCOUNT',
    ]);
  });
});

describe('parseRouteSource: targets and weights', () => {
  it('names the wrong part of a bad psARN', () => {
    expect(
      issuesOf(yaml('psarn: arn:aws:psarns:eu-west:123456789012:/a', `targets: [{ arn: "${SQS}:a" }]`)),
    ).toEqual([
      '1:8 error psarn: invalid psARN "arn:aws:psarns:eu-west:123456789012:/a": region "eu-west" is not a region like eu-west-1',
    ]);
  });

  it('says what is wrong with a bad target ARN, in the split, fanout or a stage override', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      '  - arn: arn:aws:lambda:eu-west-1:123456789012:fn:f',
      'fanout:',
      '  - arn: arn:aws:dynamodb:eu-west-1:123456789012:table/t',
      'stages:',
      '  dev:',
      '    targets:',
      '      - arn: orders',
    );
    expect(issuesOf(text)).toEqual([
      '5:10 error fanout[0].arn: invalid target ARN "arn:aws:dynamodb:eu-west-1:123456789012:table/t": service "dynamodb" is not a target kind (lambda, sqs, sns, events, psarns)',
      '9:14 error stages.dev.targets[0].arn: invalid target ARN "orders": expected arn:<partition>:<service>:<region>:<account>:<resource>',
    ]);
  });

  it('requires a weight on every target of a split with more than one', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${SQS}:a`,
      '    weight: 2',
      `  - arn: ${SQS}:b`,
    );
    expect(issuesOf(text)).toEqual([
      '5:5 error targets[1].weight: `weight` is required when a split has more than one target: a non-negative number (weights are normalised, they need not sum to 100)',
    ]);
  });

  it('rejects weights that are all zero', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${SQS}:a`,
      '    weight: 0',
      `  - arn: ${SQS}:b`,
      '    weight: 0',
    );
    expect(issuesOf(text)).toEqual([
      '3:3 error targets: all split weights are 0: at least one target needs a weight greater than 0',
    ]);
  });

  it('accepts a zero weight next to a positive one', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${SQS}:a`,
      '    weight: 0',
      `  - arn: ${SQS}:b`,
      '    weight: 0.5',
    );
    expect(issuesOf(text)).toEqual([]);
  });

  it('rejects a route with no split and no fanout target', () => {
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, 'targets: []'))).toEqual([
      '2:10 error targets: a route needs at least one target: add `targets` (a weighted split) or `fanout`',
    ]);
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, 'description: nothing'))).toEqual([
      '1:1 error targets: a route needs at least one target: add `targets` (a weighted split) or `fanout`',
    ]);
  });

  it('requires groupBy on FIFO targets, in the split and in fanout', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'targets:',
      `  - arn: ${SQS}:a.fifo`,
      'fanout:',
      `  - arn: ${SNS}:t.fifo`,
      '    detailType: X',
    );
    expect(issuesOf(text)).toEqual([
      '3:5 error targets[0].groupBy: FIFO target a.fifo needs `groupBy`: the event field whose value becomes MessageGroupId, like payload.customerId',
      '5:5 error fanout[0].groupBy: FIFO target t.fifo needs `groupBy`: the event field whose value becomes MessageGroupId, like payload.customerId',
      '6:17 error fanout[0].detailType: `detailType` is only for EventBridge targets (arn:aws:events:...:event-bus/<name>), not sns',
    ]);
  });

  it('allows groupBy only on FIFO targets, and detailType and source only on EventBridge', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      'fanout:',
      `  - arn: ${SQS}:orders`,
      '    groupBy: payload.customerId',
      `  - arn: ${LAMBDA}:f`,
      '    source: shop',
      `  - arn: ${BUS}/default`,
      '    source: shop',
      '    detailType: Order',
    );
    expect(issuesOf(text)).toEqual([
      '4:14 error fanout[0].groupBy: `groupBy` is only for FIFO targets (a queue or topic whose name ends in .fifo), not sqs orders',
      '6:13 error fanout[1].source: `source` is only for EventBridge targets (arn:aws:events:...:event-bus/<name>), not lambda',
    ]);
  });

  it('checks stickyBy and groupBy are event paths the router can read', () => {
    const text = yaml(
      `psarn: ${PSARN}:/a`,
      `targets: [{ arn: "${SQS}:q.fifo", groupBy: "body.id" }]`,
      'stickyBy: headers.a.b',
    );
    expect(issuesOf(text)).toEqual([
      '2:72 error targets[0].groupBy: `groupBy` must be a dotted path into the event (payload, payload.<key>... or headers.<name>), like payload.userId, got "body.id"',
      '3:11 error stickyBy: `stickyBy` must be a dotted path into the event (payload, payload.<key>... or headers.<name>), like payload.userId, got "headers.a.b"',
    ]);
  });
});

describe('parseRouteSource: parking', () => {
  it('requires the park queue to be an SQS queue, and groupBy only for a FIFO one', () => {
    const sns = yaml(`psarn: ${PSARN}:/a`, `targets: [{ arn: "${SQS}:a" }]`, 'park:', `  queue: ${SNS}:hold`);
    expect(issuesOf(sns)).toEqual([
      '4:10 error park.queue: the park queue must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>), not sns',
    ]);
    const standardWithGroup = yaml(
      `psarn: ${PSARN}:/a`,
      `targets: [{ arn: "${SQS}:a" }]`,
      'park:',
      `  queue: ${SQS}:hold`,
      '  groupBy: payload.tenant',
    );
    expect(issuesOf(standardWithGroup)).toEqual([
      '5:12 error park.groupBy: `groupBy` is only for a FIFO park queue (name ending in .fifo), not hold',
    ]);
  });

  it('keeps a FIFO holding queue in one ordered group per route unless groupBy says otherwise', () => {
    const fifo = parseRouteSource(
      'r.yml',
      yaml(`psarn: ${PSARN}:/a`, `targets: [{ arn: "${SQS}:a" }]`, 'park:', `  queue: ${SQS}:hold.fifo`),
      CONTEXT,
    );
    expect(fifo.issues).toEqual([]);
    expect(fifo.routes[0]?.route.park).toEqual({
      queue: `${SQS}:hold.fifo`,
      enabled: false,
      groupBy: 'psarn',
    });
  });

  it('rejects onFailure: park without a park queue, and keeps an explicit dlq with one', () => {
    expect(issuesOf(yaml(`psarn: ${PSARN}:/a`, `targets: [{ arn: "${SQS}:a" }]`, 'onFailure: park'))).toEqual(
      [
        '3:12 error onFailure: `onFailure: park` needs a park queue: add `park: {queue: <SQS queue ARN>}` or use `onFailure: dlq`',
      ],
    );
    const result = parseRouteSource(
      'r.yml',
      yaml(
        `psarn: ${PSARN}:/a`,
        `targets: [{ arn: "${SQS}:a" }]`,
        `park: { queue: "${SQS}:h", enabled: true }`,
        'onFailure: dlq',
      ),
      CONTEXT,
    );
    expect(result.routes[0]?.route).toMatchObject({
      park: { queue: `${SQS}:h`, enabled: true },
      onFailure: 'dlq',
    });
  });
});
