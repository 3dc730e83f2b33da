// Costs per element of the loops the bench profiles point at, on this machine, and the fused
// LSTM cell's two kernels (TS twin and addon) at W2's and W3's sizes:
//   OMP_NUM_THREADS=1 npx tsx scripts/bench-kernels.ts
// V8 evaluates Math.tanh, Math.exp and Math.log1p one scalar at a time; a copy or an add is
// the floor a JS elementwise loop can reach. Best of 15 passes over 2^20 float32 values.
import { Graph, loadNative, Matrix, mul, sum } from '../src';
import { LstmCellKernel, lstmCellTs } from '../src/ops/lstm-cell';
import { Adam } from '../src/optim/adam';
import { Optimizer } from '../src/optim/optimizer';
import { Sgd } from '../src/optim/sgd';

const n = 1 << 20;
const x = new Float32Array(n);
const y = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = (i % 1000) / 250 - 2;

function best(passes: number, fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < passes; r++) {
    const t = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t));
  }
  return min;
}

const loops: [string, () => void][] = [
  ['copy y = x', () => { for (let i = 0; i < n; i++) y[i] = x[i]; }],
  ['add y += x', () => { for (let i = 0; i < n; i++) y[i] += x[i]; }],
  ['y = Math.tanh(x)', () => { for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); }],
  ['y = Math.exp(x)', () => { for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); }],
  ['y = Math.log1p(Math.exp(−|x|))', () => { for (let i = 0; i < n; i++) y[i] = Math.log1p(Math.exp(-Math.abs(x[i]))); }],
];
for (const [name, fn] of loops) process.stdout.write(`${name.padEnd(34)} ${(best(15, fn) / n).toFixed(2)} ns per element\n`);

// the optimizers' update over W4's parameter count (652 288), float32; the addon is not loaded
// yet, so these are the TypeScript loops
const g = new Graph({ dtype: 'float32' });
const p = g.param('p', new Matrix(784, 832, 'float32'));
const loss = sum(mul(p, p));
g.forward(loss);
g.backward(loss);
const optimizers: [string, Optimizer][] = [['Adam.step', new Adam([p], { lr: 1e-3 })], ['Sgd.step', new Sgd([p], { lr: 1e-3 })]];
for (const [name, opt] of optimizers) {
  const ns = best(20, () => opt.step());
  process.stdout.write(`${name.padEnd(34)} ${(ns / p.value.size).toFixed(2)} ns per parameter (${(ns / 1e6).toFixed(2)} ms for ${p.value.size})\n`);
}

// the LstmCell kernels, forward + backward, float64, at W2's (1 × 16) and W3's (64 × 256) sizes
const addon = loadNative().addon as unknown as { lstmCellForward?: LstmCellKernel['forward']; lstmCellBackward?: LstmCellKernel['backward'] } | null;
const cellKernels: [string, LstmCellKernel | null][] = [
  ['TS', lstmCellTs],
  ['addon', addon?.lstmCellForward && addon.lstmCellBackward ? { forward: addon.lstmCellForward, backward: addon.lstmCellBackward } : null],
];
for (const [m, h] of [[1, 16], [64, 256]]) {
  const z = Float64Array.from({ length: m * 4 * h }, (_, i) => Math.sin(i));
  const c = Float64Array.from({ length: m * h }, (_, i) => Math.cos(i));
  const [act, tc, y, dz, dc] = [new Float64Array(m * 4 * h), new Float64Array(m * h), new Float64Array(m * 2 * h), new Float64Array(m * 4 * h), new Float64Array(m * h)];
  const gy = new Float64Array(m * 2 * h).fill(0.1);
  const reps = m === 1 ? 20000 : 200;
  for (const [name, k] of cellKernels) {
    if (!k) {
      process.stdout.write(`LstmCell ${m}×${h} ${name}: not available\n`);
      continue;
    }
    const ns = best(5, () => {
      for (let i = 0; i < reps; i++) {
        k.forward(z, c, act, tc, y, m, h);
        k.backward(gy, c, act, tc, dz, dc, m, h);
      }
    });
    process.stdout.write(`LstmCell ${m}×${h} ${name.padEnd(6)} ${(ns / reps / 1000).toFixed(2)} µs per forward + backward\n`);
  }
}
