// npm run bench [-- --rounds N --workloads w2,w3 --threads 1,2 --quick --no-install --quiet-wait S]
// npm run bench -- --profile   CPU profiles of wiregrad's training steps → bench/results/bench.profile.md
// npm run bench -- --report    rewrites bench/results/bench.{md,json} from the runs kept in bench/results/w*.json
//
// Runs W2–W5 (shared/WORKLOADS.md) through wiregrad and its peers in one run: every system in
// its own process (so that thread settings apply before any library loads), interleaved
// round-robin with the order rotated each round. Writes bench/results/w*.json (every run with the
// machine load seen during it) and bench/results/bench.{md,json} (medians, min–max, ratios).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchResult } from './harness';
import { Load, machine, waitForQuiet, watchLoad } from './machine';
import { plan, repsAt, Spec, SystemName, Workload, WORKLOADS } from './plan';
import { report, RunRecord, summariseRun } from './report';
import { mainProfile, markdown, summarise } from '../scripts/bench-profile';

const ROOT = path.resolve(__dirname, '..');
const BENCH = __dirname;
const RESULTS = path.join(BENCH, 'results');
const PYTHON = '/usr/bin/python3';
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
/** A run that takes longer is stopped and reported as failed. */
const RUN_TIMEOUT_S = 10 * 60;

interface Options {
  rounds: number;
  workloads: Workload[];
  threads: number[];
  quick: boolean;
  install: boolean;
  quietWait: number;
  profile: boolean;
  report: boolean;
}

