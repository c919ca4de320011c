import { PsarnError } from '../errors';
import { parsePsarn, type PsarnParts } from '../psarn/psarn';
import { parseTargetArn, type TargetArn } from '../psarn/target-arn';
import type { FieldPath } from './field-path';
import { DEFAULT_TTL_SECONDS, type ParkConfig, type Route, type SplitTarget, type TargetRef } from './model';
import type { RawRoute } from './schema';
import type { Reporter } from './substitute-route';
import { normaliseContracts, type ContractSources } from '../contracts/normalise-contracts';

/** Source of EventBridge events when a target names none. */
export const DEFAULT_EVENT_SOURCE = 'psarn';

type Fields = Omit<RawRoute, 'stages'>;
type RawTarget = NonNullable<Fields['fanout']>[number] & { readonly weight?: number | undefined };

/**
 * The event paths the planner can read (src/routing/event-path.ts): `payload`, `payload.a.b`
 * (array items by index) or one header `headers.<name>`. Mirrors that grammar so a route that
 * validates never fails to compile in the router (test/routes/event-paths.test.ts checks both agree).
 */
const EVENT_PATH = /^(payload(\.[^.]+)*|headers\.[^.]+)$/;

/**
 * Turn one route's validated, substituted fields into a {@link Route}: parse every ARN, apply
 * defaults (ttl 60, onFailure park when a park queue exists else dlq, weight 1 for a lone split
 * target) and check the rules that depend on a target's kind. Problems go to `report`; the
 * result is undefined when any of them is an error.
 *
 * @example
 * normaliseRoute({ psarn: 'arn:aws:psarns:eu-west-1:123456789012:/a', targets: [{ arn }] }, report)
 */
