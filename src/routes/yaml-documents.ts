import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  stringify,
  type Document,
  type Node,
} from 'yaml';
import type { FieldPath } from './field-path';

/** A 1-based line and column in a route file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One route as written: its plain value and a way to find any of its fields in the file. */
export interface RouteDocument {
  readonly value: unknown;
  /** Where the route itself starts. */
  readonly position: Position;
  /**
   * Where the field at `path` (relative to the route) is written; the nearest enclosing field
   * when it is missing. `atKey` points at the key instead of the value (for unknown keys).
   */
  readonly locate: (path: FieldPath, atKey?: boolean) => Position;
}

export interface YamlProblem extends Position {
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/**
 * Split a route file into routes, keeping positions. A file holds one route (a map), a list of
 * routes, or several `---` documents of either; empty documents are skipped. A document with
 * YAML errors yields problems and no routes, so one broken document does not hide the others.
 *
 * @example
 * const { routes } = readRouteDocuments('- psarn: a\n- psarn: b\n'); // two routes
 */
export function readRouteDocuments(text: string): { routes: RouteDocument[]; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  // logLevel 'error': `yaml` would print a Node warning for a collection used as a key (it becomes
  // a string key); that key is reported as an unknown key, at its position, like any other.
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const routes: RouteDocument[] = [];
  const problems: YamlProblem[] = [];
  // An EmptyStream (comments only) is iterable with no documents.
  for (const doc of Array.from(documents as Iterable<Document.Parsed>)) {
    for (const warning of doc.warnings) {
      problems.push({ ...position(warning.pos[0]), message: warning.message, severity: 'warning' });
    }
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        problems.push({ ...position(error.pos[0]), message: `YAML: ${error.message}`, severity: 'error' });
      }
      continue;
    }
    const value = plainValue(doc);
    if ('problem' in value) {
      problems.push({ ...position(rangeStart(doc.contents) ?? doc.range[0]), ...value.problem });
      continue;
    }
    if (value.value === null || value.value === undefined) continue;
    const prefixes: FieldPath[] = Array.isArray(value.value) ? value.value.map((_, i) => [i]) : [[]];
    for (const prefix of prefixes) {
      const locate = (path: FieldPath, atKey = false): Position =>
        position(offsetOf(doc, [...prefix, ...path], atKey));
      routes.push({
        value: prefix.length === 0 ? value.value : (value.value as unknown[])[prefix[0] as number],
        position: locate([]),
        locate,
      });
    }
  }
  return { routes, problems };
}

/**
 * The document as plain data. Building it can fail where parsing did not: `yaml` refuses to expand
 * aliases past `maxAliasCount` (an alias bomb, "billion laughs", throws a ReferenceError) and a
 * deep enough structure can exhaust the stack. Either is a problem of this document, not a crash.
 */
function plainValue(
  doc: Document.Parsed,
): { value: unknown } | { problem: Pick<YamlProblem, 'message' | 'severity'> } {
  try {
    return { value: doc.toJS() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { problem: { message: `YAML: ${reason}`, severity: 'error' } };
  }
}

/** Offset of the node at `path`, or of its nearest existing ancestor. */
function offsetOf(doc: Document.Parsed, path: FieldPath, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, part] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyOf(item.key) === part);
      if (pair === undefined) return offset;
      if (last && atKey) return rangeStart(pair.key) ?? offset;
      // `key:` with no value has a null value node at the colon; the key is the better place.
      node = pair.value;
      offset = (isScalar(node) && node.value === null ? rangeStart(pair.key) : rangeStart(node)) ?? offset;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      if (node === undefined) return offset;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

/** A map key as it reads in the plain value: a collection key becomes its YAML text (`[ a, b ]`). */
function keyOf(key: unknown): unknown {
  if (isScalar(key)) return key.value;
  return isMap(key) || isSeq(key) ? stringify(key, { collectionStyle: 'flow' }).trim() : key;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
