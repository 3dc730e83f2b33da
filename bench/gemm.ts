// W1 GEMM (shared/WORKLOADS.md): C = A·B, square n, row-major, A and B uniform in [-1, 1], beta 0,
// float32 and float64, 1 and 2 threads; wiregrad (its public matmul) beside OpenBLAS called from C
// (built here, linked to the same library) and wiregrad's pure-TS backend. Also the per-call cost at
// n = 4 and the TS/native crossover that sets NATIVE_THRESHOLD.
//   npx tsx bench/gemm.ts [--rounds 3] [--sizes 64,256,1024,2048]    writes bench/results/gemm.json and gemm.md
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNative, Matrix, matmul, NATIVE_THRESHOLD, resolveBackend, Rng, setThreads, tsBackend } from '../src';
import { nativeBackendOf } from '../src/backend/native';
import { FloatArray } from '../src/tensor/matrix';

const ALL_SIZES = [64, 256, 1024, 2048];
const TS_MAX = 1024;
const BATCHES = 7;
const MIN_BATCH_SECONDS = 0.2;
const OPENBLAS_LIB = '/usr/lib/x86_64-linux-gnu/openblas-openmp';
const OPENBLAS_INCLUDE = '/usr/include/x86_64-linux-gnu/openblas-openmp';
const CACHE = path.join(__dirname, '.cache');
const RESULTS = path.join(__dirname, 'results');

type DTypeName = 'float32' | 'float64';

function seconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** The protocol: 1 warm-up call; reps calibrated so a batch lasts ≥ 0.2 s; 7 timed batches. */
function protocol(call: () => void): { reps: number; batchSeconds: number[] } {
  call();
  const batch = (reps: number) => {
    const t0 = seconds();
    for (let r = 0; r < reps; r++) call();
    return seconds() - t0;
  };
  let reps = 1;
  let t = batch(reps);
  while (t < MIN_BATCH_SECONDS) {
    reps = Math.floor(reps * (t > 0 ? 0.25 / t : 10)) + 1;
    t = batch(reps);
  }
  return { reps, batchSeconds: Array.from({ length: BATCHES }, () => batch(reps)) };
}

function randomMatrix(rng: Rng, n: number, dtype: DTypeName): Matrix {
  const m = new Matrix(n, n, dtype);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform(-1, 1);
  return m;
}

// ---- worker side: one system, one configuration, in a process whose thread pools were sized before start

function worker(argv: Record<string, string>): void {
  const n = Number(argv.n), dtype = argv.dtype as DTypeName, threads = Number(argv.threads);
  setThreads(threads);
  if (argv.worker === 'crossover') return crossover();
  const rng = new Rng(1);
  const a = randomMatrix(rng, n, dtype), b = randomMatrix(rng, n, dtype), c = new Matrix(n, n, dtype);
  const run = protocol(() => matmul(a, b, c));
  const backend = resolveBackend().backend.name;
  const flop = 2 * n ** 3;
  const out = argv.call
    ? { secondsPerCall: run.batchSeconds.map((s) => s / run.reps) }
    : { gflops: run.batchSeconds.map((s) => (flop * run.reps) / s / 1e9) };
  console.log(JSON.stringify({ system: argv.worker, backend, reps: run.reps, ...out }));
}

/** Seconds per call of TS and native at square s, 1 thread, both dtypes, alternating. */
function crossover(): void {
  const addon = loadNative().addon;
  if (!addon) throw new Error('crossover needs the addon');
  const native = nativeBackendOf(addon);
  const rows: { s: number; dtype: DTypeName; ts: number; native: number }[] = [];
  for (const dtype of ['float64', 'float32'] as const) {
    for (const s of [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64]) {
      const rng = new Rng(s);
      const make = (): FloatArray => {
        const x = dtype === 'float32' ? new Float32Array(s * s) : new Float64Array(s * s);
        for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
        return x;
      };
      const a = make(), b = make(), c = make();
      const perCall = (gemm: typeof tsBackend.gemm) => {
        const reps = Math.max(50, Math.floor(2e6 / (s * s * s + 100)));
        const t0 = seconds();
        for (let r = 0; r < reps; r++) gemm(false, false, s, s, s, 1, a, 0, s, b, 0, s, 0, c, 0, s);
        return (seconds() - t0) / reps;
      };
      // untimed first: both paths compiled and their caches warm before either is timed
      perCall(tsBackend.gemm);
      perCall(native.gemm);
      const ts: number[] = [], nat: number[] = [];
      for (let round = 0; round < 5; round++) {
        ts.push(perCall(tsBackend.gemm));
        nat.push(perCall(native.gemm));
      }
      rows.push({ s, dtype, ts: median(ts), native: median(nat) });
    }
  }
  console.log(JSON.stringify({ system: 'crossover', rows }));
}