export function normaliseRoute(fields: Fields, report: Reporter, sources?: ContractSources): Route | undefined {
  let failed = false;
  const error = (path: FieldPath, message: string): void => {
    failed = true;
    report(path, message, 'error');
  };

  const psarn = attempt(
    () => parsePsarn(fields.psarn),
    (message) => error(['psarn'], message),
  );
  const foreign = (arn: TargetArn, path: FieldPath): void => {
    if (psarn === undefined) return;
    if (arn.region !== psarn.region) {
      report(
        path,
        `target is in region ${arn.region}, the route's psARN in ${psarn.region}: allowed, but check the router may reach it`,
        'warning',
      );
    }
    if (arn.account !== psarn.account) {
      report(
        path,
        `target is in account ${arn.account}, the route's psARN in ${psarn.account}: allowed, but the router needs permission there`,
        'warning',
      );
    }
  };

  const target = (raw: RawTarget, path: FieldPath): TargetRef | undefined => {
    const arn = attempt(
      () => parseTargetArn(raw.arn),
      (message) => error([...path, 'arn'], message),
    );
    if (arn === undefined) return undefined;
    foreign(arn, [...path, 'arn']);
    for (const field of ['detailType', 'source'] as const) {
      if (raw[field] !== undefined && arn.kind !== 'events') {
        error(
          [...path, field],
          `\`${field}\` is only for EventBridge targets (arn:aws:events:...:event-bus/<name>), not ${arn.kind}`,
        );
      }
    }
    if (raw.groupBy !== undefined && !arn.fifo) {
      error(
        [...path, 'groupBy'],
        `\`groupBy\` is only for FIFO targets (a queue or topic whose name ends in .fifo), not ${arn.kind} ${arn.name}`,
      );
    } else if (raw.groupBy !== undefined && !EVENT_PATH.test(raw.groupBy)) {
      error([...path, 'groupBy'], eventPathMessage('groupBy', raw.groupBy));
    }
    if (arn.fifo && raw.groupBy === undefined) {
      error(
        [...path, 'groupBy'],
        `FIFO target ${arn.name} needs \`groupBy\`: the event field whose value becomes MessageGroupId, like payload.customerId`,
      );
    }
    return {
      arn: arn.arn,
      kind: arn.kind,
      ...(raw.detailType === undefined ? {} : { detailType: raw.detailType }),
      ...(arn.kind === 'events' ? { source: raw.source ?? DEFAULT_EVENT_SOURCE } : {}),
      ...(raw.groupBy === undefined ? {} : { groupBy: raw.groupBy }),
    };
  };

  const rawTargets = fields.targets ?? [];
  const targets: SplitTarget[] = [];
  rawTargets.forEach((raw, i) => {
    const ref = target(raw, ['targets', i]);
    let weight = raw.weight;
    if (weight === undefined && rawTargets.length === 1) weight = 1;
    if (weight === undefined) {
      error(
        ['targets', i, 'weight'],
        `\`weight\` is required when a split has more than one target: a non-negative number (weights are normalised, they need not sum to 100)`,
      );
    }
    if (ref !== undefined && weight !== undefined) targets.push({ ...ref, weight });
  });
  if (rawTargets.length > 0 && rawTargets.every((raw) => raw.weight === 0)) {
    error(['targets'], 'all split weights are 0: at least one target needs a weight greater than 0');
  }

  const fanout: TargetRef[] = [];
  (fields.fanout ?? []).forEach((raw, i) => {
    const ref = target(raw, ['fanout', i]);
    if (ref !== undefined) fanout.push(ref);
  });
  if (rawTargets.length === 0 && (fields.fanout ?? []).length === 0) {
    error(['targets'], 'a route needs at least one target: add `targets` (a weighted split) or `fanout`');
  }

  if (fields.stickyBy !== undefined && !EVENT_PATH.test(fields.stickyBy)) {
    error(['stickyBy'], eventPathMessage('stickyBy', fields.stickyBy));
  }

  let park: ParkConfig | undefined;
  if (fields.park !== undefined) {
    const queue = attempt(
      () => parseTargetArn(fields.park?.queue ?? ''),
      (message) => error(['park', 'queue'], message),
    );
    if (queue !== undefined && queue.kind !== 'sqs') {
      error(
        ['park', 'queue'],
        `the park queue must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>), not ${queue.kind}`,
      );
    } else if (queue !== undefined) {
      const groupBy = fields.park.groupBy;
      if (groupBy !== undefined && !queue.fifo) {
        error(
          ['park', 'groupBy'],
          `\`groupBy\` is only for a FIFO park queue (name ending in .fifo), not ${queue.name}`,
        );
      } else if (groupBy !== undefined && groupBy !== 'psarn' && !EVENT_PATH.test(groupBy)) {
        error(['park', 'groupBy'], eventPathMessage('groupBy', groupBy));
      } else {
        foreign(queue, ['park', 'queue']);
        park = {
          queue: queue.arn,
          enabled: fields.park.enabled ?? false,
          // A FIFO holding queue keeps each route's events in one ordered group unless told otherwise.
          ...(queue.fifo ? { groupBy: groupBy ?? 'psarn' } : {}),
        };
      }
    }
  }
  if (fields.onFailure === 'park' && fields.park === undefined) {
    error(
      ['onFailure'],
      '`onFailure: park` needs a park queue: add `park: {queue: <SQS queue ARN>}` or use `onFailure: dlq`',
    );
  }

  if (fields.autoDrain === true && fields.park === undefined) {
    error(
      ['autoDrain'],
      '`autoDrain: true` drains the park queue once a circuit closes, and this route has none: add `park: {queue: <SQS queue ARN>}` or remove `autoDrain`',
    );
  }

  // Payload contract and caller overrides (src/contracts/): only routes that use them pay for them.
  const contracts =
    fields.schema === undefined && fields.onInvalid === undefined && fields.callers === undefined
      ? {}
      : normaliseContracts(fields, report, normaliseRoute, sources);
  if (contracts === undefined) failed = true;

  if (failed || psarn === undefined) return undefined;
  return {
    psarn: psarn.arn,
    ...(fields.description === undefined ? {} : { description: fields.description }),
    ttl: fields.ttl ?? DEFAULT_TTL_SECONDS,
    targets,
    ...(fields.stickyBy === undefined ? {} : { stickyBy: fields.stickyBy }),
    fanout,
    ...(park === undefined ? {} : { park }),
    onFailure: fields.onFailure ?? (park === undefined ? 'dlq' : 'park'),
    ...(fields.owner === undefined ? {} : { owner: fields.owner }),
    ...(fields.labels === undefined ? {} : { labels: sortedLabels(fields.labels) }),
    ...(fields.autoDrain === true ? { autoDrain: true as const } : {}),
    ...contracts,
  };
}

/** Labels in key order, so the stored JSON (and so `plan`) does not change when a file reorders them. */
function sortedLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function eventPathMessage(field: string, value: string): string {
  return `\`${field}\` must be a dotted path into the event (payload, payload.<key>... or headers.<name>), like payload.userId, got ${JSON.stringify(value)}`;
}

/** Run a parser; a PsarnError becomes a reported message and an undefined result. */
function attempt<T extends PsarnParts | TargetArn>(
  parse: () => T,
  onError: (message: string) => void,
): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof PsarnError)) throw err;
    onError(err.message);
    return undefined;
  }
}