function options(argv: string[]): Options {
  const o: Options = { rounds: 3, workloads: ['w2', 'w3', 'w4', 'w5'], threads: [1, 2], quick: false, install: true, quietWait: 3, profile: false, report: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--rounds') o.rounds = positive(flag, value());
    else if (flag === '--workloads') o.workloads = value().split(',').map((w) => (w in WORKLOADS ? (w as Workload) : fail(`unknown workload '${w}' (w2, w3, w4, w5)`)));
    else if (flag === '--threads') o.threads = value().split(',').map((t) => positive('--threads', t));
    else if (flag === '--quiet-wait') {
      o.quietWait = Number(value());
      if (!(o.quietWait >= 0)) fail(`--quiet-wait must be a number of seconds ≥ 0, got '${argv[i]}'`);
    }
    else if (flag === '--quick') o.quick = true;
    else if (flag === '--no-install') o.install = false;
    else if (flag === '--profile') o.profile = true;
    else if (flag === '--report') o.report = true;
    else fail(`unknown flag '${flag}'`);
  }
  if (o.quick) o.rounds = 1;
  return o;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got '${v}'`);
  return n;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

// ---- peers -----------------------------------------------------------------------------------

function succeeds(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** Which systems can run, installing the missing peers once (and saying what is installed). */
function preparePeers(install: boolean): Map<SystemName, string | null> {
  const missing = new Map<SystemName, string | null>([['wiregrad', null]]);
  const pyHas = (mod: string): boolean => fs.existsSync(PYTHON) && succeeds(PYTHON, ['-c', `import ${mod}`]);
  if (install && !(pyHas('torch') && pyHas('numpy'))) {
    say('installing the Debian packages python3-torch and python3-numpy (PyTorch CPU and numpy for /usr/bin/python3; about 1 GB): apt-get install -y python3-torch python3-numpy');
    const r = spawnSync('apt-get', ['install', '-y', 'python3-torch', 'python3-numpy'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) say('apt-get failed: the python peers that are not installed are reported as missing');
  }
  missing.set('numpy', pyHas('numpy') ? null : `numpy not importable by ${PYTHON} (apt-get install python3-numpy)`);
  missing.set('pytorch', pyHas('torch') ? null : `torch not importable by ${PYTHON} (apt-get install python3-torch)`);
  const tfjs = path.join(BENCH, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  const wasm = path.join(BENCH, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'package.json');
  if (install && !(fs.existsSync(tfjs) && fs.existsSync(wasm))) {
    say('installing @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm into bench/node_modules from bench/package-lock.json: npm --prefix bench ci');
    const r = spawnSync('npm', ['--prefix', BENCH, 'ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
    if (r.status !== 0) say('npm ci in bench/ failed: the TensorFlow.js peers are reported as missing');
  }
  const tfjsMissing = fs.existsSync(tfjs) ? null : '@tensorflow/tfjs not installed in bench/node_modules (npm --prefix bench ci)';
  missing.set('tfjs-cpu', tfjsMissing);
  missing.set('tfjs-wasm', tfjsMissing ?? (fs.existsSync(wasm) ? null : '@tensorflow/tfjs-backend-wasm not installed in bench/node_modules'));
  return missing;
}

/** The shared initial weights and data (bench/.cache), written once by a numpy script. */
function prepareData(): void {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'bench-data.py')], { stdio: 'inherit' });
  if (r.status !== 0) fail(`scripts/bench-data.py failed: it needs numpy for ${PYTHON} (the data every system starts from)`);
}

// ---- one run ---------------------------------------------------------------------------------

const WIREGRAD_FILES: Record<Workload, string> = { w2: 'w2-lstm-small.ts', w3: 'w3-lstm-large.ts', w4: 'w4-vae.ts', w5: 'w5-mlp.ts' };

function command(spec: Spec, threads: number): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const common = ['--workload', spec.workload, '--threads', String(threads), '--steps', String(spec.steps), '--warmup', String(spec.warmup)];
  // every pool of the process is sized before the library loads
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  switch (spec.system) {
    case 'wiregrad':
      // tsx's CommonJS hook, as a user's compiled CommonJS would load; its ESM loader (--import tsx) costs W2 about 10% more per step
      return { cmd: process.execPath, args: ['--require', 'tsx/cjs', path.join(BENCH, WIREGRAD_FILES[spec.workload]), ...common], env: { ...env, WIREGRAD_THREADS: String(threads) } };
    case 'pytorch': {
      // PyTorch's 2-thread figure with the OpenMP OpenBLAS loaded (shared/WORKLOADS.md, peer configuration)
      const ld = threads > 1 ? { LD_LIBRARY_PATH: [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {};
      return { cmd: PYTHON, args: [path.join(BENCH, 'peers', 'torch_peer.py'), ...common, ...(spec.variant ? ['--variant', spec.variant] : [])], env: { ...env, ...ld } };
    }
    case 'numpy':
      return { cmd: PYTHON, args: [path.join(BENCH, 'peers', 'numpy_w5.py'), ...common], env };
    case 'tfjs-cpu':
    case 'tfjs-wasm':
      return { cmd: process.execPath, args: [path.join(BENCH, 'peers', 'tfjs_peer.js'), ...common, '--backend', spec.system.slice(5)], env };
  }
}

function runOne(given: Spec, threads: number, round: number, quietWait: number): RunRecord {
  const spec = { ...given, ...repsAt(given, threads) };
  const quiet = waitForQuiet(0.5, quietWait);
  const { cmd, args, env } = command(spec, threads);
  const watch = watchLoad();
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { env, cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: RUN_TIMEOUT_S * 1000 });
  const wall = (Date.now() - t0) / 1000;
  const base = { workload: spec.workload, system: spec.system, variant: spec.variant, threads, round, steps: spec.steps, warmup: spec.warmup, reduced: spec.reduced ?? null, wall, quietBefore: quiet };
  const lines = (r.stdout ?? '').trim().split('\n');
  let result: BenchResult | null = null;
  try {
    result = JSON.parse(lines[lines.length - 1]) as BenchResult;
  } catch {
    result = null;
  }
  const load: Load = watch.stop(r.pid, result ? Number(result.cpu) : 0);
  if (r.status !== 0 || !result) {
    const why = r.error?.message ?? (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
    return { ...base, load, result: null, error: `exit ${r.status ?? r.signal}: ${why}` };
  }
  return { ...base, load, result: summariseRun(result), error: null };
}

// ---- profiles --------------------------------------------------------------------------------

/** Enough steps that the steady state outweighs start-up, few enough to take seconds. */
const PROFILE_STEPS: Record<Workload, number> = { w2: 2000, w3: 10, w4: 60, w5: 20 };

function profileWiregrad(o: Options): void {
  const cache = path.join(BENCH, '.cache', 'profiles');
  const out = ['# Where wiregrad\'s time goes', '',
    `Self time by category and by function from V8's CPU profiler (the one behind \`node --cpu-prof\`), started by the workload after its set-up so that`,
    `the profile holds the training steps alone (BENCH_CPU_PROFILE in bench/harness.js), summarised by scripts/bench-profile.ts; 1 thread; ${new Date().toISOString()}.`,
    'Time inside the native addon is charged to the JS function that called it, marked `→ addon`: under `gemm` (src/backend/native.ts) it is OpenBLAS, under an op or an optimizer its kernel.', ''];
  for (const w of o.workloads) {
    const spec = plan(false).find((s) => s.workload === w && s.system === 'wiregrad') as Spec;
    const file = path.join(cache, `${w}.cpuprofile`);
    fs.rmSync(file, { force: true });
    const run = { ...spec, steps: PROFILE_STEPS[w], warmup: Math.min(spec.warmup, 3) };
    const { cmd, args, env } = command(run, 1);
    say(`profiling wiregrad ${w} (${run.steps} ${WORKLOADS[w].unit}s)`);
    const r = spawnSync(cmd, args, { env: { ...env, BENCH_CPU_PROFILE: file }, cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0 || !fs.existsSync(file)) fail(`profiling ${w} failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
    const summary = summarise(mainProfile([file]).profile);
    out.push(`## ${WORKLOADS[w].title.replace(/ \(.*/, '')} — ${run.steps} ${WORKLOADS[w].unit}s after ${run.warmup} warm-up`, '',
      `About ${(summary.totalMs / (run.steps + run.warmup)).toFixed(3)} ms of profiled time per ${WORKLOADS[w].unit}.`, '', markdown(summary, 12));
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'bench.profile.md'), out.join('\n'));
  say('wrote bench/results/bench.profile.md');
}

