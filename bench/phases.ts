// GEMM-bound phases: how close the products of a real training step come to OpenBLAS called from C.
// For W2–W5 (shared/WORKLOADS.md) it records the products one steady-state step issues through
// src/backend/select.ts's matmul (bench/phases-record.ts), then times, interleaved round-robin,
// each in its own process with its thread pools sized before load:
//   steps   the workload's own training steps, with the time inside gemm summed per step
//   replay  that step's products replayed through wiregrad's matmul, on buffers of the recorded sizes
//   C       the same products in C straight on OpenBLAS (bench/gemm-openblas.c replay)
//   npm run bench:phases [-- --rounds 3 --workloads w2,w3,w4,w5 --threads 1,2 --quiet-wait 3 --retries 2]
// A run during which other processes kept half a core or more busy is run again, at most --retries times.
// writes bench/results/phases.json and phases.md.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendFor, loadNative, Matrix, matmul, Rng } from '../src';
import { resolveBackend } from '../src/backend/auto';
import { Load, machine, waitForQuiet, watchLoad } from './machine';
import { flopsOf, formatProducts, parseProducts, Product, StepProducts, StepRecorder } from './phases-record';
import { median } from './report';

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');
const CACHE = path.join(BENCH, '.cache', 'phases');
const RESULTS = path.join(BENCH, 'results');
const OPENBLAS_LIB = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const OPENBLAS_INCLUDE = '/usr/include/x86_64-linux-gnu/openblas-openmp';
const BATCHES = 7;
/** A run during which other processes kept fewer cores busy than this counts as quiet. */
const QUIET_CORES = 0.5;
const MIN_BATCH_SECONDS = 0.2;

type Workload = 'w2' | 'w3' | 'w4' | 'w5';

/**
 * How each workload is run here. A step is what lies between two Graph.reset() calls (W5: one
 * batch of 10; its unit of `--steps` is an epoch of 100 batches); the first `skip` steps are
 * warm-up and the step right after them is the one recorded.
 */
const WORKLOADS: Record<Workload, { file: string; title: string; dtype: string; steps: number; warmup: number; skip: number }> = {
  w2: { file: 'w2-lstm-small.ts', title: 'W2 LSTM-small', dtype: 'float64', steps: 500, warmup: 20, skip: 20 },
  w3: { file: 'w3-lstm-large.ts', title: 'W3 LSTM-large', dtype: 'float32', steps: 12, warmup: 3, skip: 3 },
  w4: { file: 'w4-vae.ts', title: 'W4 VAE', dtype: 'float32', steps: 40, warmup: 3, skip: 3 },
  w5: { file: 'w5-mlp.ts', title: 'W5 MLP', dtype: 'float64', steps: 3, warmup: 1, skip: 100 },
};

function seconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

function productsFile(w: Workload): string {
  return path.join(CACHE, `${w}.products`);
}

// ---- workers: each prints one JSON line last --------------------------------------------------------

/** Runs the workload's own script with the recorder installed; optionally writes the recorded step. */
function stepsWorker(w: Workload, threads: number, record: string | undefined): void {
  const spec = WORKLOADS[w];
  const recorder = new StepRecorder(spec.skip, spec.skip + 1);
  recorder.install();
  const timerSeconds = timerCost();
  process.argv = [process.argv[0], path.join(BENCH, spec.file), '--workload', w, '--threads', String(threads), '--steps', String(spec.steps), '--warmup', String(spec.warmup)];
  require(path.join(BENCH, spec.file)); // runs the steps and prints the workload's own result line
  recorder.stop();
  const steady = recorder.timings.slice(spec.skip);
  if (!recorder.recorded || steady.length === 0) throw new Error(`${w}: no steady-state step was recorded`);
  if (record) {
    fs.mkdirSync(path.dirname(record), { recursive: true });
    fs.writeFileSync(record, formatProducts(recorder.recorded, `${w}: the products of step ${spec.skip + 1} (after ${spec.skip} warm-up steps), in order`));
  }
  const u = process.cpuUsage();
  console.log(JSON.stringify({
    system: 'steps', stepSeconds: steady.map((s) => s.seconds), gemmSeconds: steady.map((s) => s.gemmSeconds), calls: median(steady.map((s) => s.calls)),
    sameAsNext: recorder.sameAsNext, timerSeconds, backend: resolveBackend().reason, cpu: (u.user + u.system) / 1e6,
  }));
}

