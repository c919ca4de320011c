import fc from 'fast-check';
import type { TargetKind } from '../../src/psarn/target-arn';
import type { Route, SplitTarget, TargetRef } from '../../src/routes/model';
import { psarnOf } from '../support/routes';

/**
 * Route sets for renderer properties: real-looking psARNs that alias each other, plus target ARNs
 * that are arbitrary text (quotes, `#`, `|`, `<`, back-ticks, `end`, line breaks), so a renderer
 * that forgets to escape anything produces a line the grammar check rejects.
 */
const kinds: TargetKind[] = ['lambda', 'sqs', 'sns', 'events'];
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('end', 'o', 'x', '"', '#quot;', 'a|b', '<b>', '`md`', 'line\nbreak', '\\', '%%'),
);
const paths = ['/event/a', '/event/b', '/event/c', '/event/end', '/event/o-x'];

const targetRef: fc.Arbitrary<TargetRef> = fc.oneof(
  fc.record({ arn: nasty, kind: fc.constantFrom(...kinds) }),
  fc.record({ arn: fc.constantFrom(...paths).map(psarnOf), kind: fc.constant<TargetKind>('psarn') }),
);
const splitTarget: fc.Arbitrary<SplitTarget> = fc
  .tuple(targetRef, fc.integer({ min: 0, max: 100 }))
  .map(([t, weight]) => ({ ...t, weight }));

const arbitraryRoute: fc.Arbitrary<Route> = fc
  .record({
    psarn: fc.constantFrom(...paths).map(psarnOf),
    ttl: fc.constant(60),
    targets: fc.array(splitTarget, { maxLength: 3 }),
    fanout: fc.array(targetRef, { maxLength: 3 }),
    onFailure: fc.constantFrom('park' as const, 'dlq' as const),
    park: fc.option(fc.record({ queue: nasty, enabled: fc.boolean() }), { nil: undefined }),
  })
  .map((r) => {
    const { park, ...rest } = r;
    return park === undefined ? rest : { ...rest, park };
  });

/** 1 to 5 routes with distinct psARNs. */
export const arbitraryRoutes: fc.Arbitrary<Route[]> = fc.uniqueArray(arbitraryRoute, {
  minLength: 1,
  maxLength: 5,
  selector: (r) => r.psarn,
});
