import * as fs from 'node:fs';
import { IoError } from '../errors';

/** One logged step. `elapsed` (seconds since the log opened) is added by the log. */
export interface MetricRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  [extra: string]: number;
}

/**
 * A JSONL metrics log: one JSON object per logged step, written as it happens (so a run can be
 * followed with `tail -f`), and kept in memory for the loss plot at the end.
 */
export class MetricsLog {
  readonly records: (MetricRecord & { elapsed: number })[] = [];
  private fd: number | null;
  private readonly started = performance.now();

  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'w');
    } catch (e) {
      throw new IoError(`${path}: cannot write the metrics log (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }

  log(record: MetricRecord): void {
    const full = { ...record, elapsed: Math.round(performance.now() - this.started) / 1000 };
    this.records.push(full);
    // JSON has no NaN or Infinity: a diverged loss is written as null rather than breaking the line.
    if (this.fd !== null) fs.writeSync(this.fd, JSON.stringify(full, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
