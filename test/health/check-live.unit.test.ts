/** Which targets `psarn check` probes: every real target a live route can send to. */
import { targetsOf } from '../../src/health/check-live';
import type { Route } from '../../src/routes/model';
import { lambdaArn, route, snsArn, split, sqsArn, target } from '../support/routes';

it("probes split, fanout and the callers' overrides' targets, never aliases", () => {
  const other = route('/event/other', { targets: [split(sqsArn('o'), 1)] });
  const r: Route = {
    ...route('/event/a', {
      targets: [split(lambdaArn('a'), 1), split(other.psarn, 1)],
      fanout: [target(snsArn('t'))],
    }),
    callers: [
      {
        match: { labels: { deployment: 'blue' } },
        targets: [split(lambdaArn('blue'), 1)],
        fanout: [target(sqsArn('blue-audit'))],
      },
    ],
  };
  expect(targetsOf([r])).toEqual(
    [lambdaArn('a'), lambdaArn('blue'), snsArn('t'), sqsArn('blue-audit')].sort(),
  );
});