// ---- driver side

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** CPU seconds used by every process (from /proc/stat) and by this process's waited-for children. */
function cpuSample(): { all: number; children: number; self: number; at: number } {
  const stat = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const hz = 100; // USER_HZ on Linux
  const busy = stat.reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v), 0); // minus idle and iowait
  const self = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // fields after "(comm) ": utime is field 14 overall → index 11 here; cutime, cstime → 13, 14
  return { all: busy / hz, self: (Number(self[11]) + Number(self[12])) / hz, children: (Number(self[13]) + Number(self[14])) / hz, at: seconds() };
}

/** Cores kept busy by other processes between two samples. */
function othersBusy(a: ReturnType<typeof cpuSample>, b: ReturnType<typeof cpuSample>): number {
  const ours = b.children - a.children + (b.self - a.self);
  return Math.max(0, (b.all - a.all - ours) / (b.at - a.at));
}

interface Run {
  values: number[];
  backend?: string;
  othersCores: number;
}

function spawnRun(cmd: string, args: string[], threads: number, env: Record<string, string> = {}): Run {
  const before = cpuSample();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), WIREGRAD_THREADS: String(threads), ...env },
  });
  const after = cpuSample();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  return { values: out.gflops ?? out.secondsPerCall ?? out.rows, backend: out.backend, othersCores: othersBusy(before, after) };
}

