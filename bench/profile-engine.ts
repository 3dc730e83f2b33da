// The engine's per-step overhead on small graphs: W2 LSTM-small (per step) and W5 MLP (per epoch
// of 100 batches), wired exactly as bench/w2-lstm-small.ts and bench/w5-mlp.ts wire them, timed
// step by step, plus the heap growth and the garbage collections over a run of steps.
//
//   node --expose-gc --import tsx bench/profile-engine.ts [--workload w2|w5] [--steps 3000] [--rounds 3]
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/profile-engine.ts --workload w2
//   npx tsx bench/cpuprofile-summary.ts /tmp/prof/<file>.cpuprofile
//
// Needs bench/.cache (scripts/bench-data.py) for the shared initial weights and data.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { concat, Graph, Matrix, mse, Rng, scale } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { Lstm, LstmWindow } from '../src/blocks/lstm';
import { Sgd } from '../src/optim/sgd';
import { cachedMatrix, loadLstm } from './cached';
import { tensor } from './harness';

interface Workload {
  /** One timed unit of work (a W2 training step, a W5 epoch); returns the loss or error. */
  run(it: number): number;
  unit: string;
}

function w2(): Workload {
  const H = 16;
  const T = 5;
  const WINDOWS = 994;
  const g = new Graph({ dtype: 'float64' });
  const rng = new Rng(0);
  const lstm = new Lstm(g, 'lstm', 1, H, rng);
  const readout = new FeedForward(g, 'readout', H, 1, rng, { activation: 'tanh' });
  loadLstm(lstm, 'w2');
  readout.weight.assign(cachedMatrix('w2.w_out', H, 1, 'float64'));
  readout.bias!.assign(cachedMatrix('w2.b_out', 1, 1, 'float64'));
  const window = new LstmWindow(lstm, readout, 1, T);
  const target = g.input('target', 1, T);
  const loss = mse(concat(window.outputs, 'prediction'), target, 'mean', 'loss');
  const optimizer = new Sgd(g.parameters(), { lr: 0.01 });
  const series = tensor('w2.series').data;
  const xs = Array.from({ length: WINDOWS }, (_, p) => Array.from({ length: T }, (_, k) => Matrix.scalar(series[p + k])));
  const ys = Array.from({ length: WINDOWS }, (_, p) => new Matrix(1, T, 'float64', Float64Array.from(series.subarray(p + 1, p + 1 + T))));
  return {
    unit: 'step',
    run(it) {
      const p = it % WINDOWS;
      g.reset();
      for (let k = 0; k < T; k++) window.xs[k].feed(xs[p][k]);
      window.resetState();
      target.feed(ys[p]);
      const value = g.forward(loss).data[0];
      g.backward(loss);
      optimizer.step();
      return value;
    },
  };
}

function w5(): Workload {
  const BATCH = 10;
  const SIZES = [24, 128, 64, 12];
  const g = new Graph({ dtype: 'float64' });
  const rng = new Rng(0);
  const layers = [0, 1, 2].map((k) => new FeedForward(g, `l${k + 1}`, SIZES[k], SIZES[k + 1], rng, { activation: 'sigmoid', bias: false }));
  ['W01', 'W12', 'W23'].forEach((name, k) => layers[k].weight.assign(cachedMatrix(`w5.${name}`, SIZES[k], SIZES[k + 1], 'float64')));
  const x = g.input('x', BATCH, SIZES[0]);
  const y = g.input('y', BATCH, SIZES[3]);
  const out = layers.reduce((h, layer) => layer.apply(h), x);
  const loss = scale(mse(out, y, 'sum'), 0.5, 'loss');
  const optimizer = new Sgd(g.parameters(), { lr: 0.1 });
  const xd = tensor('w5.x').data;
  const yd = tensor('w5.y').data;
  const batch = (data: Float64Array | Float32Array | Int32Array, i: number, cols: number): Matrix =>
    new Matrix(BATCH, cols, 'float64', Float64Array.from(data.subarray(i * BATCH * cols, (i + 1) * BATCH * cols)));
  const batches = Array.from({ length: 100 }, (_, i) => ({ x: batch(xd, i, SIZES[0]), y: batch(yd, i, SIZES[3]) }));
  return {
    unit: 'epoch',
    run() {
      let error = 0;
      for (const b of batches) {
        g.reset();
        x.feed(b.x);
        y.feed(b.y);
        g.forward(loss);
        const o = out.value.data;
        const t = b.y.data;
        for (let i = 0; i < o.length; i++) error += Math.abs((o[i] - t[i]) * o[i] * (1 - o[i]));
        g.backward(loss);
        optimizer.step();
      }
      return error;
    },
  };
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const which = argValue('workload', 'w2');
const steps = Number(argValue('steps', which === 'w2' ? '3000' : '50'));
const rounds = Number(argValue('rounds', '3'));
const workload = which === 'w2' ? w2() : w5();
const first = [0, 1, 2].map((it) => workload.run(it)); // also the warm-up's first steps
for (let it = 3; it < (which === 'w2' ? 200 : 3); it++) workload.run(it);

let gcCount = 0;
let gcMs = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    gcMs += e.duration;
  }
});
observer.observe({ entryTypes: ['gc'] });

const medians: number[] = [];
let it = 1000;
for (let r = 0; r < rounds; r++) {
  const times = new Array<number>(steps);
  for (let s = 0; s < steps; s++) {
    const t0 = process.hrtime.bigint();
    workload.run(it++);
    times[s] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  medians.push(median(times));
}

// heap growth over 1000 units of work, from one forced collection to the next
const gc = (globalThis as { gc?: () => void }).gc;
let heap = 'run with --expose-gc for the heap growth';
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let s = 0; s < 1000; s++) workload.run(it++);
  gc();
  heap = `${((process.memoryUsage().heapUsed - before) / 1024).toFixed(1)} KiB over 1000 ${workload.unit}s`;
}
// the observer's callbacks come on a later turn of the event loop
setTimeout(() => {
  observer.disconnect();
  const unitsObserved = rounds * steps + (gc ? 1000 : 0);
  const scale_ = workload.unit === 'epoch' ? 1000 : 1;
  const u = workload.unit === 'epoch' ? 'ms' : 'µs';
  console.log(
    `${which}: median ${medians.map((m) => (m / scale_).toFixed(workload.unit === 'epoch' ? 3 : 1)).join(' / ')} ${u} per ${workload.unit}` +
      ` (${rounds} rounds × ${steps}); first losses ${first.map((v) => v.toPrecision(10)).join(' ')}`,
  );
  console.log(`  gc: ${gcCount} collections (${gcMs.toFixed(1)} ms) over ${unitsObserved} ${workload.unit}s${gc ? ', 2 of them forced' : ''}; heap ${heap}; load ${loadavg()}`);
}, 100);
