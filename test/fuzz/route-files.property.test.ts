import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { RouteValidationError, type RouteIssue } from '../../src/errors';
import { loadRoutes, parseRouteSource, routesOrThrow, type LoadResult } from '../../src/routes/load';
import { loadRoutesOffline } from '../../src/cli/offline-context';
import { formatValidation } from '../../src/cli/validate';
import { ALIAS_BOMB, CONTEXT, EXPENSIVE_HOSTILE_FILES, routeFile, validFile } from './route-file-arbitraries';

/**
 * Route files under fuzzing: whatever a route file holds, loading it (parseRouteSource for one
 * file; loadRoutes via loadRoutesOffline, which `psarn validate` runs, for a directory) never throws and never crashes;
 * every problem is a RouteIssue with a file, line and column, and errors make routesOrThrow throw
 * a RouteValidationError. A hostile file does not hide the other files of its directory.
 *
 * Default: 10,000 files through parseRouteSource, + ~450 in 150 directories through
 * loadRoutesOffline (as psarn validate).
 * FUZZ_RUNS=<n> multiplies every numRuns by n; FUZZ_SEED=<seed> replays a run.
 */
const SCALE = Math.max(1, Number(process.env['FUZZ_RUNS'] ?? '1') || 1);
const runs = (n: number): number => Math.round(n * SCALE);
/** Jest's 60 s default is too tight for a loaded CI machine or a scaled-up run. */
const FUZZ_TIMEOUT_MS = 600_000 * SCALE;
// A fixed seed by default, so `npm test` is the same run every time (CI never fails on a new draw);
// FUZZ_SEED=<seed> replays another, FUZZ_SEED=random explores new inputs.
const seedText = process.env['FUZZ_SEED'] ?? '20261201';
const seed = seedText === 'random' ? {} : { seed: Number(seedText) };
export const NUM_RUNS = { files: runs(9000), valid: runs(1000), dirs: runs(150) };
const FILE = 'routes/fuzz.yml';

function issueProblems(issues: readonly RouteIssue[], files: readonly string[]): string[] {
  return issues.flatMap((i) => {
    const where = `${i.file}:${i.line}:${i.column} ${i.message.slice(0, 120)}`;
    const problems: string[] = [];
    if (!files.includes(i.file)) problems.push(`issue names file ${JSON.stringify(i.file)}: ${where}`);
    if (!Number.isInteger(i.line) || i.line < 1) problems.push(`issue without a line: ${where}`);
    if (!Number.isInteger(i.column) || i.column < 1) problems.push(`issue without a column: ${where}`);
    if (typeof i.message !== 'string' || i.message.length === 0)
      problems.push(`issue without a message: ${where}`);
    if (typeof i.path !== 'string') problems.push(`issue without a path: ${where}`);
    if (i.severity !== 'error' && i.severity !== 'warning')
      problems.push(`issue severity ${String(i.severity)}`);
    return problems;
  });
}

/** Issues are well-formed, routes positioned, and errors come out of routesOrThrow typed. */
function resultProblems(result: LoadResult): string[] {
  const problems = issueProblems(result.issues, result.files);
  for (const r of result.routes) {
    if (!result.files.includes(r.file) || !(r.line >= 1) || !(r.column >= 1))
      problems.push(`route ${r.route.psarn} at ${r.file}:${r.line}:${r.column}`);
  }
  const errors = result.issues.filter((i) => i.severity === 'error');
  try {
    routesOrThrow(result);
    if (errors.length > 0) problems.push('routesOrThrow did not throw for errors');
  } catch (err) {
    if (!(err instanceof RouteValidationError)) problems.push(`routesOrThrow threw ${String(err)}`);
    else if (err.issues !== result.issues) problems.push('RouteValidationError lost issues');
  }
  // What `psarn validate` prints must not fail either.
  formatValidation(result);
  return problems;
}

function parse(text: string): LoadResult {
  return parseRouteSource(FILE, text, CONTEXT);
}

const options = (numRuns: number) => ({ numRuns, ...seed });