function buildC(): string {
  fs.mkdirSync(CACHE, { recursive: true });
  const exe = path.join(CACHE, 'gemm-openblas');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', path.join(__dirname, 'gemm-openblas.c'), `-I${OPENBLAS_INCLUDE}`,
    `${OPENBLAS_LIB}/libopenblas.so.0`, `-Wl,-rpath,${OPENBLAS_LIB}`, '-o', exe], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the C peer failed:\n${r.stderr}`);
  return exe;
}

const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const self = __filename;

interface Cell {
  n: number;
  dtype: DTypeName;
  threads: number;
  system: string;
  median: number;
  min: number;
  max: number;
  runMedians: number[];
  othersCores: number[];
}

function driver(rounds: number, SIZES: number[]): void {
  const exe = buildC();
  const loadStart = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const started = new Date().toISOString();
  const systems = (n: number, threads: number) => {
    const list: { name: string; run: (dtype: DTypeName) => Run }[] = [
      { name: 'wiregrad', run: (d) => spawnRun(tsx, [self, '--worker', 'wiregrad', '--n', String(n), '--dtype', d, '--threads', String(threads)], threads) },
      { name: 'C OpenBLAS', run: (d) => spawnRun(exe, [String(n), d, String(threads)], threads) },
    ];
    // the pure-TS backend is single-threaded: it runs at 1 thread only
    if (threads === 1 && n <= TS_MAX) {
      list.push({ name: 'wiregrad TS', run: (d) => spawnRun(tsx, [self, '--worker', 'ts', '--n', String(n), '--dtype', d, '--threads', '1'], 1, { WIREGRAD_BACKEND: 'ts' }) });
    }
    return list;
  };
  const cells: Cell[] = [];
  for (const n of SIZES) {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const threads of [1, 2]) {
        const list = systems(n, threads);
        const runs = new Map<string, Run[]>(list.map((s) => [s.name, []]));
        for (let round = 0; round < rounds; round++) {
          // round-robin, the order rotated each round
          for (let i = 0; i < list.length; i++) {
            const s = list[(i + round) % list.length];
            const run = s.run(dtype);
            runs.get(s.name)!.push(run);
            process.stderr.write(`n=${n} ${dtype} ${threads}t ${s.name}: ${median(run.values).toFixed(1)} GFLOPS (others busy ${run.othersCores.toFixed(2)} cores)\n`);
          }
        }
        for (const s of list) {
          const rs = runs.get(s.name)!;
          const all = rs.flatMap((r) => r.values);
          cells.push({
            n, dtype, threads, system: s.name,
            median: median(rs.map((r) => median(r.values))),
            min: Math.min(...all), max: Math.max(...all),
            runMedians: rs.map((r) => median(r.values)),
            othersCores: rs.map((r) => r.othersCores),
          });
        }
      }
    }
  }

  // per-call cost at n = 4: every product forced into the addon, against C calling OpenBLAS
  const perCall = (dtype: DTypeName) => {
    const w: number[] = [], c: number[] = [];
    for (let round = 0; round < rounds; round++) {
      w.push(median(spawnRun(tsx, [self, '--worker', 'wiregrad', '--n', '4', '--dtype', dtype, '--threads', '1', '--call', '1'], 1, { WIREGRAD_BACKEND: 'native' }).values));
      c.push(median(spawnRun(exe, ['4', dtype, '1', 'call'], 1).values));
    }
    return { dtype, wiregradSeconds: median(w), cSeconds: median(c), overheadSeconds: median(w) - median(c) };
  };
  const calls = [perCall('float32'), perCall('float64')];

  const cross = spawnRun(tsx, [self, '--worker', 'crossover', '--n', '0', '--dtype', 'float64', '--threads', '1'], 1).values as unknown as { s: number; dtype: DTypeName; ts: number; native: number }[];
  // the crossover: the smallest s from which native is faster at every larger size tested
  const crossoverOf = (dtype: DTypeName) => {
    const rows = cross.filter((r) => r.dtype === dtype);
    let s = rows[rows.length - 1].s;
    for (let i = rows.length - 1; i >= 0 && rows[i].native < rows[i].ts; i--) s = rows[i].s;
    return s;
  };
  const crossover = { float64: crossoverOf('float64') ** 3, float32: crossoverOf('float32') ** 3 };
  // one threshold for both dtypes: the larger crossover, so that native is faster for either
  const suggested = Math.max(crossover.float64, crossover.float32);

  const loadEnd = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, started, loadavgStart: loadStart, loadavgEnd: loadEnd };
  const result = { workload: 'W1', protocol: '1 warm-up; reps so a batch ≥ 0.2 s; 7 batches; round-robin, rotated', rounds, machine, cells, perCall: calls, crossover: { rows: cross, multiplyAdds: crossover, suggestedThreshold: suggested }, thresholdInUse: NATIVE_THRESHOLD };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'gemm.json'), JSON.stringify(result, null, 2) + '\n');
  const md = markdown(SIZES, result.cells, calls, crossover, machine, rounds);
  fs.writeFileSync(path.join(RESULTS, 'gemm.md'), md);
  process.stdout.write(md);
  process.stdout.write(`\nTS/native crossover (m·n·k): float64 ${crossover.float64}, float32 ${crossover.float32}; threshold to use ${suggested} (NATIVE_THRESHOLD in src/backend/auto.ts is ${NATIVE_THRESHOLD})\n`);
}

function markdown(SIZES: number[], cells: Cell[], calls: { dtype: string; wiregradSeconds: number; cSeconds: number; overheadSeconds: number }[], crossover: Record<DTypeName, number>, machine: Record<string, unknown>, rounds: number): string {
  const fmt = (c?: Cell) => (c ? `${c.median.toFixed(1)} (${c.min.toFixed(1)}–${c.max.toFixed(1)})` : '—');
  const lines = [
    '# W1 GEMM: GFLOPS, median over rounds of per-run medians (min–max over all batches)',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores; load average at start ${machine.loadavgStart}, at end ${machine.loadavgEnd}; ${rounds} rounds. "others" = cores kept busy by other processes during the runs (median).`,
    '',
    '| n | dtype | threads | wiregrad | C OpenBLAS | wiregrad / C | wiregrad TS | others (cores) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const n of SIZES) for (const dtype of ['float32', 'float64']) for (const threads of [1, 2]) {
    const get = (s: string) => cells.find((c) => c.n === n && c.dtype === dtype && c.threads === threads && c.system === s);
    const w = get('wiregrad'), c = get('C OpenBLAS'), t = get('wiregrad TS');
    const busy = median(cells.filter((x) => x.n === n && x.dtype === dtype && x.threads === threads).flatMap((x) => x.othersCores));
    lines.push(`| ${n} | ${dtype} | ${threads} | ${fmt(w)} | ${fmt(c)} | ${w && c ? (w.median / c.median).toFixed(3) : '—'} | ${fmt(t)} | ${busy.toFixed(2)} |`);
  }
  lines.push('', '## Per-call cost at n = 4 (every product forced into the addon, 1 thread)', '', '| dtype | wiregrad matmul | C cblas call | overhead |', '|---|---:|---:|---:|');
  for (const c of calls) lines.push(`| ${c.dtype} | ${(c.wiregradSeconds * 1e6).toFixed(3)} µs | ${(c.cSeconds * 1e6).toFixed(3)} µs | ${(c.overheadSeconds * 1e6).toFixed(3)} µs |`);
  lines.push('', `TS/native crossover (square products, 1 thread; m·n·k from which native is faster at every larger size tested): float64 ${crossover.float64}, float32 ${crossover.float32}. The larger one is the threshold: products of fewer multiply-adds stay in TS.`, '');
  return lines.join('\n');
}

const argv: Record<string, string> = {};
for (let i = 2; i < process.argv.length; i += 2) argv[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (argv.worker) worker(argv);
else driver(Number(argv.rounds ?? 3), argv.sizes ? argv.sizes.split(',').map(Number) : ALL_SIZES);
