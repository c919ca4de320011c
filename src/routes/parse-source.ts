import type { RouteIssue } from '../errors';
import { formatFieldPath, type FieldPath } from './field-path';
import type { RouteContext } from './model';
import { normaliseRoute } from './normalise';
import { sortIssues, type LoadResult, type LocatedRoute } from './result';
import { RawRouteSchema } from './schema';
import { mergeStage } from './stage-merge';
import { reportUnknownVariables, substituteRoute, type Reporter } from './substitute-route';
import { readRouteDocuments } from './yaml-documents';
import { shapeProblems } from './zod-issues';

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
): { routes: LocatedRoute[]; issues: RouteIssue[] } {
  const issues: RouteIssue[] = [];
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
    const issueAt = (
      docPath: FieldPath,
      message: string,
      severity: 'error' | 'warning' = 'error',
      atKey = false,
    ): void => {
      const { line, column } = document.locate(docPath, atKey);
      issues.push({ file, line, column, path: formatFieldPath(docPath), message, severity });
    };

    const parsed = RawRouteSchema.safeParse(document.value, { reportInput: true });
    if (!parsed.success) {
      for (const problem of shapeProblems(parsed.error.issues)) {
        issueAt(problem.path, problem.message, 'error', problem.atKey);
      }
      continue;
    }
    const documentReport: Reporter = (path, message, severity) => issueAt(path, message, severity);
    if (reportUnknownVariables(parsed.data, documentReport)) continue;

    const staged = mergeStage(parsed.data, context.stage);
    const report: Reporter = (path, message, severity) => issueAt(staged.origin(path), message, severity);
    const fields = substituteRoute(staged.fields, context, report);
    if (fields === undefined) continue;
    const route = normaliseRoute(fields, report);
    if (route === undefined) continue;
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
  return { routes, issues: sortIssues(issues, [file]) };
}
