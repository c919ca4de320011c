import type { CliIo } from './io';

export interface Progress {
  /** `elapsedMs`: time since the work began, when it began before the bar was drawn. */
  update(done: number, detail?: string, elapsedMs?: number): void;
  /** Clears the bar from the terminal; the caller then prints its summary. */
  finish(): void;
}

/**
 * A progress bar for long operations (drain, bulk apply): count, rate and ETA redrawn in place on
 * a terminal; on a pipe or in CI, a line at each quarter so logs stay short. Goes to stderr, so
 * stdout stays clean for `--json`.
 *
 * @example
 * const bar = progressBar(io, 500, 'draining');
 * bar.update(120);
 * bar.finish();
 */
export function progressBar(io: CliIo, total: number, label: string, now: () => number = Date.now): Progress {
  const started = now();
  let lastQuarter = 0;
  const width = 28;
  return {
    update(done, detail = '', elapsedMs = now() - started) {
      const seconds = Math.max(elapsedMs / 1000, 0.001);
      const rate = done / seconds;
      const eta = rate > 0 && total > done ? (total - done) / rate : 0;
      const fraction = total > 0 ? Math.min(done / total, 1) : 1;
      const text = `${label} ${done}/${total} ${rate.toFixed(1)}/s ETA ${eta.toFixed(0)}s${detail === '' ? '' : ` ${detail}`}`;
      if (io.isTty) {
        const filled = Math.round(fraction * width);
        io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
        return;
      }
      const quarter = Math.floor(fraction * 4);
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        io.stderr(`${text}\n`);
      }
    },
    finish() {
      if (io.isTty) io.stderr('\r\x1b[K');
    },
  };
}