/** Seconds per pair of the recorder's clock reads: what timing each gemm call adds to a step. */
function timerCost(): number {
  const reps = 200000;
  const t0 = seconds();
  for (let i = 0; i < reps; i++) {
    seconds();
    seconds();
  }
  return (seconds() - t0) / reps;
}

/**
 * The recorded products on buffers of the recorded sizes, three ways, interleaved batch by batch:
 *   matmul   through wiregrad's matmul, as the step issued them (the replay figure)
 *   backend  straight to the backend matmul would choose: without matmul's shape checks
 *   addon    every product straight to the addon's sgemm/dgemm, the TS ones too: no JS layer at all,
 *            so that addon − C is the cost of crossing into the addon, and matmul − addon the JS side's
 */
function replayWorker(file: string): void {
  const step = parseProducts(fs.readFileSync(file, 'utf8'));
  const rng = new Rng(1);
  const arrays = step.buffers.map((b) => {
    const x = b.dtype === 'float32' ? new Float32Array(b.length) : new Float64Array(b.length);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
    return x;
  });
  const addon = loadNative().addon;
  if (!addon) throw new Error('replay needs the native addon');
  const ways: Record<ReplayWay, (() => void)[]> = {
    matmul: step.products.map((p) => viaMatmul(p, step, arrays)),
    backend: step.products.map((p) => {
      const backend = backendFor(p.m, p.n, p.k);
      const [a, b, c] = [arrays[p.a], arrays[p.b], arrays[p.c]];
      return () => backend.gemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, a, p.aOffset, p.lda, b, p.bOffset, p.ldb, p.beta, c, p.cOffset, p.ldc);
    }),
    addon: step.products.map((p) => {
      const gemm = (arrays[p.a] instanceof Float32Array ? addon.sgemm : addon.dgemm) as (...args: unknown[]) => void;
      const [a, b, c] = [arrays[p.a], arrays[p.b], arrays[p.c]];
      const scalars = Float64Array.of(+p.transA, +p.transB, p.m, p.n, p.k, p.alpha, p.aOffset, p.lda, p.bOffset, p.ldb, p.beta, p.cOffset, p.ldc).buffer;
      return () => gemm(a, b, c, scalars);
    }),
  };
  const passes = Object.fromEntries(REPLAY_WAYS.map((w) => [w, () => {
    for (const call of ways[w]) call();
  }])) as Record<ReplayWay, () => void>;
  const { reps, batchSeconds } = protocol(REPLAY_WAYS.map((w) => passes[w]));
  const u = process.cpuUsage();
  const seconds = Object.fromEntries(REPLAY_WAYS.map((w, i) => [w, batchSeconds[i].map((s) => s / reps)]));
  console.log(JSON.stringify({ system: 'replay', reps, seconds, backend: resolveBackend().reason, cpu: (u.user + u.system) / 1e6 }));
}

const REPLAY_WAYS = ['matmul', 'backend', 'addon'] as const;
type ReplayWay = (typeof REPLAY_WAYS)[number];

