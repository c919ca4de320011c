import { emfLine } from '../router/telemetry';
import type { CircuitChange } from './circuit-breakers';

/** Metric names of circuit changes (namespace `psarn`, dimension `target`). */
export const CircuitMetric = {
  open: 'circuitOpened',
  'half-open': 'circuitHalfOpened',
  closed: 'circuitClosed',
} as const;

/**
 * The one line a circuit change writes: an EMF document (the metric, by target ARN) that is also
 * the log line, with level, message and the change's fields. A change is rare (one per trip,
 * probe or close), so it is written when it happens rather than tallied per invocation.
 *
 * @example
 * process.stdout.write(circuitChangeLine(change, 'psarn', 'psarn-router') + '\n');
 */
export function circuitChangeLine(change: CircuitChange, namespace: string, service: string): string {
  const line = emfLine(
    namespace,
    change.at,
    { service, target: change.arn },
    { [CircuitMetric[change.state]]: 1 },
  );
  const fields = {
    level: change.state === 'open' ? 'WARN' : 'INFO',
    message: `circuit ${change.state} for ${change.arn}`,
    circuitState: change.state,
    source: change.source,
    trips: change.trips,
    ...(change.state === 'open'
      ? { coolDownMs: change.coolDownMs, openUntil: new Date(change.at + change.coolDownMs).toISOString() }
      : {}),
  };
  // Both are JSON objects: the fields join the EMF document's root members.
  return `${line.slice(0, -1)},${JSON.stringify(fields).slice(1)}`;
}
