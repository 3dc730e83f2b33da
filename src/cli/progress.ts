/** The parts of cli-progress used here (the package ships no types). */
interface Bar {
  start(total: number, value: number, payload: Record<string, string>): void;
  update(value: number, payload: Record<string, string>): void;
  stop(): void;
}
interface CliProgress {
  SingleBar: new (options: Record<string, unknown>) => Bar;
}

/** What a progress stream needs: text output and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Where to report (default process.stderr). */
  stream?: ProgressStream;
  /** Seconds between plain lines when the stream is not a terminal (default 2). */
  interval?: number;
  /** The clock in seconds (tests pass a fake one). */
  now?: () => number;
}

/**
 * Progress of one run of `total` steps on stderr: a bar with ETA and the current loss on a
 * terminal; plain lines otherwise (at most every `interval` seconds and at each tenth), so
 * that logs and CI output stay readable.
 */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly bar: Bar | null;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly started: number;
  private lastLine: number;
  private lastTenth = 0;
  private done = 0;
  private stopped = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.interval = options.interval ?? 2;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.started = this.now();
    this.lastLine = this.started;
    if (this.stream.isTTY) {
      const cliProgress = require('cli-progress') as CliProgress;
      this.bar = new cliProgress.SingleBar({
        format: `${label.padEnd(14)} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {metric}`,
        barsize: 28,
        hideCursor: true,
        etaBuffer: 50,
        stream: this.stream,
      });
      this.bar.start(total, 0, { metric: '' });
    } else {
      this.bar = null;
    }
  }

  /** `done` steps of `total` are finished; `metric` is shown beside (e.g. `loss 0.0123`). */
  update(done: number, metric = ''): void {
    if (this.stopped) return;
    this.done = done;
    if (this.bar) {
      this.bar.update(done, { metric });
      return;
    }
    const t = this.now();
    const tenth = Math.floor((10 * done) / Math.max(1, this.total));
    if (t - this.lastLine >= this.interval || (tenth > this.lastTenth && done < this.total)) {
      this.lastLine = t;
      this.lastTenth = tenth;
      const elapsed = t - this.started;
      const eta = done > 0 ? (elapsed * (this.total - done)) / done : NaN;
      const pct = Math.floor((100 * done) / Math.max(1, this.total));
      this.stream.write(`${this.label}: ${pct}% (${done}/${this.total})${metric ? ` ${metric}` : ''} | ETA ${formatSeconds(eta)}\n`);
    }
  }

  /** Ends the report with one line: the steps done (a run may stop early), the time, the final metric. */
  finish(metric = ''): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.bar) {
      this.bar.update(this.done, { metric });
      this.bar.stop();
    }
    const took = this.now() - this.started;
    this.stream.write(`${this.label}: done ${this.done}${this.done < this.total ? ` of ${this.total}` : ''} steps in ${formatSeconds(took)}${metric ? `, ${metric}` : ''}\n`);
  }

  /** Stops the bar without the summary line (on a failure, so the error message starts on a fresh line). */
  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar?.stop();
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}
