// W5 MLP binary addition (the seed task) through wiregrad: 24-128-64-12, sigmoid everywhere, no
// biases, SGD lr 0.1 on ½ Σ (out − y)² over batches of 10 in dataset order, float64. The seed's
// error Σ |(out − y)·out·(1 − out)| is summed from the forward values. The graph is built once;
// a step is reset → feed → forward → backward → update.
import { Graph, Matrix, mse, Rng, scale } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { Sgd } from '../src/optim/sgd';
import { args, emit, now, profileStart, profileStop, tensor } from './harness';
import { cachedMatrix } from './cached';
import { wiregradInfo } from './wiregrad-info';

const BATCH = 10;
const BATCHES = 100;
const SIZES = [24, 128, 64, 12];

const a = args();
const g = new Graph({ dtype: 'float64' });
const rng = new Rng(0); // the layers' own init is overwritten by the seed's weights just below
const layers = [0, 1, 2].map((k) => new FeedForward(g, `l${k + 1}`, SIZES[k], SIZES[k + 1], rng, { activation: 'sigmoid', bias: false }));
['W01', 'W12', 'W23'].forEach((name, k) => layers[k].weight.assign(cachedMatrix(`w5.${name}`, SIZES[k], SIZES[k + 1], 'float64')));
const x = g.input('x', BATCH, SIZES[0]);
const y = g.input('y', BATCH, SIZES[3]);
const out = layers.reduce((h, layer) => layer.apply(h), x);
// ½ Σ (out − y)²: its gradient is the seed's delta rule, (out − y) through each sigmoid
const loss = scale(mse(out, y, 'sum'), 0.5, 'loss');
const optimizer = new Sgd(g.parameters(), { lr: 0.1 });

const xs = tensor('w5.x').data;
const ys = tensor('w5.y').data;
const batch = (data: Float64Array | Float32Array | Int32Array, i: number, cols: number): Matrix =>
  new Matrix(BATCH, cols, 'float64', Float64Array.from(data.subarray(i * BATCH * cols, (i + 1) * BATCH * cols)));
const batches = Array.from({ length: BATCHES }, (_, i) => ({ x: batch(xs, i, SIZES[0]), y: batch(ys, i, SIZES[3]) }));

function epoch(): number {
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
}

const errors: number[] = [];
const times: number[] = [];
profileStart();
for (let e = 0; e < a.warmup + a.steps; e++) {
  const t0 = now();
  errors.push(epoch());
  if (e >= a.warmup) times.push(now() - t0);
}
profileStop();
emit({
  system: 'wiregrad', ...wiregradInfo(), workload: 'w5', dtype: 'float64', threads: a.threads, unit: 'epoch',
  times, setup: 0, check: { error_epoch1: errors[0], errors: errors.slice(0, 3) },
});
