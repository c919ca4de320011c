import { mergeRegistrations, withoutRegistrations } from '../../src/registration/merge';
import type { Registration, RegistrationSet } from '../../src/registration/model';
import type { Route } from '../../src/routes/model';

const P = 'arn:aws:psarns:eu-west-1:123456789012:/event/newUser';
const lambda = (name: string): string => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
const fileRoute: Route = {
  psarn: P,
  ttl: 60,
  targets: [{ arn: lambda('v1'), kind: 'lambda', weight: 90 }],
  fanout: [],
  onFailure: 'dlq',
};

function split(arn: string, weight: number, extra: Partial<Registration> = {}): Registration {
  return { psarn: P, target: { arn, kind: 'lambda' }, role: 'split', weight, ...extra };
}
function set(
  registrant: string,
  registrations: Registration[],
  since = '2026-12-01T00:00:00.000Z',
): RegistrationSet {
  return { registrant, registrations, since, at: since, by: 'ci' };
}

describe('mergeRegistrations', () => {
  it('appends a registered split target with its weight and registeredBy', () => {
    const { routes, notes } = mergeRegistrations(
      [fileRoute],
      [set('signup/prod', [split(lambda('v3'), 10)])],
    );
    expect(routes[0]?.targets).toEqual([
      { arn: lambda('v1'), kind: 'lambda', weight: 90 },
      { arn: lambda('v3'), kind: 'lambda', weight: 10, registeredBy: 'signup/prod' },
    ]);
    expect(notes).toEqual([]);
  });

  it('appends a fanout registration to the fanout', () => {
    const reg: Registration = { psarn: P, target: { arn: lambda('audit'), kind: 'lambda' }, role: 'fanout' };
    const { routes } = mergeRegistrations([fileRoute], [set('audit/prod', [reg])]);
    expect(routes[0]?.fanout).toEqual([{ arn: lambda('audit'), kind: 'lambda', registeredBy: 'audit/prod' }]);
    expect(routes[0]?.targets).toHaveLength(1);
  });

  it('leaves a target the route file names as the file writes it', () => {
    const { routes, notes } = mergeRegistrations(
      [fileRoute],
      [set('signup/prod', [split(lambda('v1'), 50)])],
    );
    expect(routes).toEqual([fileRoute]);
    expect(notes).toEqual([{ kind: 'covered', registrant: 'signup/prod', psarn: P, arn: lambda('v1') }]);
  });

  it('gives a target two services register to the one that registered first, whatever the order given', () => {
    const early = set('a/prod', [split(lambda('v3'), 10)], '2026-12-01T00:00:00.000Z');
    const late = set('b/prod', [split(lambda('v3'), 70)], '2026-12-01T00:05:00.000Z');
    for (const sets of [
      [early, late],
      [late, early],
    ]) {
      const { routes, notes } = mergeRegistrations([fileRoute], sets);
      expect(routes[0]?.targets.at(-1)).toMatchObject({ weight: 10, registeredBy: 'a/prod' });
      expect(notes).toEqual([
        { kind: 'conflict', registrant: 'b/prod', psarn: P, arn: lambda('v3'), owner: 'a/prod' },
      ]);
    }
  });

  it('leaves a registration on a missing route dormant, unless it says create', () => {
    const dormant = mergeRegistrations([], [set('signup/prod', [split(lambda('v3'), 10)])]);
    expect(dormant.routes).toEqual([]);
    expect(dormant.notes.map((n) => n.kind)).toEqual(['dormant']);

    const created = mergeRegistrations(
      [],
      [set('signup/prod', [split(lambda('v3'), 10, { create: { ttl: 30 } })])],
    );
    expect(created.routes).toEqual([
      {
        psarn: P,
        ttl: 30,
        targets: [{ arn: lambda('v3'), kind: 'lambda', weight: 10, registeredBy: 'signup/prod' }],
        fanout: [],
        onFailure: 'dlq',
      },
    ]);
    expect(created.notes.map((n) => n.kind)).toEqual(['created']);
  });
});

describe('withoutRegistrations', () => {
  it('undoes a merge: registered targets go, routes only registrations made go too', () => {
    const other = 'arn:aws:psarns:eu-west-1:123456789012:/event/created';
    const sets = [
      set('signup/prod', [
        split(lambda('v3'), 10),
        { psarn: other, target: { arn: lambda('x'), kind: 'lambda' }, role: 'fanout', create: {} },
      ]),
    ];
    const merged = mergeRegistrations([fileRoute], sets);
    expect(merged.routes).toHaveLength(2);
    expect(withoutRegistrations(merged.routes)).toEqual([fileRoute]);
    // ...and merging again gives the same release: a re-deploy writes nothing.
    expect(mergeRegistrations(withoutRegistrations(merged.routes), sets).routes).toEqual(merged.routes);
  });
});
