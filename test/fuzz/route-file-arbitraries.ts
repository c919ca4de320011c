import fc from 'fast-check';
import { stringify } from 'yaml';

/**
 * Route files as text: valid routes (rendered by the `yaml` library from generated route
 * objects), the same routes mutated (typos of keys, wrong types, missing fields, text edits that
 * break the YAML) and hand-written hostile YAML (an alias bomb, deep nesting, tags, directives,
 * multi-document files with a broken document, binary junk, huge numbers and strings).
 */
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CONTEXT = { stage: 'dev', region: REGION, account: ACCOUNT } as const;

// fc.stringMatching is slow to generate from; a prefix and a small alphabet say the same.
const nameChars = fc.constantFrom(...'abcxyzABZ0189_-');
const name = fc.string({ unit: nameChars, maxLength: 11 }).map((s) => `n${s}`);
const lambda = name.map((n) => `arn:aws:lambda:\${region}:\${account}:function:${n}`);
const sqs = name.map((n) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${n}`);
const fifo = name.map((n) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${n}.fifo`);
const sns = name.map((n) => `arn:aws:sns:${REGION}:${ACCOUNT}:${n}`);
const bus = name.map((n) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${n}`);
const eventPath = fc.constantFrom('payload', 'payload.userId', 'payload.items.0.id', 'headers.tenant');

const fanoutTarget: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  lambda.map((arn) => ({ arn })),
  sqs.map((arn) => ({ arn })),
  sns.map((arn) => ({ arn })),
  fc.tuple(bus, fc.option(name, { nil: undefined })).map(([arn, detailType]) => ({
    arn,
    ...(detailType === undefined ? {} : { detailType }),
  })),
  fc.tuple(fifo, eventPath).map(([arn, groupBy]) => ({ arn, groupBy })),
);

/** A valid route under `/fuzz/<id>/...`: each generated file gets its own id, so no duplicates. */
export const validRoute = (id: string): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record(
      {
        segments: fc.array(fc.string({ unit: nameChars, minLength: 1, maxLength: 10 }), {
          minLength: 1,
          maxLength: 3,
        }),
        // `${…}` is substitution syntax: a valid file names only ${stage}, ${region}, ${account}.
        description: fc.string({ maxLength: 20 }).filter((d) => !d.includes('${')),
        ttl: fc.integer({ min: 0, max: 86_400 }),
        targets: fc.array(fc.tuple(fanoutTarget, fc.integer({ min: 1, max: 100 })), {
          minLength: 1,
          maxLength: 3,
        }),
        stickyBy: eventPath,
        fanout: fc.array(fanoutTarget, { maxLength: 2 }),
        park: fc.record({ queue: sqs, enabled: fc.boolean() }, { requiredKeys: ['queue'] }),
        stages: fc.dictionary(
          fc.constantFrom('dev', 'prod', 'qa'),
          fc.record({ ttl: fc.integer({ min: 0, max: 900 }) }),
          {
            maxKeys: 2,
          },
        ),
      },
      { requiredKeys: ['segments', 'targets'] },
    )
    .map((r) => ({
      psarn: `arn:aws:psarns:\${region}:\${account}:/fuzz/${id}/${r.segments.join('/')}`,
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(r.ttl === undefined ? {} : { ttl: r.ttl }),
      targets: r.targets.map(([t, weight]) => ({ ...t, weight })),
      ...(r.stickyBy === undefined ? {} : { stickyBy: r.stickyBy }),
      ...(r.fanout === undefined || r.fanout.length === 0 ? {} : { fanout: r.fanout }),
      ...(r.park === undefined ? {} : { park: r.park, onFailure: 'park' }),
      ...(r.stages === undefined ? {} : { stages: r.stages }),
    }));

/** One to three valid routes as one file: a map, a list, or `---` documents. */
export const validFile = (id: string): fc.Arbitrary<{ text: string; routes: number }> =>
  fc
    .tuple(
      fc.array(validRoute(id), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('map', 'list', 'documents'),
    )
    .map(([routes, shape]) => {
      // Distinct psARNs within the file.
      const unique = routes.map((r, i) => ({ ...r, psarn: `${String(r.psarn)}/r${i}` }));
      const text =
        shape === 'list' || unique.length > 1
          ? shape === 'documents'
            ? unique.map((r) => stringify(r)).join('---\n')
            : stringify(unique)
          : stringify(unique[0]);
      return { text, routes: unique.length };
    });

const KEYS = [
  'psarn',
  'description',
  'ttl',
  'targets',
  'stickyBy',
  'fanout',
  'park',
  'onFailure',
  'stages',
  'arn',
  'weight',
  'detailType',
  'groupBy',
  'queue',
  'enabled',
];
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    0,
    -1,
    1.5,
    1e308,
    '',
    'x',
    [],
    {},
    [1, 2],
    { a: 1 },
    '${regoin}',
    '${stage',
    'arn:aws:sqs:::',
  ),
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Typo of a key: a swap, a dropped or doubled letter, a case change. */
const typo = (key: string, i: number, how: number): string => {
  const at = i % Math.max(1, key.length - 1);
  switch (how % 4) {
    case 0:
      return key.slice(0, at) + (key[at + 1] ?? '') + (key[at] ?? '') + key.slice(at + 2);
    case 1:
      return key.slice(0, at) + key.slice(at + 1);
    case 2:
      return key.slice(0, at) + (key[at] ?? '') + key.slice(at);
    default:
      return key.toLowerCase() === key ? key.toUpperCase() : key.toLowerCase();
  }
};

/** Apply one structural mutation somewhere in a route object. */
function mutateObject(value: unknown, pick: number, op: number, replacement: unknown): unknown {
  const objects: Record<string, unknown>[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null) {
      objects.push(v as Record<string, unknown>);
      Object.values(v).forEach(collect);
    }
  };
  const copy = structuredClone(value);
  collect(copy);
  const target = objects[pick % Math.max(1, objects.length)];
  if (target === undefined) return replacement;
  const keys = Object.keys(target);
  const key = keys[pick % Math.max(1, keys.length)] ?? KEYS[pick % KEYS.length] ?? 'psarn';
  switch (op % 5) {
    case 0: {
      const v = target[key];
      delete target[key];
      target[typo(key, pick, op >> 3)] = v;
      break;
    }
    case 1:
      target[key] = replacement;
      break;
    case 2:
      delete target[key];
      break;
    case 3:
      target[KEYS[pick % KEYS.length] ?? 'psarn'] = replacement;
      break;
    default:
      target[`x${key}`] = replacement;
  }
  return copy;
}

/** Text-level edits that often break the YAML itself. */
const TEXT_INSERTS = [
  '\n',
  ':',
  ': ',
  '- ',
  '  ',
  '\t',
  '&a ',
  '*a',
  '*nope',
  '!!binary ',
  '!!int ',
  '!foo ',
  '!!map ',
  '? ',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '#',
  '|',
  '>',
  '\u0000',
  '\ufeff',
  '\ud800',
  '\ufffe',
  '<<: *a\n',
  '${region}',
  '${nope}',
];
function mutateText(text: string, at: number, op: number, insert: string): string {
  const i = at % (text.length + 1);
  const lines = text.split('\n');
  const li = at % Math.max(1, lines.length);
  switch (op % 6) {
    case 0:
      return text.slice(0, i) + insert + text.slice(i);
    case 1:
      return text.slice(0, i);
    case 2:
      return text.slice(0, i) + text.slice(i + 1 + (op % 7));
    case 3: // a duplicate key: the same line twice
      return [...lines.slice(0, li + 1), lines[li] ?? '', ...lines.slice(li + 1)].join('\n');
    case 4: // re-indent one line
      return [...lines.slice(0, li), ` ${lines[li] ?? ''}`, ...lines.slice(li + 1)].join('\n');
    default:
      return `${text}\n${insert}`;
  }
}

export const mutatedFile = (id: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(
        fc.array(validRoute(id), { minLength: 1, maxLength: 2 }),
        fc.nat(),
        fc.nat(),
        wrongValue,
        fc.boolean(),
      )
      .map(([routes, pick, op, replacement, asList]) => {
        const mutated = mutateObject(asList ? routes : routes[0], pick, op, replacement);
        return stringify(mutated);
      }),
    fc
      .tuple(
        validFile(id),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(),
            fc.oneof(fc.constantFrom(...TEXT_INSERTS), fc.string({ maxLength: 6 })),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([file, edits]) =>
        edits.reduce((text, [at, op, insert]) => mutateText(text, at, op, insert), file.text),
      ),
  );

const ROUTE = `psarn: arn:aws:psarns:${REGION}:${ACCOUNT}:/fuzz/fixed\ntargets:\n  - arn: arn:aws:sqs:${REGION}:${ACCOUNT}:q\n`;
const bomb = (levels: number, width: number): string => {
  const lines = [`l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(`l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
};
export const ALIAS_BOMB = bomb(9, 9);
const deepFlow = (n: number) => `${ROUTE}description: ${'['.repeat(n)}${']'.repeat(n)}\n`;
const deepBlock = (n: number) =>
  `${ROUTE}stages:\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;

/** Hostile files cheap enough (under a few ms) to mix into every run. */
export const HOSTILE_FILES: readonly string[] = [
  `${ROUTE}x: &a [*a]\n`,
  deepFlow(200),
  `${ROUTE}ttl: ${'9'.repeat(400)}\n`,
  `${ROUTE}ttl: 1e400\n`,
  `${ROUTE}ttl: -.inf\n`,
  `${ROUTE}ttl: 0x${'f'.repeat(40)}\n`,
  '%YAML 1.1\n---\n' + `${ROUTE}description: !!binary aGVsbG8=\nstages: !!omap [dev: {ttl: 1}]\n`,
  '%YAML 1.1\n---\nbase: &b {ttl: 5}\n' + `${ROUTE}<<: *b\n`,
  '%YAML 9.9\n---\n' + ROUTE,
  '%TAG !e! tag:example.com,2000:\n---\n' + `${ROUTE}x: !e!foo 1\n`,
  `${ROUTE}description: !!str\n  - a\n`,
  `${ROUTE}? [a, b]\n: c\n`,
  `${ROUTE}psarn: again\n`,
  `${ROUTE}stages:\n  __proto__: {ttl: 3}\n  constructor: {ttl: 4}\n`,
  `__proto__: {psarn: x}\n${ROUTE}`,
  '\u0000\u0001\u0002\u00ff\ufffe\uffff\ud800',
  '\ufeff' + ROUTE,
  '---\n...\n---\n',
  '- ' + ROUTE.split('\n').join('\n  '),
  '[1, 2, 3]\n',
  '"just a string"\n',
  '*undefined\n',
  '&a\n',
  '!!null\n',
  '{',
  '\t' + ROUTE,
];

/**
 * Hostile files that cost tens of milliseconds each (alias bombs, thousands of levels, 200 KB):
 * each is loaded once on its own and mixed into the directory runs, not into the 9,000.
 */
export const EXPENSIVE_HOSTILE_FILES: readonly string[] = [
  ALIAS_BOMB,
  `${ROUTE}description: *l8\n${ALIAS_BOMB}`,
  `${ROUTE}---\n${ALIAS_BOMB}---\n${ROUTE.replace('/fuzz/fixed', '/fuzz/fixed2')}`,
  deepFlow(1000),
  deepFlow(5000),
  `${ROUTE}description: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`,
  deepBlock(300),
  deepBlock(1000),
  `${ROUTE}description: ${'x'.repeat(200_000)}\n`,
  `${ROUTE}"${'k'.repeat(5000)}": 1\n`,
  `? ${'k'.repeat(5000)}\n: 1\n${ROUTE}`,
  Array.from({ length: 300 }, (_, i) => `---\npsarn: x${i}`).join('\n'),
];

/** Bytes that are not text at all, read as UTF-8 the way loadRoutes reads a file. */
const binaryJunk = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8'));

/** Any route file: valid, mutated or hostile. `id` keeps its psARNs apart from other files'. */
export const routeFile = (id: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: validFile(id).map((f) => f.text) },
    { weight: 6, arbitrary: mutatedFile(id) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_FILES) },
    { weight: 1, arbitrary: binaryJunk },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  );
