import fc from 'fast-check';
import { buildCatalog, contractOf, filterCatalog, type CatalogInput } from '../../src/discovery/catalog';
import type { Route } from '../../src/routes/model';
import type { ReleaseRecord } from '../../src/store/release-store';

const P = 'arn:aws:psarns:eu-west-1:123456789012';
const L = 'arn:aws:lambda:eu-west-1:123456789012:function';
const Q = 'arn:aws:sqs:eu-west-1:123456789012';
const T = 'arn:aws:sns:eu-west-1:123456789012';

const signup: Route = {
  psarn: `${P}:/event/newUser`,
  description: 'New user sign-ups',
  owner: 'team-signup',
  labels: { team: 'signup', tier: '1' },
  ttl: 300,
  targets: [
    { arn: `${L}:signupV1`, kind: 'lambda', weight: 90 },
    { arn: `${L}:signupV2`, kind: 'lambda', weight: 10, registeredBy: 'signup-v2/dev' },
  ],
  stickyBy: 'payload.userId',
  fanout: [{ arn: `${T}:audit`, kind: 'sns', registeredBy: 'audit/dev' }],
  park: { queue: `${Q}:holding`, enabled: false },
  onFailure: 'park',
};

const email: Route = {
  psarn: `${P}:/email/send`,
  ttl: 60,
  targets: [{ arn: `${Q}:email`, kind: 'sqs', weight: 1 }],
  fanout: [],
  onFailure: 'dlq',
};

function release(n: number, changed: string[], extra: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    release: n,
    at: `2026-12-0${n}T10:00:00.000Z`,
    by: `op${n}@ci`,
    summary: `release ${n}`,
    changed,
    ...extra,
  };
}

function input(overrides: Partial<CatalogInput> = {}): CatalogInput {
  return {
    stage: 'dev',
    table: 'psarn-dev-routes',
    release: 3,
    routes: [signup, email],
    releases: [release(1, [signup.psarn, email.psarn]), release(2, [signup.psarn])],
    ...overrides,
  };
}

describe('buildCatalog', () => {
  it('lists every live route by psARN with its owner, labels, targets and normalised split', () => {
    const catalog = buildCatalog(input());
    expect(catalog).toMatchObject({ version: 1, stage: 'dev', table: 'psarn-dev-routes', release: 3 });
    expect(catalog.routes.map((r) => r.path)).toEqual(['/email/send', '/event/newUser']);
    expect(catalog.routes[1]).toEqual({
      psarn: signup.psarn,
      path: '/event/newUser',
      description: 'New user sign-ups',
      owner: 'team-signup',
      labels: { team: 'signup', tier: '1' },
      ttl: 300,
      stickyBy: 'payload.userId',
      onFailure: 'park',
      parked: false,
      split: [
        { arn: `${L}:signupV1`, kind: 'lambda', registeredBy: null, weight: 90, percent: 90 },
        { arn: `${L}:signupV2`, kind: 'lambda', registeredBy: 'signup-v2/dev', weight: 10, percent: 10 },
      ],
      fanout: [{ arn: `${T}:audit`, kind: 'sns', registeredBy: 'audit/dev' }],
      park: { queue: `${Q}:holding`, enabled: false },
      contract: { schema: false, summary: null },
      registeredBy: ['audit/dev', 'signup-v2/dev'],
      lastChanged: { release: 2, at: '2026-12-02T10:00:00.000Z', by: 'op2@ci', summary: 'release 2' },
    });
  });

  it('fills absent fields with null or empty values so the JSON shape never changes', () => {
    const [row] = buildCatalog(input()).routes;
    expect(row).toMatchObject({
      description: null,
      owner: null,
      labels: {},
      stickyBy: null,
      park: null,
      parked: false,
      fanout: [],
      registeredBy: [],
      lastChanged: { release: 1 },
    });
  });

  it('takes the newest release that changed a route, ignoring records above the live release', () => {
    const releases = [
      release(2, [email.psarn]),
      release(1, [email.psarn, signup.psarn]),
      release(4, [email.psarn]), // not committed as live (rolled past or pending): above release 3
    ];
    const rows = buildCatalog(input({ releases })).routes;
    expect(rows.map((r) => r.lastChanged?.release ?? null)).toEqual([2, 1]);
  });

  it('says null when no release record names the route (records from before audit, or pruned)', () => {
    expect(buildCatalog(input({ releases: [] })).routes.map((r) => r.lastChanged)).toEqual([null, null]);
  });

  it('normalises weights that do not sum to 100, to two decimals', () => {
    const thirds: Route = {
      ...email,
      targets: [1, 1, 1].map((weight, i) => ({ arn: `${Q}:q${i}`, kind: 'sqs' as const, weight })),
    };
    expect(buildCatalog(input({ routes: [thirds] })).routes[0]?.split.map((t) => t.percent)).toEqual([
      33.33, 33.33, 33.33,
    ]);
  });

  it('keeps every split share between 0 and 100 and the shares summing to 100 within rounding', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 12 })
          .filter((w) => w.some((x) => x > 0)),
        (weights) => {
          const route: Route = {
            ...email,
            targets: weights.map((weight, i) => ({ arn: `${Q}:q${i}`, kind: 'sqs' as const, weight })),
          };
          const shares =
            buildCatalog(input({ routes: [route] })).routes[0]?.split.map((t) => t.percent) ?? [];
          expect(shares.every((s) => s >= 0 && s <= 100)).toBe(true);
          expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(
            0.005 * weights.length,
          );
        },
      ),
    );
  });

  it('marks a parked route', () => {
    const parked: Route = { ...signup, park: { queue: `${Q}:holding`, enabled: true } };
    expect(buildCatalog(input({ routes: [parked] })).routes[0]).toMatchObject({
      parked: true,
      park: { enabled: true },
    });
  });

  it('ignores a registeredBy that is no non-empty string (a release edited by hand)', () => {
    const odd = {
      ...email,
      targets: [{ arn: `${Q}:email`, kind: 'sqs', weight: 1, registeredBy: 42 }],
      fanout: [{ arn: `${T}:audit`, kind: 'sns', registeredBy: '' }],
    } as unknown as Route;
    const [row] = buildCatalog(input({ routes: [odd] })).routes;
    expect(row?.split[0]?.registeredBy).toBeNull();
    expect(row?.fanout[0]?.registeredBy).toBeNull();
    expect(row?.registeredBy).toEqual([]);
  });
});

