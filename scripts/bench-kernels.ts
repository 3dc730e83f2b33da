// Costs per element of the loops the bench profiles point at, on this machine:
//   npx tsx scripts/bench-kernels.ts
// V8 evaluates Math.tanh, Math.exp and Math.log1p one scalar at a time; a copy or an add is
// the floor a JS elementwise loop can reach. Best of 15 passes over 2^20 float32 values.
import { Graph, Matrix, mul, sum } from '../src';
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

// the optimizers' update over W4's parameter count (652 288), float32
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
