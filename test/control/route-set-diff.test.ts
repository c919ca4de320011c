import fc from 'fast-check';
import { canonicalJson } from '../../src/control/canonical-json';
import { diffRouteSets } from '../../src/control/route-set-diff';
import type { Route } from '../../src/routes/model';
import { lambdaArn, route, split } from './route-fixtures';

/** A route set: unique names, each with a ttl and a weight that may differ between two sets. */
const routeSet = fc
  .uniqueArray(
    fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), ttl: fc.integer({ min: 1, max: 3 }) }),
    {
      selector: (r) => r.name,
    },
  )
  .map((specs) => specs.map(({ name, ttl }) => route(name, { ttl, targets: [split(lambdaArn(name), 1)] })));

/** Apply a diff to the live set the way a reader sees the next release. */
function applyDiff(live: readonly Route[], next: readonly Route[]): Route[] {
  const diff = diffRouteSets(new Map(live.map((r) => [r.psarn, r])), next);
  const out = new Map(live.map((r) => [r.psarn, r]));
  for (const r of diff.added) out.set(r.psarn, r);
  for (const { after } of diff.updated) out.set(after.psarn, after);
  for (const r of diff.removed) out.delete(r.psarn);
  return [...out.values()].sort((x, y) => (x.psarn < y.psarn ? -1 : 1));
}

describe('diffRouteSets', () => {
  it('finds no change between a set and itself', () => {
    fc.assert(
      fc.property(routeSet, (set) => {
        expect(diffRouteSets(new Map(set.map((r) => [r.psarn, r])), set).touched).toEqual([]);
      }),
    );
  });

  it('writes exactly what turns the live set into the next one', () => {
    fc.assert(
      fc.property(routeSet, routeSet, (live, next) => {
        const sorted = [...next].sort((x, y) => (x.psarn < y.psarn ? -1 : 1));
        expect(applyDiff(live, next)).toEqual(sorted);
      }),
    );
  });

  it('ignores key order when comparing routes', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});