describe('contractOf', () => {
  const withSchema = (schema: unknown, extra: Record<string, unknown> = {}): Route =>
    ({ ...email, schema, ...extra }) as unknown as Route;

  it('says no schema for a route without one, and for a null left by an older writer', () => {
    expect(contractOf(email)).toEqual({ schema: false, summary: null });
    expect(contractOf(withSchema(null))).toEqual({ schema: false, summary: null });
  });

  it('summarises a JSON Schema by its title, type and first required properties', () => {
    expect(contractOf(withSchema({ type: 'object', required: ['userId'] }))).toEqual({
      schema: true,
      summary: 'object, requires userId',
    });
    expect(
      contractOf(withSchema({ title: 'NewUser', type: 'object', required: ['a', 'b', 'c', 'd', 'e'] }))
        .summary,
    ).toBe('NewUser: object, requires a, b, c +2 more');
    expect(contractOf(withSchema({ type: ['object', 'null'] })).summary).toBe('object | null');
    expect(contractOf(withSchema({ $ref: '#/definitions/x' })).summary).toBe('JSON Schema');
  });

  it('names what happens to an invalid payload when the route says', () => {
    expect(contractOf(withSchema({ type: 'object' }, { onInvalid: 'park' })).summary).toBe(
      'object; invalid: park',
    );
  });

  it('reads odd schema values without throwing: booleans, strings, lists, odd field types', () => {
    expect(contractOf(withSchema(true)).summary).toBe('any payload (schema true)');
    expect(contractOf(withSchema(false)).summary).toBe('no payload passes (schema false)');
    expect(contractOf(withSchema('./new-user.schema.json')).summary).toBe('schema ./new-user.schema.json');
    expect(contractOf(withSchema([1, 2])).summary).toBe('schema (not a JSON Schema object)');
    expect(contractOf(withSchema({ type: 7, required: 'userId', title: {} })).summary).toBe('JSON Schema');
  });

  it('keeps a hostile summary to one short line', () => {
    const summary = contractOf(
      withSchema({ title: `evil\n\u001b[31m${'x'.repeat(500)}`, type: 'object' }),
    ).summary;
    expect(summary).not.toContain('\n');
    expect(summary).not.toContain('\u001b');
    expect(summary?.length).toBeLessThanOrEqual(80);
    expect(summary?.endsWith('…')).toBe(true);
  });
});

describe('filterCatalog', () => {
  const catalog = buildCatalog(input());
  const paths = (filter: Parameters<typeof filterCatalog>[1]): string[] =>
    filterCatalog(catalog, filter).routes.map((r) => r.path);

  it('keeps everything without conditions', () => {
    expect(paths({})).toEqual(['/email/send', '/event/newUser']);
  });

  it('finds routes by psARN, path, or a prefix that ends at a segment', () => {
    expect(paths({ name: signup.psarn })).toEqual(['/event/newUser']);
    expect(paths({ name: '/event/newUser' })).toEqual(['/event/newUser']);
    expect(paths({ name: '/event' })).toEqual(['/event/newUser']);
    expect(paths({ name: '/event/' })).toEqual(['/event/newUser']);
    expect(paths({ name: `${P}:/email` })).toEqual(['/email/send']);
    expect(paths({ name: '/event/new' })).toEqual([]);
  });

  it('matches owner and every label exactly', () => {
    expect(paths({ owner: 'team-signup' })).toEqual(['/event/newUser']);
    expect(paths({ labels: { team: 'signup' } })).toEqual(['/event/newUser']);
    expect(paths({ labels: { team: 'signup', tier: '2' } })).toEqual([]);
    expect(paths({ labels: { constructor: 'x' } })).toEqual([]);
  });
});
