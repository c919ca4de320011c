import type { RouteIssue } from '../errors';
import { didYouMean } from './did-you-mean';
import { formatFieldPath, type FieldPath } from './field-path';
import type { RouteContext } from './model';
import { normaliseRoute } from './normalise';
import { sortIssues, type LoadResult, type LocatedRoute } from './result';
import { RawRouteSchema, type RawRoute } from './schema';
import { mergeStage } from './stage-merge';
import { reportUnknownVariables, substituteRoute, type Reporter } from './substitute-route';
import { readRouteDocuments } from './yaml-documents';
import { shapeProblems, type ShapeProblem } from './zod-issues';
import type { ContractSources } from '../contracts/normalise-contracts';

/**
 * Validate one route file's text for one stage: YAML, the schema, variables, stage overrides,
 * defaults and the rules within a route. Checks that need every route (duplicate psARNs,
 * aliases) are not made here; `loadRoutes` makes them over all files.
 *
 * @example
 * const { routes, issues } = parseRouteSource('routes/email.yml', text, { stage: 'dev', region, account });
 */
export function parseRouteSource(file: string, text: string, context: RouteContext): LoadResult {
  const { routes, issues } = locateRouteSource(file, text, context);
  return {
    routes: routes.map(({ route, line, column }) => ({ route, file, line, column })),
    issues,
    files: [file],
  };
}

/** {@link parseRouteSource}, keeping each route's locator for the checks across routes. */
export function locateRouteSource(
  file: string,
  text: string,
  context: RouteContext,
  sources?: ContractSources,
): { routes: LocatedRoute[]; issues: RouteIssue[]; invalid: string[] } {
  const issues: RouteIssue[] = [];
  /** psARNs of the routes this file defines but that were rejected for their own errors. */
  const invalid: string[] = [];
  const { routes: documents, problems } = readRouteDocuments(text);
  for (const problem of problems) {
    issues.push({
      file,
      line: problem.line,
      column: problem.column,
      path: '',
      message: problem.message,
      severity: problem.severity,
    });
  }
  if (documents.length === 0 && problems.length === 0) {
    issues.push({
      file,
      line: 1,
      column: 1,
      path: '',
      message: 'the file defines no routes',
      severity: 'warning',
    });
  }

  const routes: LocatedRoute[] = [];
  for (const document of documents) {
    const rejected = (): void => {
      const psarn = declaredPsarn(document.value, context);
      if (psarn !== undefined) invalid.push(psarn);
    };
    const issueAt = (
      docPath: FieldPath,
      message: string,
      severity: 'error' | 'warning' = 'error',
      atKey = false,
    ): void => {
      const path = formatFieldPath(docPath);
      if (meant.has(path)) return;
      const { line, column } = document.locate(docPath, atKey);
      issues.push({ file, line, column, path, message, severity });
    };

    const raw = parseRaw(document.value);
    let meant = new Set<string>();
    for (const problem of raw.problems) issueAt(problem.path, problem.message, 'error', problem.atKey);
    // `weigth: 10` already says "did you mean `weight`?"; "weight is required" would repeat it.
    // Likewise a value already reported as wrong (`weight: -1`) is not reported again as missing.
    meant = new Set(
      raw.problems.flatMap((p) =>
        p.meant !== undefined ? [formatFieldPath(p.meant)] : p.atKey ? [] : [formatFieldPath(p.path)],
      ),
    );
    if (raw.data === undefined) {
      rejected();
      continue;
    }
    for (const name of Object.keys(raw.data.stages ?? {})) {
      if (context.stages === undefined || context.stages.includes(name)) continue;
      const meantStage = didYouMean(name, context.stages);
      issueAt(
        ['stages', name],
        `unknown stage \`${name}\`: ${meantStage === undefined ? '' : `did you mean \`${meantStage}\`? `}` +
          `serverless.yml custom.psarn.stages declares ${context.stages.join(', ')}; this block would never apply`,
        'error',
        true,
      );
    }
    const documentReport: Reporter = (path, message, severity) => issueAt(path, message, severity);
    if (reportUnknownVariables(raw.data, documentReport)) {
      rejected();
      continue;
    }

    const staged = mergeStage(raw.data, context.stage);
    const report: Reporter = (path, message, severity) => issueAt(staged.origin(path), message, severity);
    const fields = substituteRoute(staged.fields, context, report);
    if (fields === undefined) {
      rejected();
      continue;
    }
    const route = normaliseRoute(fields, report, sources);
    if (route === undefined || raw.problems.length > 0) {
      rejected();
      continue;
    }
    routes.push({
      route,
      file,
      line: document.position.line,
      column: document.position.column,
      locate: (path) => {
        const docPath = staged.origin(path);
        return { ...document.locate(docPath), path: formatFieldPath(docPath) };
      },
    });
  }
  return { routes, issues: sortIssues(issues, [file]), invalid };
}

/** The psARN a route document declares, with the context's variables, if it names one at all. */
function declaredPsarn(value: unknown, context: RouteContext): string | undefined {
  const psarn = (value as { psarn?: unknown } | null)?.psarn;
  if (typeof psarn !== 'string') return undefined;
  const values: Record<string, string | undefined> = {
    stage: context.stage,
    region: context.region,
    account: context.account,
  };
  return psarn.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Validate a route's raw shape. When the only problems are unknown keys, the route is checked
 * further without them, so a typo does not hide the route's other problems; it is still
 * reported and the route is still rejected.
 */
function parseRaw(value: unknown): { data?: RawRoute; problems: ShapeProblem[] } {
  const parsed = RawRouteSchema.safeParse(value, { reportInput: true });
  if (parsed.success) return { data: parsed.data, problems: [] };
  const problems = shapeProblems(parsed.error.issues);
  // Checked further without the offending keys (a typo, a negative weight, a ttl out of range),
  // so one mistake does not hide the route's other problems; the route is still rejected. When a
  // removed key was required, the route's shape is too broken to check further.
  const paths = problems.filter((p) => p.path.length > 0).map((p) => p.path);
  if (paths.length < problems.length) return { problems };
  const retried = RawRouteSchema.safeParse(withoutPaths(value, paths));
  return retried.success ? { data: retried.data, problems } : { problems };
}

/** A copy of `value` without the keys at `paths`. */
function withoutPaths(value: unknown, paths: readonly FieldPath[]): unknown {
  const copy: unknown = structuredClone(value);
  for (const path of paths) {
    let parent: unknown = copy;
    for (const part of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[part];
    const last = path.at(-1);
    if (parent !== null && typeof parent === 'object' && last !== undefined) {
      delete (parent as Record<string | number, unknown>)[last];
    }
  }
  return copy;
}