/** matmul on matrices over the recorded buffers (matmul always passes offset 0 and ld = columns). */
function viaMatmul(p: Product, step: StepProducts, arrays: (Float32Array | Float64Array)[]): () => void {
  const matrix = (id: number, offset: number, ld: number, rows: number) => {
    const buffer = step.buffers[id];
    if (offset !== 0 || ld * rows !== buffer.length) throw new Error(`replay: a product that matmul does not issue (buffer ${id}, offset ${offset}, ld ${ld})`);
    return new Matrix(rows, ld, buffer.dtype, arrays[id]);
  };
  const a = matrix(p.a, p.aOffset, p.lda, p.transA ? p.k : p.m);
  const b = matrix(p.b, p.bOffset, p.ldb, p.transB ? p.n : p.k);
  const c = matrix(p.c, p.cOffset, p.ldc, p.m);
  return () => matmul(a, b, c, p.transA, p.transB, p.alpha, p.beta);
}

/**
 * bench/gemm.ts's protocol for each of `calls`, interleaved: 1 warm-up each; reps calibrated on the
 * first so that its batch lasts ≥ 0.2 s; 7 rounds of one timed batch each, the order rotated.
 */
function protocol(calls: (() => void)[]): { reps: number; batchSeconds: number[][] } {
  for (const call of calls) call();
  const batch = (call: () => void, reps: number) => {
    const t0 = seconds();
    for (let r = 0; r < reps; r++) call();
    return seconds() - t0;
  };
  let reps = 1;
  let t = batch(calls[0], reps);
  while (t < MIN_BATCH_SECONDS) {
    reps = Math.floor(reps * (t > 0 ? 0.25 / t : 10)) + 1;
    t = batch(calls[0], reps);
  }
  const out = calls.map(() => [] as number[]);
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < calls.length; i++) {
      const j = (i + b) % calls.length;
      out[j].push(batch(calls[j], reps));
    }
  }
  return { reps, batchSeconds: out };
}

// ---- driver ---------------------------------------------------------------------------------------------

type System = 'steps' | 'replay' | 'C';
const SYSTEMS: System[] = ['steps', 'replay', 'C'];

interface Run {
  workload: Workload;
  threads: number;
  system: System;
  round: number;
  quietBefore: { cores: number; waited: number };
  load: Load;
  /** The load of the earlier attempts, discarded because other processes kept ≥ QUIET_CORES busy. */
  disturbed: Load[];
  /** Seconds of GEMM per step: the median over the run's steps (steps) or batches (replay, C). */
  gemm: number;
  /** steps only: the median step and the median of each step's GEMM share. */
  step?: number;
  share?: number;
  /** replay only: the median pass of each way (matmul is `gemm`). */
  ways?: Record<ReplayWay, number>;
  out: Record<string, unknown>;
}

