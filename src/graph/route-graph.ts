import { parseTargetArn, type TargetKind } from '../psarn/target-arn';
import type { Route, TargetRef } from '../routes/model';

/**
 * The route map as plain data, for `psarn graph`: one node per distinct ARN (a topic shared by
 * ten routes is one node), one edge per split target, fanout target and park queue. The Mermaid
 * and DOT renderers only draw it; what the map says is decided here.
 */
export interface RouteGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface GraphNode {
  /** Safe in both Mermaid and DOT: `[A-Za-z][A-Za-z0-9_]*`, never a keyword, unique in the graph. */
  readonly id: string;
  readonly arn: string;
  readonly kind: TargetKind;
  readonly label: string;
  /** A psARN with a route of its own in the set (false for an alias to an unknown psARN). */
  readonly defined: boolean;
  /** A parked psARN, or a park queue currently holding a parked route's events. */
  readonly parked: boolean;
}

export type EdgeRole = 'split' | 'fanout' | 'park';

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly role: EdgeRole;
  /** The edge leads to another psARN (an alias). */
  readonly alias: boolean;
  /** For a park edge: the route is parked now. */
  readonly active: boolean;
  /** `90%` for a split, `fanout`, `park (standby)` or `PARKED`; `alias` in front for alias edges. */
  readonly label: string;
}

/**
 * Build the route map of a set of routes. Routes are drawn in psARN order so the output is stable
 * under reordering of files.
 *
 * @example
 * const graph = buildRouteGraph(routes);
 * graph.edges.filter((e) => e.role === 'split').map((e) => e.label); // ['90%', '10%']
 */
export function buildRouteGraph(routes: readonly Route[]): RouteGraph {
  const sorted = [...routes].sort((a, b) => (a.psarn < b.psarn ? -1 : a.psarn > b.psarn ? 1 : 0));
  const defined = new Set(sorted.map((r) => r.psarn));
  const parkedQueues = new Set(sorted.flatMap((r) => (r.park?.enabled === true ? [r.park.queue] : [])));
  const parkedRoutes = new Set(sorted.filter((r) => r.park?.enabled === true).map((r) => r.psarn));

  // Collect every ARN first (psARNs before targets, in drawing order) so ids and labels can be
  // made unique over the whole graph.
  const arns = new Map<string, TargetKind>();
  const add = (arn: string, kind: TargetKind): void => {
    if (!arns.has(arn)) arns.set(arn, kind);
  };
  for (const r of sorted) add(r.psarn, 'psarn');
  for (const r of sorted) {
    for (const t of [...r.targets, ...r.fanout]) add(t.arn, t.kind);
    if (r.park !== undefined) add(r.park.queue, 'sqs');
  }

  const labels = uniqueLabels([...arns].map(([arn, kind]) => ({ arn, kind })));
  const ids = new Map<string, string>();
  const usedIds = new Set<string>();
  const nodes: GraphNode[] = [...arns].map(([arn, kind]) => {
    const id = uniqueId(baseId(arn, kind), usedIds);
    ids.set(arn, id);
    return {
      id,
      arn,
      kind,
      label: (labels.get(arn) as string) + psarnNote(arn, kind),
      defined: kind !== 'psarn' || defined.has(arn),
      parked: kind === 'psarn' ? parkedRoutes.has(arn) : parkedQueues.has(arn),
    };
  });

  function psarnNote(arn: string, kind: TargetKind): string {
    if (kind !== 'psarn') return '';
    if (!defined.has(arn)) return ' (no route)';
    return parkedRoutes.has(arn) ? ' (PARKED)' : '';
  }

  const edges: GraphEdge[] = [];
  const idOf = (arn: string): string => ids.get(arn) as string;
  for (const r of sorted) {
    const total = r.targets.reduce((sum, t) => sum + t.weight, 0);
    for (const t of r.targets) {
      edges.push(edge(r, t, 'split', percent(total > 0 ? t.weight / total : 0)));
    }
    for (const t of r.fanout) edges.push(edge(r, t, 'fanout', 'fanout'));
    if (r.park !== undefined) {
      const active = r.park.enabled;
      edges.push({
        from: idOf(r.psarn),
        to: idOf(r.park.queue),
        role: 'park',
        alias: false,
        active,
        label: active ? 'PARKED' : 'park (standby)',
      });
    }
  }
  return { nodes, edges };

  function edge(r: Route, t: TargetRef, role: EdgeRole, text: string): GraphEdge {
    const alias = t.kind === 'psarn';
    return {
      from: idOf(r.psarn),
      to: idOf(t.arn),
      role,
      alias,
      active: false,
      label: alias ? `alias ${text}` : text,
    };
  }
}

/** `90%`, `33.3%`, `0.05%`: as many decimals as it takes to say something, at most two. */
function percent(fraction: number): string {
  const p = fraction * 100;
  for (const digits of [0, 1, 2]) {
    const text = p.toFixed(digits);
    if (Math.abs(Number(text) - p) < 1e-9 || digits === 2) return `${Number(text)}%`;
  }
  return `${p}%`;
}

/**
 * A short, readable label per ARN: the psARN path (`/event/newUser`), or `kind: name` for a
 * target (`lambda: newUser:live`, `sqs: orders.fifo`). Where two ARNs would share a label (same
 * name in two regions or accounts), both show their full ARN instead.
 */
function uniqueLabels(entries: readonly { arn: string; kind: TargetKind }[]): Map<string, string> {
  const short = new Map(entries.map(({ arn, kind }) => [arn, shortLabel(arn, kind)]));
  const counts = new Map<string, number>();
  for (const label of short.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
  return new Map([...short].map(([arn, label]) => [arn, (counts.get(label) ?? 0) > 1 ? arn : label]));
}

function shortLabel(arn: string, kind: TargetKind): string {
  try {
    const parsed = parseTargetArn(arn);
    if (kind === 'psarn') return parsed.name;
    const name = parsed.qualifier === undefined ? parsed.name : `${parsed.name}:${parsed.qualifier}`;
    return `${kind}: ${name}`;
  } catch {
    // Routes that reached the graph were validated; an odd ARN still gets drawn, in full.
    return arn;
  }
}

/** `ps_event_newUser`, `lambda_newUser_live`: a kind prefix keeps ids off keywords like `end`. */
function baseId(arn: string, kind: TargetKind): string {
  let name: string;
  try {
    const parsed = parseTargetArn(arn);
    name = parsed.qualifier === undefined ? parsed.name : `${parsed.name}_${parsed.qualifier}`;
  } catch {
    name = arn;
  }
  const prefix = kind === 'psarn' ? 'ps' : kind;
  const cleaned = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return cleaned === '' ? prefix : `${prefix}_${cleaned}`;
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}