describe('route files under fuzzing (property)', () => {
  it(
    `valid generated route files load without issues (${NUM_RUNS.valid} runs)`,
    () => {
      fc.assert(
        fc.property(validFile('v'), ({ text, routes }) => {
          const result = parse(text);
          expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
          expect(result.routes).toHaveLength(routes);
        }),
        options(NUM_RUNS.valid),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `any route file gives positioned issues, never an exception (${NUM_RUNS.files} runs)`,
    () => {
      fc.assert(
        fc.property(routeFile('f'), (text) => {
          expect(resultProblems(parse(text))).toEqual([]);
        }),
        options(NUM_RUNS.files),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(`each expensive hostile file (alias bombs, deep nesting, huge keys) gives positioned issues (${EXPENSIVE_HOSTILE_FILES.length} files)`, () => {
    for (const text of EXPENSIVE_HOSTILE_FILES) expect(resultProblems(parse(text))).toEqual([]);
  });

  it(
    `a hostile file in a directory does not hide the others (${NUM_RUNS.dirs} directories)`,
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'psarn-fuzz-routes-'));
      let n = 0;
      try {
        await expect(
          fc.assert(
            fc.asyncProperty(
              fc.array(
                fc.oneof(
                  { weight: 4, arbitrary: routeFile('h') },
                  fc.constantFrom(...EXPENSIVE_HOSTILE_FILES),
                ),
                {
                  minLength: 1,
                  maxLength: 2,
                },
              ),
              fc.array(validFile('g'), { minLength: 1, maxLength: 2 }),
              async (hostile, good) => {
                const dir = path.join(root, `d${n++}`);
                await mkdir(dir);
                // Good files keep psARNs apart from the hostile ones: /fuzz/g<i>/...
                const goods = good.map((g, i) => ({
                  ...g,
                  text: g.text.replaceAll('/fuzz/g/', `/fuzz/g${i}/`),
                }));
                const names = [...hostile.map((_, i) => `h${i}.yml`), ...goods.map((_, i) => `g${i}.yaml`)];
                await Promise.all([
                  ...hostile.map((text, i) => writeFile(path.join(dir, `h${i}.yml`), text)),
                  ...goods.map((g, i) => writeFile(path.join(dir, `g${i}.yaml`), g.text)),
                ]);
                // What `psarn validate` runs: with nothing set, ${region} / ${account} get the local
                // stack's values and the files are loaded a second time.
                const io = {
                  stdout: () => undefined,
                  stderr: () => undefined,
                  env: {},
                  cwd: root,
                  isTty: false,
                };
                const result = await loadRoutesOffline({ dir: path.relative(root, dir) }, io);
                const files = names.map((f) => path.join(path.relative(root, dir), f));
                expect(resultProblems(result)).toEqual([]);
                expect([...result.files].sort()).toEqual([...files].sort());
                for (const [i, g] of goods.entries()) {
                  const file = path.join(path.relative(root, dir), `g${i}.yaml`);
                  expect({ file, routes: result.routes.filter((r) => r.file === file).length }).toEqual({
                    file,
                    routes: g.routes,
                  });
                }
              },
            ),
            options(NUM_RUNS.dirs),
          ),
        ).resolves.toBeUndefined();
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('route files: found by fuzzing', () => {
  it('reports an alias bomb ("billion laughs") as a positioned YAML error, not an exception', () => {
    const result = parse(ALIAS_BOMB);
    expect(result.issues).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 1,
        column: 1,
        severity: 'error',
        message: expect.stringMatching(/^YAML: .*alias/),
      }),
    ]);
  });

  it('an alias bomb in one --- document does not hide the others', () => {
    const bombed = EXPENSIVE_HOSTILE_FILES[2] as string;
    const result = parse(bombed);
    expect(result.routes.map((r) => r.route.psarn)).toEqual([
      `arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/fuzz/fixed`,
      `arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/fuzz/fixed2`,
    ]);
    expect(result.issues).toEqual([
      expect.objectContaining({
        line: 5,
        column: 1,
        severity: 'error',
        message: expect.stringMatching(/^YAML: .*alias/),
      }),
    ]);
  });
});

describe('route directories: entries the loader must neither skip nor crash on', () => {
  const route = (p: string): string =>
    `psarn: arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:${p}\ntargets:\n  - arn: arn:aws:sqs:${CONTEXT.region}:${CONTEXT.account}:q\n`;
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'psarn-fuzz-dir-'));
    await mkdir(path.join(root, 'routes'));
    await mkdir(path.join(root, 'shared'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads a route file that is a symlink, like any other file (skipping it would let apply delete its routes)', async () => {
    await writeFile(path.join(root, 'shared', 'a.yml'), route('/shared/a'));
    await symlink(path.join('..', 'shared', 'a.yml'), path.join(root, 'routes', 'a.yml'));
    await writeFile(path.join(root, 'routes', 'b.yml'), route('/b'));
    const result = await loadRoutes({ dir: 'routes', cwd: root, context: CONTEXT });
    expect(result.issues).toEqual([]);
    expect(result.files).toEqual([path.join('routes', 'a.yml'), path.join('routes', 'b.yml')]);
    expect(result.routes.map((r) => r.route.psarn)).toEqual([
      `arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/shared/a`,
      `arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/b`,
    ]);
  });

  it('reports a *.yml symlink it cannot read at that file and still reads the rest; one to a directory is skipped like a directory', async () => {
    await symlink(path.join('..', 'shared', 'gone.yml'), path.join(root, 'routes', 'a.yml'));
    await symlink(path.join('..', 'shared'), path.join(root, 'routes', 'c.yml'));
    await writeFile(path.join(root, 'routes', 'b.yml'), route('/b'));
    const result = await loadRoutes({ dir: 'routes', cwd: root, context: CONTEXT });
    expect(result.routes.map((r) => r.route.psarn)).toEqual([
      `arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/b`,
    ]);
    expect(result.issues).toEqual([
      expect.objectContaining({
        file: path.join('routes', 'a.yml'),
        line: 1,
        column: 1,
        severity: 'error',
        message: expect.stringMatching(/^cannot read route file routes\/a\.yml: /),
      }),
    ]);
    expect(result.files).toEqual([path.join('routes', 'a.yml'), path.join('routes', 'b.yml')]);
  });
});

describe('route files: messages found by fuzzing', () => {
  const ROUTE = `psarn: arn:aws:psarns:${CONTEXT.region}:${CONTEXT.account}:/m\ntargets:\n  - arn: arn:aws:sqs:${CONTEXT.region}:${CONTEXT.account}:q\n`;

  it('a collection used as a map key is an issue of the file, not a Node warning on stderr', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const result = parse(`${ROUTE}? [a, b]\n: 1\n`);
      expect(result.issues).toEqual([
        expect.objectContaining({
          line: 4,
          column: 3,
          severity: 'error',
          message: expect.stringMatching(/^unknown key `\[ a, b \]`/),
        }),
      ]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('one wrong value gives one issue, even when it breaks two rules (ttl: a huge integer)', () => {
    expect(parse(`${ROUTE}ttl: ${'9'.repeat(30)}\n`).issues).toEqual([
      expect.objectContaining({ path: 'ttl', line: 4, column: 6 }),
    ]);
  });

  it.each([
    ['!!omap', 'stages: !!omap [dev: {ttl: 1}]', 'stages', /got an ordered map \(!!omap\)$/],
    ['!!set', 'description: !!set {a, b}', 'description', /got a set \(!!set\)$/],
    ['!!binary', 'description: !!binary aGVsbG8=', 'description', /got binary data \(!!binary\)$/],
    ['YAML 1.1 timestamp', 'description: 2001-12-14', 'description', /got a timestamp$/],
  ])('a %s value is named as what it is, not "a map"', (_tag, line, field, message) => {
    expect(parse(`%YAML 1.1\n---\n${ROUTE}${line}\n`).issues).toEqual([
      expect.objectContaining({ path: field, severity: 'error', message: expect.stringMatching(message) }),
    ]);
  });
});
