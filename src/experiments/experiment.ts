import { ensureDir } from '../io/folder';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { linePlot } from '../io/plot';
import { svgToPng } from '../io/render';
import { Alignment } from '../rules/alignment';

/** Progress of one long loop (the CLI shows it on stderr; tests pass a silent one). */
export interface ProgressSink {
  update(done: number, metric?: string): void;
  finish(metric?: string): void;
}

export interface ExperimentContext {
  seed: number;
  /** Independent seeded repetitions of each configuration (experiments that have them). */
  replications: number;
  /** Folder for the files an experiment writes beside its result (plots, logs); null writes none. */
  out: string | null;
  progress(label: string, total: number): ProgressSink;
  /** A shrunken size for tests: every loop short, the same code paths. */
  quick: boolean;
  /** Choices of one experiment's own flags (for example rule: 'lstm'); absent means its defaults. */
  options?: Readonly<Record<string, string>>;
}

export interface ExperimentResult {
  name: string;
  /** Everything measured, for results.json. */
  data: unknown;
  /** The tables, ready for README-like reading. */
  markdown: string;
  /** Files written into `out` besides the result (paths). */
  files: string[];
}

export interface Experiment {
  readonly name: string;
  readonly summary: string;
  /** Replications used when --replications is not given; an experiment without replications has 1 and accepts no other. */
  readonly defaultReplications: number;
  readonly replicates: boolean;
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
}

export const silentProgress = (): ProgressSink => ({ update: () => undefined, finish: () => undefined });

/** The Wilson score interval for k successes in n trials at 95% (z = 1.96); sensible even at k = 0 or k = n. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Two-sided Fisher exact test of k1/n1 against k2/n2: the probability, with both margins fixed,
 * of a table at most as likely as the one observed. Used to ask whether a rate differs from a
 * published rate measured on its own n replications.
 */
export function fisherExact(k1: number, n1: number, k2: number, n2: number): number {
  const logFactorial = (n: number): number => {
    let s = 0;
    for (let i = 2; i <= n; i++) s += Math.log(i);
    return s;
  };
  const successes = k1 + k2;
  const total = n1 + n2;
  const logP = (a: number): number =>
    logFactorial(successes) + logFactorial(total - successes) + logFactorial(n1) + logFactorial(n2) -
    logFactorial(total) - logFactorial(a) - logFactorial(successes - a) - logFactorial(n1 - a) - logFactorial(n2 - successes + a);
  const observed = logP(k1);
  let p = 0;
  for (let a = Math.max(0, successes - n2); a <= Math.min(successes, n1); a++) {
    const la = logP(a);
    // a relative tolerance so that tables exactly as likely as the observed one are not lost to rounding
    if (la <= observed + 1e-9) p += Math.exp(la);
  }
  return Math.min(1, p);
}

/** The median of the finite values, or null. */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** A markdown table. */
export function markdownTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/** Writes a file into the experiment's folder (made if missing) and returns its path; null folder writes nothing. */
export function writeOut(dir: string | null, name: string, content: string | Uint8Array): string | null {
  if (dir === null) return null;
  ensureDir(dir);
  const file = path.join(dir, name);
  writeFileAtomic(file, typeof content === 'string' ? Buffer.from(content) : content);
  return file;
}

export function fixed(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/**
 * Plots cos(ΔW, −∇W) over the steps, one line per (run, layer), as `<name>.svg` and `<name>.png`
 * in the folder; returns the files written.
 */
export function writeAlignmentPlot(dir: string | null, name: string, title: string, trace: readonly Alignment[]): string[] {
  if (dir === null || trace.length === 0) return [];
  const lines = new Map<string, { x: number[]; y: number[] }>();
  for (const a of trace) {
    if (a.cosine === null) continue;
    const key = `${a.rule} ${a.layer}`;
    const line = lines.get(key) ?? { x: [], y: [] };
    line.x.push(a.step);
    line.y.push(a.cosine);
    lines.set(key, line);
  }
  if (lines.size === 0) return [];
  const svg = linePlot(
    [...lines].map(([key, line]) => ({ name: key, ...line })),
    { title, xLabel: 'step', yLabel: 'cos(ΔW, −∇W)' },
  );
  return [writeOut(dir, `${name}.svg`, svg), writeOut(dir, `${name}.png`, svgToPng(svg))].filter((f): f is string => f !== null);
}

/**
 * Mean cosine and median norm ratio per (rule, layer) over the traced steps that had a defined
 * value. The median, because the ratio explodes whenever the true gradient all but vanishes (a
 * saturated output unit) while the rule's change does not.
 */
export function summariseAlignment(trace: readonly Alignment[]): string {
  const groups = new Map<string, Alignment[]>();
  for (const a of trace) {
    const key = `${a.rule}\u0000${a.layer}`;
    const list = groups.get(key) ?? [];
    list.push(a);
    groups.set(key, list);
  }
  const mean = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length;
  };
  return markdownTable(
    ['run', 'layer', 'records', 'mean cos(ΔW, −∇W)', 'median ‖ΔW‖/‖∇W‖'],
    [...groups.values()].map((list) => [list[0].rule, list[0].layer, list.length, fixed(mean(list.map((a) => a.cosine))), fixed(median(list.map((a) => a.normRatio)))]),
  );
}