function buildC(): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const exe = path.join(CACHE, 'gemm-openblas');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', path.join(BENCH, 'gemm-openblas.c'), `-I${OPENBLAS_INCLUDE}`,
    `${OPENBLAS_LIB}/libopenblas.so.0`, `-Wl,-rpath,${OPENBLAS_LIB}`, '-o', exe], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the C side failed:\n${r.stderr}`);
  return exe;
}

function command(system: System, w: Workload, threads: number, exe: string, record?: string): string[] {
  const worker = [process.execPath, '--require', 'tsx/cjs', __filename, '--workload', w, '--threads', String(threads)];
  if (system === 'steps') return [...worker, '--worker', 'steps', ...(record ? ['--record', record] : [])];
  if (system === 'replay') return [...worker, '--worker', 'replay', '--file', productsFile(w)];
  return [exe, 'replay', productsFile(w), String(threads)];
}

function spawnRun(argv: string[], threads: number, quietWait: number): { out: Record<string, unknown>; load: Load; quietBefore: Run['quietBefore'] } {
  const quietBefore = waitForQuiet(0.5, quietWait);
  const watch = watchLoad();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20,
    // every pool of the process is sized before the library loads
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), WIREGRAD_THREADS: String(threads) },
  });
  const lines = (r.stdout ?? '').trim().split('\n');
  let out: Record<string, unknown> | null = null;
  try {
    out = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
  } catch {
    out = null;
  }
  const load = watch.stop(r.pid, out ? Number(out.cpu) : 0);
  if (r.status !== 0 || !out) throw new Error(`${argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${(r.stderr ?? '').trim().split('\n').slice(-8).join('\n')}`);
  return { out, load, quietBefore };
}

interface Options {
  rounds: number;
  workloads: Workload[];
  threads: number[];
  quietWait: number;
  retries: number;
}

function options(argv: string[]): Options {
  const o: Options = { rounds: 3, workloads: ['w2', 'w3', 'w4', 'w5'], threads: [1, 2], quietWait: 3, retries: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--rounds') o.rounds = Number(value);
    else if (flag === '--workloads') o.workloads = value.split(',') as Workload[];
    else if (flag === '--threads') o.threads = value.split(',').map(Number);
    else if (flag === '--quiet-wait') o.quietWait = Number(value);
    else if (flag === '--retries') o.retries = Number(value);
    else throw new Error(`unknown option ${flag} (--rounds N --workloads w2,w3,w4,w5 --threads 1,2 --quiet-wait S --retries N)`);
  }
  for (const w of o.workloads) if (!(w in WORKLOADS)) throw new Error(`unknown workload '${w}' (w2, w3, w4, w5)`);
  if (!(o.rounds >= 1) || o.threads.some((t) => !(t >= 1))) throw new Error('--rounds and --threads take positive integers');
  if (!(o.retries >= 0) || !(o.quietWait >= 0)) throw new Error('--retries and --quiet-wait take numbers ≥ 0');
  return o;
}

function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

function driver(o: Options): void {
  const exe = buildC();
  const started = new Date();
  const recorded = new Map<Workload, { step: StepProducts; sameAsNext: boolean | null }>();
  for (const w of o.workloads) {
    const { out } = spawnRun(command('steps', w, 1, exe, productsFile(w)), 1, 0);
    recorded.set(w, { step: parseProducts(fs.readFileSync(productsFile(w), 'utf8')), sameAsNext: out.sameAsNext as boolean | null });
    say(`${w}: recorded ${recorded.get(w)!.step.products.length} products per step (next step the same: ${String(out.sameAsNext)})`);
  }
  const runs: Run[] = [];
  for (let round = 0; round < o.rounds; round++) {
    for (const w of o.workloads) {
      for (const threads of o.threads) {
        for (let i = 0; i < SYSTEMS.length; i++) {
          const system = SYSTEMS[(i + round) % SYSTEMS.length]; // round-robin, the order rotated each round
          // a run that other processes disturbed is run again (at most `retries` times); the last one counts
          const disturbed: Load[] = [];
          let attempt = spawnRun(command(system, w, threads, exe), threads, o.quietWait);
          while (attempt.load.othersCores >= QUIET_CORES && disturbed.length < o.retries) {
            disturbed.push(attempt.load);
            attempt = spawnRun(command(system, w, threads, exe), threads, o.quietWait);
          }
          const { out, load, quietBefore } = attempt;
          const run: Run = { workload: w, threads, system, round, quietBefore, load, disturbed, gemm: 0, out };
          if (system === 'steps') {
            const steps = out.stepSeconds as number[], gemm = out.gemmSeconds as number[];
            run.gemm = median(gemm);
            run.step = median(steps);
            run.share = median(gemm.map((g, k) => g / steps[k]));
            delete out.stepSeconds;
            delete out.gemmSeconds;
          } else if (system === 'replay') {
            const ways = out.seconds as Record<ReplayWay, number[]>;
            run.gemm = median(ways.matmul);
            run.ways = Object.fromEntries(REPLAY_WAYS.map((w) => [w, median(ways[w])])) as Record<ReplayWay, number>;
          } else {
            run.gemm = median(out.seconds as number[]);
          }
          runs.push(run);
          say(`round ${round + 1} ${w} ${threads}t ${system}${disturbed.length ? ` (attempt ${disturbed.length + 1})` : ''}: GEMM ${(run.gemm * 1e3).toFixed(3)} ms/step${run.step ? ` of ${(run.step * 1e3).toFixed(3)}` : ''} (others ${load.othersCores} cores)`);
        }
      }
    }
  }
  const finished = new Date();
  const result = summarise(o, runs, recorded, started, finished);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'phases.json'), JSON.stringify({ ...result, runs }, null, 2) + '\n');
  const md = markdown(result);
  fs.writeFileSync(path.join(RESULTS, 'phases.md'), md);
  process.stdout.write(md);
}

interface Stat {
  median: number;
  min: number;
  max: number;
}

function stat(xs: number[]): Stat {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

interface Row {
  workload: Workload;
  threads: number;
  dtype: string;
  calls: { native: number; ts: number };
  /** GFLOP of one step's products, and the part the TypeScript backend took. */
  gflop: number;
  tsGflop: number;
  stepMs: Stat;
  share: Stat;
  inStepMs: Stat;
  replayMs: Stat;
  cMs: Stat;
  /** C time / wiregrad time: 0.9 or more meets the target. */
  ratioInStep: number;
  ratioReplay: number;
  /** The same two ratios from the runs during which other processes kept < 0.5 core busy (null: none). */
  quiet: { ratioInStep: number | null; ratioReplay: number | null; runs: string };
  gflops: { inStep: number; replay: number; c: number };
  /** (wiregrad − C) / calls, µs: what each product costs beyond OpenBLAS's own time. */
  excessPerCallUs: { inStep: number; replay: number };
  /**
   * The replay's excess split, µs per product: in-step − replay (the rest of the step around the
   * products: caches, threads waking), matmul − backend (matmul's checks), backend − addon (the
   * backend wrapper, and TS instead of the addon for the small ones), addon − C (crossing into the addon).
   */
  perCallUs: { phase: number; matmul: number; backend: number; addon: number };
  /** The recorder's clock reads, µs per call: included in the in-step figure. */
  timerPerCallUs: number;
  othersCores: number;
  loadavg1: Stat;
}

function summarise(o: Options, runs: Run[], recorded: Map<Workload, { step: StepProducts; sameAsNext: boolean | null }>, started: Date, finished: Date) {
  const rows: Row[] = [];
  for (const w of o.workloads) {
    const { step } = recorded.get(w)!;
    const calls = { native: step.products.filter((p) => p.backend !== 'ts').length, ts: step.products.filter((p) => p.backend === 'ts').length };
    const gflop = flopsOf(step) / 1e9;
    const tsGflop = flopsOf({ buffers: step.buffers, products: step.products.filter((p) => p.backend === 'ts') }) / 1e9;
    for (const threads of o.threads) {
      const of = (s: System) => runs.filter((r) => r.workload === w && r.threads === threads && r.system === s);
      const ms = (s: System) => stat(of(s).map((r) => r.gemm * 1e3));
      const inStepMs = ms('steps'), replayMs = ms('replay'), cMs = ms('C');
      const quietMs = (sys: System) => {
        const ms = of(sys).filter((r) => r.load.othersCores < QUIET_CORES).map((r) => r.gemm * 1e3);
        return ms.length > 0 ? median(ms) : null;
      };
      const [qSteps, qReplay, qC] = [quietMs('steps'), quietMs('replay'), quietMs('C')];
      const quietRuns = SYSTEMS.map((sys) => of(sys).filter((r) => r.load.othersCores < QUIET_CORES).length).join('/');
      const way = (w: ReplayWay) => median(of('replay').map((r) => r.ways![w] * 1e3));
      const n = step.products.length;
      rows.push({
        workload: w, threads, dtype: WORKLOADS[w].dtype, calls, gflop, tsGflop,
        stepMs: stat(of('steps').map((r) => r.step! * 1e3)),
        share: stat(of('steps').map((r) => r.share!)),
        inStepMs, replayMs, cMs,
        ratioInStep: cMs.median / inStepMs.median,
        ratioReplay: cMs.median / replayMs.median,
        quiet: { ratioInStep: qSteps && qC && qC / qSteps, ratioReplay: qReplay && qC && qC / qReplay, runs: quietRuns },
        gflops: { inStep: gflop / (inStepMs.median / 1e3), replay: gflop / (replayMs.median / 1e3), c: gflop / (cMs.median / 1e3) },
        excessPerCallUs: { inStep: ((inStepMs.median - cMs.median) * 1e3) / n, replay: ((replayMs.median - cMs.median) * 1e3) / n },
        perCallUs: {
          phase: ((inStepMs.median - replayMs.median) * 1e3) / n,
          matmul: ((replayMs.median - way('backend')) * 1e3) / n,
          backend: ((way('backend') - way('addon')) * 1e3) / n,
          addon: ((way('addon') - cMs.median) * 1e3) / n,
        },
        timerPerCallUs: median(of('steps').map((r) => Number(r.out.timerSeconds))) * 1e6,
        othersCores: median(runs.filter((r) => r.workload === w && r.threads === threads).map((r) => r.load.othersCores)),
        loadavg1: stat(runs.filter((r) => r.workload === w && r.threads === threads).map((r) => r.load.loadavg1)),
      });
    }
  }
  const shapes = Object.fromEntries([...recorded].map(([w, { step, sameAsNext }]) => [w, { sameAsNextStep: sameAsNext, products: shapeSummary(step) }]));
  const discarded = runs.reduce((n, r) => n + r.disturbed.length, 0);
  return { started: started.toISOString(), finished: finished.toISOString(), machine: machine(), options: o, discarded, rows, shapes };
}

/** The distinct products of a step with how many times each occurs, in order of first use. */
function shapeSummary(step: StepProducts): { product: string; backend: string; count: number }[] {
  const out = new Map<string, { product: string; backend: string; count: number }>();
  for (const p of step.products) {
    const a = p.transA ? `(${p.k}×${p.m})ᵀ` : `${p.m}×${p.k}`;
    const b = p.transB ? `(${p.n}×${p.k})ᵀ` : `${p.k}×${p.n}`;
    const product = `${a} · ${b}${p.beta !== 0 ? ` + ${p.beta}·C` : ''}${p.alpha !== 1 ? `, alpha ${p.alpha}` : ''}`;
    const seen = out.get(product + p.backend);
    if (seen) seen.count++;
    else out.set(product + p.backend, { product, backend: p.backend, count: 1 });
  }
  return [...out.values()];
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a >= 0.01 ? v.toFixed(3) : v.toPrecision(2);
}

function range(s: Stat, scale = 1): string {
  return `${fmt(s.median * scale)} (${fmt(s.min * scale)}–${fmt(s.max * scale)})`;
}

function markdown(r: ReturnType<typeof summarise>): string {
  const m = r.machine;
  const lines = [
    '# GEMM-bound phases: wiregrad\'s products against OpenBLAS called from C',
    '',
    `Run ${r.started} → ${r.finished} on ${m.cpu}, ${m.cores} cores, node ${m.node}; wiregrad at commit ${m.commit}. ` +
      `${r.options.rounds} round(s), the three systems of each workload and thread count interleaved, the order rotated every round; ` +
      'a value is the median over rounds of the per-run median, min–max over rounds. ' +
      `A run during which other processes kept half a core or more busy was run again, at most ${r.options.retries} times, the last attempt counting (${r.discarded} runs discarded).`,
    '',
    '- **in-step**: time inside gemm during the workload\'s own training steps (`npm run bench` steps, per-step sums, median over steps);',
    '- **replay**: the products of one recorded steady-state step, in order, through wiregrad\'s `matmul` on buffers of the recorded sizes;',
    '- **C**: the same products in C straight on OpenBLAS (`bench/gemm-openblas.c replay`), the ceiling;',
    '- **C/x** = C time / wiregrad time: 0.9 or more meets the target "within 10% of the W1 ceiling";',
    '- **excess/call** = (wiregrad − C) / products per step; **share** = in-step GEMM / step time;',
    '- **quiet only**: C/in-step and C/replay from the runs during which other processes kept less than half a core busy (quiet runs of steps/replay/C).',
    '',
    '| workload | dtype | threads | products/step (addon + TS) | GFLOP/step | step ms | GEMM share | in-step ms | replay ms | C ms | C/in-step | C/replay | quiet only | GFLOPS in-step / replay / C | excess/call µs in-step / replay | others (cores) |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|',
  ];
  for (const x of r.rows) {
    lines.push(`| ${x.workload.toUpperCase()} | ${x.dtype} | ${x.threads} | ${x.calls.native} + ${x.calls.ts} | ${x.gflop.toPrecision(3)} | ${range(x.stepMs)} | ${fmt(x.share.median * 100)} % | ` +
      `${range(x.inStepMs)} | ${range(x.replayMs)} | ${range(x.cMs)} | ${x.ratioInStep.toFixed(2)} | ${x.ratioReplay.toFixed(2)} | ` +
      `${x.quiet.ratioInStep?.toFixed(2) ?? '—'} / ${x.quiet.ratioReplay?.toFixed(2) ?? '—'} (${x.quiet.runs}) | ` +
      `${fmt(x.gflops.inStep)} / ${fmt(x.gflops.replay)} / ${fmt(x.gflops.c)} | ${fmt(x.excessPerCallUs.inStep)} / ${fmt(x.excessPerCallUs.replay)} | ${fmt(x.othersCores)} |`);
  }
  lines.push('', '### Where the excess goes (µs per product, medians)', '',
    'in-step − replay: the rest of the step around the products (caches refilled, pool threads woken); matmul − backend: matmul\'s shape checks; ' +
    'backend − addon: the backend wrapper, and the TypeScript backend instead of the addon for products below the threshold; ' +
    'addon − C: crossing into the addon (N-API argument reading and checks) beyond the cblas call itself. The replay\'s three ways ran interleaved in one process.', '',
    '| workload | threads | products | in-step − replay | matmul − backend | backend − addon | addon − C |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    const u = x.perCallUs;
    lines.push(`| ${x.workload.toUpperCase()} | ${x.threads} | ${x.calls.native + x.calls.ts} | ${fmt(u.phase)} | ${fmt(u.matmul)} | ${fmt(u.backend)} | ${fmt(u.addon)} |`);
  }
  const timer = r.rows.map((x) => x.timerPerCallUs);
  lines.push('', `The in-step figure includes the recorder's two clock reads per product (${fmt(Math.min(...timer) * 1e3)}–${fmt(Math.max(...timer) * 1e3)} ns a pair).`,
    `1-minute load average during the runs: ${fmt(Math.min(...r.rows.map((x) => x.loadavg1.min)))}–${fmt(Math.max(...r.rows.map((x) => x.loadavg1.max)))}; "others" is how many cores other processes kept busy (median over runs).`, '',
    '## The products of one step', '');
  for (const [w, s] of Object.entries(r.shapes)) {
    lines.push(`**${w.toUpperCase()}** (the next step issues ${s.sameAsNextStep ? 'the same products' : 'DIFFERENT products'}): ` +
      s.products.map((p) => `${p.count}× ${p.product}${p.backend === 'ts' ? ' (TS)' : ''}`).join('; ') + '.', '');
  }
  return lines.join('\n');
}

// ---- entry -----------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const worker = flag('worker');
if (worker === 'steps') stepsWorker(flag('workload') as Workload, Number(flag('threads')), flag('record'));
else if (worker === 'replay') replayWorker(flag('file') as string);
else driver(options(argv));
