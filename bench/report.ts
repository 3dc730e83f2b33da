// Turns the runs of `npm run bench` into bench/results/{bench.md, bench.json, w2.json … w5.json}.
import type { BenchResult } from './harness';
import type { Load } from './machine';
import { Spec, specKey, SystemName, Workload, WORKLOADS } from './plan';

/** A run's times (seconds per step or epoch), summarised when it ends: the report needs no more. */
export interface TimeStats {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** What a system printed, its times replaced by their summary. */
export type RunResult = Omit<BenchResult, 'times'> & { time: TimeStats };

export function summariseRun(r: BenchResult): RunResult {
  const { times, ...rest } = r;
  return { ...rest, time: { n: times.length, median: median(times), min: Math.min(...times), max: Math.max(...times) } };
}

export interface RunRecord {
  workload: Workload;
  system: SystemName;
  variant?: string;
  threads: number;
  round: number;
  steps: number;
  warmup: number;
  /** Why this run's repetitions are below the protocol's, if they are. */
  reduced: string | null;
  /** Wall time of the whole process, start-up included. */
  wall: number;
  quietBefore: { cores: number; waited: number };
  load: Load;
  result: RunResult | null;
  error: string | null;
}

export interface ReportInput {
  started: Date;
  finished: Date;
  options: { rounds: number; threads: number[]; quick: boolean; workloads: Workload[] };
  machine: Record<string, unknown>;
  missing: Map<SystemName, string | null>;
  specs: Spec[];
  runs: RunRecord[];
}

interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

const W4_STEPS = 469;
/** A run during which other processes kept fewer cores busy than this counts as quiet. */
const QUIET_CORES = 0.5;

type Quiet = { r: number; runs: string } | null;
/** W5's correctness anchor: the seed's error after epoch 1 in float64. */
const W5_ERROR_EPOCH1 = 1494.3602137;

/** The table value of one run: ms per step / per epoch, or s per W4 epoch (per-step median × 469). */
function metric(w: Workload, r: RunResult): number {
  const m = r.time.median;
  return w === 'w4' ? m * W4_STEPS : m * 1000;
}

function stat(values: number[]): Stat | null {
  if (values.length === 0) return null;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a >= 0.01 ? v.toFixed(3) : v.toPrecision(2);
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

export function report(input: ReportInput): Record<string, string> {
  const { runs, specs, options } = input;
  const files: Record<string, string> = {};
  const summary: Record<string, unknown> = {};
  const md: string[] = [];
  const quick = options.quick ? ' — QUICK smoke run (few steps, one round): not a measurement' : '';
  md.push(`# wiregrad side-by-side benchmark${quick}`, '');
  md.push(`Run ${input.started.toISOString()} → ${input.finished.toISOString()} on ${String(input.machine.cpu)}, ${String(input.machine.cores)} cores, node ${String(input.machine.node)}; wiregrad at commit ${String(input.machine.commit ?? 'unknown')}.`);
  md.push(`${options.rounds} round(s); in each round the systems of a workload run one after another, each in its own process, the order rotated every round. ` +
    'A value is the median over rounds of the per-run median; min–max is over rounds. `×` is peer time / wiregrad time at the same thread count (above 1: wiregrad is faster). ' +
    '"others" is how many cores other processes kept busy during the run (median over runs); the machine is shared.', '');
  const missing = [...input.missing].filter(([, why]) => why);
  if (missing.length > 0) md.push(`Missing peers (not measured, not estimated): ${missing.map(([s, why]) => `${s} — ${why}`).join('; ')}.`, '');
  const versions = new Map<string, string>();
  for (const r of runs) if (r.result) versions.set(r.system, r.system === 'wiregrad' ? `${r.result.version}, backend ${String(r.result.backend)}` : r.result.version);
  md.push(`Versions: ${[...versions].map(([s, v]) => `${s} ${v}`).join('; ')}.`, '');

  const targets: string[] = [];
  for (const w of options.workloads) {
    const info = WORKLOADS[w];
    const wRuns = runs.filter((r) => r.workload === w);
    const wSpecs = specs.filter((s) => s.workload === w);
    const groups = new Map<string, Map<number, Stat | null>>();
    const epochs = new Map<string, Map<number, Stat | null>>();
    for (const s of wSpecs) {
      const byThreads = new Map<number, Stat | null>();
      const epochByThreads = new Map<number, Stat | null>();
      for (const t of options.threads) {
        const ok = wRuns.filter((r) => specKey(r) === specKey(s) && r.threads === t && r.result);
        byThreads.set(t, stat(ok.map((r) => metric(w, r.result!))));
        epochByThreads.set(t, stat(ok.map((r) => r.result!.epoch as number | null).filter((e): e is number => typeof e === 'number')));
      }
      groups.set(specKey(s), byThreads);
      epochs.set(specKey(s), epochByThreads);
    }
    // JS peers run one thread only: their 1-thread figure stands in every column (marked)
    const valueAt = (key: string, spec: Spec, t: number): { s: Stat | null; borrowed: boolean } => {
      if (spec.threads.includes(t)) return { s: groups.get(key)?.get(t) ?? null, borrowed: false };
      return { s: groups.get(key)?.get(spec.threads[0]) ?? null, borrowed: true };
    };
    const ours = (t: number): Stat | null => groups.get('wiregrad block')?.get(t) ?? groups.get('wiregrad')?.get(t) ?? null;

    md.push(`## ${info.title}`, '', `Protocol: ${info.protocol}.`, '');
    const head = ['system', 'dtype', 'timed × runs'];
    for (const t of options.threads) head.push(`${t} thread${t > 1 ? 's' : ''}: median (min–max)`, '×');
    if (w === 'w4') head.push('epoch wall s (1 thread)');
    head.push('others (cores)');
    md.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    const wSummary: Record<string, unknown> = {};
    for (const s of wSpecs) {
      const key = specKey(s);
      const why = input.missing.get(s.system);
      const row = [key, dtypeOf(s, wRuns), repetitions(wRuns.filter((r) => specKey(r) === key), s.threads)];
      const entry: Record<string, unknown> = { reduced: s.reduced ?? null };
      for (const t of options.threads) {
        const { s: st, borrowed } = valueAt(key, s, t);
        const mine = ours(t);
        if (why) row.push(`missing`, '—');
        else if (!st) row.push('failed', '—');
        else {
          const ratio = mine ? st.median / mine.median : null;
          row.push(`${fmt(st.median)} (${fmt(st.min)}–${fmt(st.max)})${borrowed ? ' (1 thread)' : ''}`, ratio === null ? '—' : `${ratio.toFixed(2)}`);
          entry[`threads${t}`] = { ...st, ratio, singleThreadOnly: borrowed };
        }
      }
      if (w === 'w4') {
        const e = epochs.get(key)?.get(1);
        row.push(e ? `${fmt(e.median)} (${fmt(e.min)}–${fmt(e.max)})` : '—');
      }
      const others = wRuns.filter((r) => specKey(r) === key && r.result).map((r) => r.load.othersCores);
      row.push(others.length ? fmt(median(others)) : '—');
      md.push(`| ${row.join(' | ')} |`);
      wSummary[key] = entry;
    }
    const notes = [...new Set(wRuns.filter((r) => r.reduced).map((r) => `${specKey(r)}${r.threads > 1 ? ` (${r.threads} threads)` : ''}: ${r.reduced}`))];
    if (notes.length > 0) md.push('', `\\* reduced repetitions — ${notes.join('; ')}.`);
    if (w === 'w2') md.push('', 'tfjs runs in float32 (it has no float64); pytorch `nn` is nn.LSTM + nn.Linear, `cell` the explicit gate form; wiregrad `block` is its Lstm block (one product [x h]·W per step).');
    if (w === 'w5') md.push('', 'tfjs runs in float32 (it has no float64). numpy is the seed\'s own code (the delta rule written out).');
    const failures = wRuns.filter((r) => r.error);
    if (failures.length > 0) md.push('', `Failed runs: ${failures.map((r) => `${specKey(r)} ${r.threads}T round ${r.round + 1}: ${r.error}`).join('; ')}.`);
    md.push('', ...sameWork(w, wRuns), '');

    // targets
    const ratio = (key: string, t: number): number | null => {
      const spec = wSpecs.find((s) => specKey(s) === key);
      const mine = ours(t);
      if (!spec || !mine) return null;
      const v = valueAt(key, spec, t).s;
      return v ? v.median / mine.median : null;
    };
    // the same ratio from the quiet runs alone: a run that shared the cores is not a speed figure
    const ourKey = specKey(wSpecs.find((s) => s.system === 'wiregrad') ?? { system: 'wiregrad' });
    const quietMedian = (key: string, t: number): { m: number; n: number } | null => {
      const spec = wSpecs.find((s) => specKey(s) === key);
      if (!spec) return null;
      const at = spec.threads.includes(t) ? t : spec.threads[0];
      const values = wRuns.filter((r) => specKey(r) === key && r.threads === at && r.result && r.load.othersCores < QUIET_CORES).map((r) => metric(w, r.result!));
      return values.length ? { m: median(values), n: values.length } : null;
    };
    const quietRatio = (key: string, t: number): Quiet => {
      const [peer, mine] = [quietMedian(key, t), quietMedian(ourKey, t)];
      return peer && mine ? { r: peer.m / mine.m, runs: `${peer.n} and ${mine.n}` } : null;
    };
    const check = (what: string, r: number | null, goal: number, quiet: Quiet): void => {
      const q = quiet ? `${quiet.r.toFixed(2)}× (${quiet.runs} quiet runs)` : 'no quiet run';
      targets.push(`| ${what} | ${r === null ? 'not measured' : `${r.toFixed(2)}×`} | ≥ ${goal}× | ${r === null ? '—' : r >= goal ? 'met' : 'MISSED'} | ${q} |`);
    };
    for (const t of options.threads) {
      if (w === 'w2') {
        const torch = [ratio('pytorch nn', t), ratio('pytorch cell', t)].filter((r): r is number => r !== null);
        const quietTorch = [quietRatio('pytorch nn', t), quietRatio('pytorch cell', t)].filter((q): q is NonNullable<Quiet> => q !== null);
        const fastest = quietTorch.length ? quietTorch.reduce((a, b) => (b.r < a.r ? b : a)) : null;
        check(`W2 vs PyTorch (faster of nn, cell), ${t}T`, torch.length ? Math.min(...torch) : null, 5, fastest);
        check(`W2 vs tfjs cpu, ${t}T (tfjs 1 thread)`, ratio('tfjs-cpu cell', t), 5, quietRatio('tfjs-cpu cell', t));
        check(`W2 vs tfjs wasm, ${t}T (tfjs 1 thread)`, ratio('tfjs-wasm cell', t), 5, quietRatio('tfjs-wasm cell', t));
      }
      if (w === 'w3') check(`W3 vs PyTorch, ${t}T`, ratio('pytorch nn', t), 1, quietRatio('pytorch nn', t));
      if (w === 'w4') check(`W4 vs PyTorch, ${t}T`, ratio('pytorch', t), 1, quietRatio('pytorch', t));
      if (w === 'w5') check(`W5 vs numpy, ${t}T`, ratio('numpy', t), 2, quietRatio('numpy', t));
    }
    const slower = wSpecs.filter((s) => {
      const [one, two] = [groups.get(specKey(s))?.get(1), groups.get(specKey(s))?.get(2)];
      return s.threads.includes(2) && one && two && two.median > 1.2 * one.median;
    });
    if (slower.length > 0) {
      md.push(`2 threads were more than 1.2× slower than 1 for ${slower.map(specKey).join(', ')}: two threads meet at every parallel region, which costs more than it saves on small work, and far more when other processes hold the cores (see "others").`, '');
    }
    summary[w] = wSummary;
    files[`${w}.json`] = JSON.stringify({ workload: w, title: info.title, protocol: info.protocol, started: input.started, machine: input.machine, summary: wSummary, runs: wRuns }, null, 1) + '\n';
  }
  md.push('## Targets', '', `The last column takes only the runs during which other processes kept less than ${QUIET_CORES} core busy (both sides of the ratio).`, '',
    '| target | measured | goal | | quiet runs only |', '|---|---|---|---|---|', ...targets, '');
  md.push(...memoryLines(runs, options.workloads, specs), '');
  md.push('## Machine load', '', ...loadLines(runs), '');
  files['bench.md'] = md.join('\n');
  files['bench.json'] = JSON.stringify({ started: input.started, finished: input.finished, options, machine: input.machine, missing: Object.fromEntries(input.missing), summary }, null, 1) + '\n';
  return files;
}

/**
 * Peak resident memory of each system's process (median over its 1-thread runs, start-up and
 * data included) and, for the JS systems, the garbage collections during the steps.
 */
function memoryLines(runs: RunRecord[], workloads: Workload[], specs: Spec[]): string[] {
  const lines = ['## Memory', '',
    'Peak resident memory of each process (its whole life: runtime, libraries, data and graph), median over the 1-thread runs; ' +
    'for the JS systems also the garbage collections during the steps (warm-up included), per 1,000 steps or epochs. ' +
    'The heap growth of a long W2 run is `node --expose-gc --require tsx/cjs bench/profile-engine.ts --workload w2`.', '',
    '| workload | system | peak RSS MiB | GCs per 1,000 units | GC ms per 1,000 units |', '|---|---|---|---|---|'];
  for (const w of workloads) {
    for (const spec of specs.filter((s) => s.workload === w)) {
      const key = specKey(spec);
      const ok = runs.filter((r) => r.workload === w && specKey(r) === key && r.threads === 1 && r.result?.memory);
      if (ok.length === 0) continue;
      const rss = median(ok.map((r) => r.result!.memory!.peakRssKiB / 1024));
      const counted = ok.filter((r) => r.result!.memory!.gc);
      const perK = (f: (r: RunRecord) => number): string => (counted.length ? fmt(median(counted.map((r) => (1000 * f(r)) / (r.steps + r.warmup)))) : '—');
      lines.push(`| ${w.toUpperCase()} | ${key} | ${fmt(rss)} | ${perK((r) => r.result!.memory!.gc!.count)} | ${perK((r) => r.result!.memory!.gc!.ms)} |`);
    }
  }
  return lines;
}

/** "timed steps × runs" per thread count, starred where reduced: `469 × 3; 2T: 40* × 3`. */
function repetitions(runs: RunRecord[], threads: number[]): string {
  const parts: string[] = [];
  for (const t of threads) {
    const at = runs.filter((r) => r.threads === t && r.result);
    if (at.length === 0) continue;
    const text = `${at[0].steps}${at[0].reduced ? '*' : ''} × ${at.length}`;
    if (parts.length === 0 || !parts[0].endsWith(text)) parts.push(parts.length === 0 ? text : `${t}T: ${text}`);
  }
  return parts.join('; ') || '—';
}

function dtypeOf(s: Spec, runs: RunRecord[]): string {
  return runs.find((r) => specKey(r) === specKey(s) && r.result)?.result?.dtype ?? '—';
}

/** The same-work check: the losses of the first steps (or the epoch's error) of every system against wiregrad's. */
function sameWork(w: Workload, runs: RunRecord[]): string[] {
  const first = new Map<string, RunResult>();
  for (const r of runs) if (r.result && r.threads === 1 && !first.has(specKey(r))) first.set(specKey(r), r.result);
  for (const r of runs) if (r.result && !first.has(specKey(r))) first.set(specKey(r), r.result);
  const ours = first.get('wiregrad block') ?? first.get('wiregrad');
  if (!ours) return ['Same work: wiregrad did not run, nothing to compare with.'];
  const rows = [...first].sort(([a], [b]) => Number(b.startsWith('wiregrad')) - Number(a.startsWith('wiregrad')));
  const out = ['Same work (same initial weights and data order from bench/.cache; tolerance 1e-9 relative when both sides are float64, 1e-4 when one is float32):', ''];
  const tol = (r: RunResult): number => (r.dtype === 'float64' && ours.dtype === 'float64' ? 1e-9 : 1e-4);
  if (w === 'w5') {
    out.push('| system | error after epoch 1 | vs 1494.3602137 | vs wiregrad | |', '|---|---|---|---|---|');
    for (const [key, r] of rows) {
      const e = r.check.error_epoch1 as number;
      const d = rel(e, ours.check.error_epoch1 as number);
      const anchor = rel(e, W5_ERROR_EPOCH1);
      const ok = d <= tol(r) && anchor <= (r.dtype === 'float64' ? 1e-9 : 1e-4);
      out.push(`| ${key} | ${e.toPrecision(14)} | ${anchor.toExponential(1)} | ${d.toExponential(1)} | ${ok ? 'agrees' : 'DIFFERS'} |`);
    }
    return out;
  }
  out.push('| system | loss, step 1 | rel. diff step 1 | max rel. diff steps 1–5 |' + (w === 'w4' ? ' epoch-1 mean loss | rel. diff |' : '') + ' |');
  out.push(`|---|---|---|---|${w === 'w4' ? '---|---|' : ''}---|`);
  const ourLosses = ours.check.losses as number[];
  for (const [key, r] of rows) {
    const losses = r.check.losses as number[];
    const d1 = rel(losses[0], ourLosses[0]);
    const n = Math.min(losses.length, ourLosses.length);
    const d5 = Math.max(...losses.slice(0, n).map((l, k) => rel(l, ourLosses[k])));
    let status = d1 <= tol(r) ? 'agrees' : 'DIFFERS';
    if (d1 <= tol(r) && d5 > tol(r)) status += key.includes(' nn') ? ' at step 1; later steps drift: nn.LSTM keeps two bias vectors, and SGD moves both (twice the bias step)' : '; later steps drift';
    let cells = `| ${key} | ${losses[0].toPrecision(10)} | ${d1.toExponential(1)} | ${d5.toExponential(1)} (${n} steps) |`;
    if (w === 'w4') {
      const e = r.check.epoch_loss as number | null;
      const oe = ours.check.epoch_loss as number | null;
      cells += e !== null && oe !== null ? ` ${e.toFixed(4)} | ${rel(e, oe).toExponential(1)} |` : ` ${e === null ? '— (partial epoch)' : e.toFixed(4)} | — |`;
    }
    out.push(`${cells} ${status} |`);
  }
  return out;
}

function loadLines(runs: RunRecord[]): string[] {
  const others = runs.map((r) => r.load.othersCores);
  const loadavg = runs.map((r) => r.load.loadavg1);
  if (runs.length === 0) return ['No runs.'];
  const names = new Map<string, number>();
  for (const r of runs) for (const p of r.load.top) names.set(p.name, (names.get(p.name) ?? 0) + p.cores);
  const busiest = [...names].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n]) => n);
  return [
    `Other processes kept ${fmt(median(others))} cores busy during the median run (min ${fmt(Math.min(...others))}, max ${fmt(Math.max(...others))}); ` +
      `1-minute load average ${fmt(Math.min(...loadavg))}–${fmt(Math.max(...loadavg))}. Busiest other processes: ${busiest.join(', ') || 'none'}.`,
    'Each run\'s load average, others\' cores and top processes are in bench/results/w*.json (`runs[].load`).',
  ];
}
