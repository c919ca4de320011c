// Properties of the registration merge that the promises rest on: a re-deploy writes nothing
// (merging again what a merge published changes nothing), the route files' own targets are never
// touched, and no route ever names a target twice.
import fc from 'fast-check';
import { mergeRegistrations, withoutRegistrations } from '../../src/registration/merge';
import type { Registration, RegistrationSet } from '../../src/registration/model';
import type { Route } from '../../src/routes/model';

const psarns = ['/a', '/b', '/c'].map((p) => `arn:aws:psarns:eu-west-1:123456789012:${p}`);
const arns = ['f1', 'f2', 'f3', 'f4'].map((n) => `arn:aws:lambda:eu-west-1:123456789012:function:${n}`);

const fileRoute = fc.record({
  psarn: fc.constantFrom(...psarns.slice(0, 2)),
  targets: fc.uniqueArray(fc.constantFrom(...arns), { minLength: 1, maxLength: 3 }),
  weight: fc.integer({ min: 1, max: 100 }),
});
const base = fc.uniqueArray(fileRoute, { selector: (r) => r.psarn, maxLength: 2 }).map((list) =>
  list.map((r): Route => ({
    psarn: r.psarn,
    ttl: 60,
    targets: r.targets.map((arn) => ({ arn, kind: 'lambda', weight: r.weight })),
    fanout: [],
    onFailure: 'dlq',
  })),
);
const registration = fc
  .record({
    psarn: fc.constantFrom(...psarns),
    arn: fc.constantFrom(...arns),
    split: fc.boolean(),
    weight: fc.integer({ min: 1, max: 50 }),
    create: fc.boolean(),
  })
  .map((r): Registration => ({
    psarn: r.psarn,
    target: { arn: r.arn, kind: 'lambda' },
    role: r.split ? 'split' : 'fanout',
    ...(r.split ? { weight: r.weight } : {}),
    ...(r.create ? { create: {} } : {}),
  }));
const sets = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      since: fc.integer({ min: 0, max: 3 }),
      registrations: fc.array(registration, { maxLength: 4 }),
    }),
    { selector: (s) => s.name },
  )
  .map((list) =>
    list.map((s): RegistrationSet => ({
      registrant: `${s.name}/prod`,
      registrations: s.registrations,
      since: `2026-12-01T00:00:0${s.since}.000Z`,
      at: '2026-12-01T00:00:09.000Z',
      by: 'ci',
    })),
  );

describe('mergeRegistrations (properties)', () => {
  it('is stable: merging into what a merge published gives the same routes', () => {
    fc.assert(
      fc.property(base, sets, (files, regs) => {
        const once = mergeRegistrations(files, regs).routes;
        expect(mergeRegistrations(withoutRegistrations(once), regs).routes).toEqual(once);
      }),
    );
  });

  it("keeps every route file target as written, first, in the file's order", () => {
    fc.assert(
      fc.property(base, sets, (files, regs) => {
        const merged = new Map(mergeRegistrations(files, regs).routes.map((r) => [r.psarn, r]));
        for (const route of files) {
          expect(merged.get(route.psarn)?.targets.slice(0, route.targets.length)).toEqual(route.targets);
        }
      }),
    );
  });

  it('never names a target twice in one route, and only marks what registrations added', () => {
    fc.assert(
      fc.property(base, sets, (files, regs) => {
        for (const route of mergeRegistrations(files, regs).routes) {
          const named = [...route.targets, ...route.fanout];
          expect(new Set(named.map((t) => t.arn)).size).toBe(named.length);
          expect(named.length).toBeGreaterThan(0);
        }
        expect(withoutRegistrations(mergeRegistrations(files, regs).routes)).toEqual(
          [...files].sort((a, b) => (a.psarn < b.psarn ? -1 : 1)),
        );
      }),
    );
  });
});
