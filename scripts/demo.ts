import type { RouterClient } from '../src/client/router-client';
import type { Route } from '../src/routes/model';

interface Row {
  psarn: string;
  target: string;
  role: string;
  delivered: number;
  parked: number;
  deadLettered: number;
}

interface DemoOptions {
  readonly client: RouterClient;
  /** The applied routes: the demo sends to four of them and shows their configured weights. */
  readonly routes: readonly Route[];
  /** Events sent to each demo route. */
  readonly perRoute: number;
  /** Redraw the table in place while events flow (a terminal); otherwise print it once. */
  readonly live: boolean;
}

/**
 * The live demo of `npm start`: a stream of producer events through the router Lambda, with
 * deliveries per target as the router reports them — the canary share converging on its weights,
 * one fanout copy per event, parked events held.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const byPath = new Map(options.routes.map((r) => [r.psarn.slice(r.psarn.indexOf(':/') + 1), r]));
  const psarn = (path: string) => {
    const found = byPath.get(path);
    if (found === undefined) throw new Error(`the demo needs route ${path} in routes/`);
    return found.psarn;
  };
  const weights = new Map<string, number>();
  for (const [path, r] of byPath) {
    const total = r.targets.reduce((sum, t) => sum + t.weight, 0);
    for (const t of r.targets) weights.set(`${path} ${t.arn}`, total > 0 ? t.weight / total : 0);
  }
  const streams: { path: string; payload: (i: number) => unknown }[] = [
    { path: '/event/newUser', payload: (i) => ({ userId: `user-${i}`, email: `user${i}@example.com` }) },
    {
      path: '/event/orderPlaced',
      payload: (i) => ({ orderId: `o-${i}`, customerId: `c-${i % 7}`, total: i }),
    },
    { path: '/event/invoiceDue', payload: (i) => ({ invoiceId: `inv-${i}` }) },
    { path: '/email/send', payload: (i) => ({ to: `user${i}@example.com`, template: 'welcome' }) },
  ];
  const rows = new Map<string, Row>();
  let sent = 0;
  let errors = 0;
  const total = streams.length * options.perRoute;
  const started = Date.now();

  const draw = (final: boolean) => {
    if (!options.live && !final) return;
    const text = render(rows, weights, sent, total, errors, (Date.now() - started) / 1000);
    process.stdout.write(options.live ? `\x1b[H\x1b[2J${text}` : text);
  };
  const timer = options.live ? setInterval(() => draw(false), 250) : undefined;

  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < options.perRoute; i++) {
    for (const stream of streams) {
      jobs.push(async () => {
        try {
          const result = await options.client.send(psarn(stream.path), stream.payload(i));
          const report = result.async
            ? undefined
            : ((result.response as { deliveries?: unknown }) ?? undefined);
          const deliveries = Array.isArray(report?.deliveries)
            ? (report.deliveries as { target: string; role: string; status: string }[])
            : [];
          if (deliveries.length === 0) errors++;
          for (const d of deliveries) {
            const key = `${stream.path} ${d.role} ${d.target}`;
            const row = rows.get(key) ?? {
              psarn: stream.path,
              target: d.target,
              role: d.role,
              delivered: 0,
              parked: 0,
              deadLettered: 0,
            };
            if (d.status === 'delivered') row.delivered++;
            else if (d.status === 'parked') row.parked++;
            else row.deadLettered++;
            rows.set(key, row);
          }
        } catch {
          errors++;
        }
        sent++;
      });
    }
  }
  // A few producers at once, like real traffic; the router handles them concurrently.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await job();
    }),
  );
  if (timer !== undefined) clearInterval(timer);
  draw(true);
}

function render(
  rows: Map<string, Row>,
  weights: Map<string, number>,
  sent: number,
  total: number,
  errors: number,
  seconds: number,
): string {
  const lines = [
    `psarn-router demo: ${sent}/${total} events sent in ${seconds.toFixed(1)} s, ${errors} errors`,
    '',
  ];
  lines.push(
    `${'route'.padEnd(20)} ${'role'.padEnd(7)} ${'target'.padEnd(34)} ${'delivered'.padStart(9)} ${'share'.padStart(6)} ${'weight'.padStart(6)} ${'parked'.padStart(7)} ${'DLQ'.padStart(5)}`,
  );
  const splitTotals = new Map<string, number>();
  for (const row of rows.values()) {
    if (row.role === 'split') splitTotals.set(row.psarn, (splitTotals.get(row.psarn) ?? 0) + row.delivered);
  }
  const sorted = [...rows.values()].sort((a, b) =>
    (a.psarn + a.role + a.target).localeCompare(b.psarn + b.role + b.target),
  );
  for (const row of sorted) {
    const splitTotal = splitTotals.get(row.psarn) ?? 0;
    const share =
      row.role === 'split' && splitTotal > 0 ? `${((100 * row.delivered) / splitTotal).toFixed(1)}%` : '';
    const weight = weights.get(`${row.psarn} ${row.target}`);
    const configured = row.role === 'split' && weight !== undefined ? `${(100 * weight).toFixed(0)}%` : '';
    lines.push(
      `${row.psarn.padEnd(20)} ${row.role.padEnd(7)} ${shortName(row.target).padEnd(34)} ${String(row.delivered).padStart(9)} ${share.padStart(6)} ${configured.padStart(6)} ${String(row.parked).padStart(7)} ${String(row.deadLettered).padStart(5)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The resource name at the end of an ARN: enough to tell targets apart in a table. */
function shortName(arn: string): string {
  const last = arn.split(':').pop() ?? arn;
  return last.replace(/^event-bus\//, 'bus/');
}