// ---- main ------------------------------------------------------------------------------------

function main(): void {
  const o = options(process.argv.slice(2));
  if (o.profile) {
    prepareData();
    profileWiregrad(o);
    return;
  }
  if (o.report) {
    rewriteReport();
    return;
  }
  const started = new Date();
  const host = machine(); // the commit as it is when the runs start
  const missing = preparePeers(o.install);
  prepareData();
  const specs = plan(o.quick).filter((s) => o.workloads.includes(s.workload));
  const runs: RunRecord[] = [];
  for (const [system, why] of missing) if (why) say(`${system} is missing: ${why}`);
  for (let round = 0; round < o.rounds; round++) {
    for (const threads of o.threads) {
      for (const [w, workload] of o.workloads.entries()) {
        const list = specs.filter((s) => s.workload === workload && s.threads.includes(threads) && !missing.get(s.system) && round < (s.rounds ?? Infinity));
        // rotate the order every round (and per workload) so that no system always runs first
        const shift = list.length > 0 ? (round + w) % list.length : 0;
        for (const spec of [...list.slice(shift), ...list.slice(0, shift)]) {
          const run = runOne(spec, threads, round, o.quietWait);
          runs.push(run);
          const m = run.result ? `${(run.result.time.median * 1000).toFixed(3)} ms/${run.result.unit}` : `FAILED ${run.error}`;
          say(`round ${round + 1}/${o.rounds} ${threads}T ${workload} ${spec.system}${spec.variant ? ` ${spec.variant}` : ''}: ${m} (others ${run.load.othersCores} cores, load ${run.load.loadavg1})`);
        }
      }
    }
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  const out = report({ started, finished: new Date(), options: o, machine: host, missing, specs, runs });
  for (const [file, text] of Object.entries(out)) fs.writeFileSync(path.join(RESULTS, file), text);
  say(`wrote ${Object.keys(out).map((f) => `bench/results/${f}`).join(', ')}`);
  if (!o.quick) updateReadme(out['bench.md']);
  process.stdout.write(out['bench.md']);
}

const README = path.join(BENCH, 'README.md');
const TABLE_START = '<!-- latest bench.md: written by npm run bench -->';
const TABLE_END = '<!-- end of bench.md -->';

/** Puts the latest table into bench/README.md between its markers (its title becomes a lower heading level). */
function updateReadme(table: string): void {
  if (!fs.existsSync(README)) return;
  const text = fs.readFileSync(README, 'utf8');
  const [start, end] = [text.indexOf(TABLE_START), text.indexOf(TABLE_END)];
  if (start < 0 || end < start) return;
  const body = table.replace(/^# .*\n/, '').replace(/^## /gm, '### ');
  fs.writeFileSync(README, `${text.slice(0, start + TABLE_START.length)}\n${body.trim()}\n${text.slice(end)}`);
  say('updated the table in bench/README.md');
}

/** The report again from the runs kept in bench/results (after a change to the report itself). */
function rewriteReport(): void {
  const read = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(RESULTS, file), 'utf8')) as Record<string, unknown>;
  const last = read('bench.json') as { started: string; finished: string; options: Options; machine: Record<string, unknown>; missing: Record<string, string | null> };
  const runs = last.options.workloads.flatMap((w) => read(`${w}.json`).runs as RunRecord[]);
  const out = report({
    started: new Date(last.started), finished: new Date(last.finished), options: last.options, machine: last.machine,
    missing: new Map(Object.entries(last.missing) as [SystemName, string | null][]), specs: plan(last.options.quick).filter((s) => last.options.workloads.includes(s.workload)), runs,
  });
  for (const [file, text] of Object.entries(out)) fs.writeFileSync(path.join(RESULTS, file), text);
  if (!last.options.quick) updateReadme(out['bench.md']);
  say(`rewrote ${Object.keys(out).map((f) => `bench/results/${f}`).join(', ')} from the kept runs`);
}

main();
