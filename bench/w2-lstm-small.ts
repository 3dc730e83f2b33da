// W2 LSTM-small through wiregrad: the Lstm block unrolled over a window of 5 steps, a tanh
// readout at every step, MSE over the 5 outputs, plain SGD. The graph is built once; a step is
// reset → feed → forward → backward → update, as a user runs it.
import { concat, Graph, Matrix, mse, Rng } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { Lstm, LstmWindow } from '../src/blocks/lstm';
import { Sgd } from '../src/optim/sgd';
import { args, emit, now, profileStart, profileStop, tensor } from './harness';
import { cachedMatrix, loadLstm } from './cached';
import { wiregradInfo } from './wiregrad-info';

const H = 16;
const T = 5;
const WINDOWS = 994;

const a = args();
const start = now();
const g = new Graph({ dtype: 'float64' });
const rng = new Rng(0); // the block's own init is overwritten by the shared one just below
const lstm = new Lstm(g, 'lstm', 1, H, rng);
const readout = new FeedForward(g, 'readout', H, 1, rng, { activation: 'tanh' });
loadLstm(lstm, 'w2');
readout.weight.assign(cachedMatrix('w2.w_out', H, 1, 'float64'));
readout.bias!.assign(cachedMatrix('w2.b_out', 1, 1, 'float64'));
const window = new LstmWindow(lstm, readout, 1, T);
const target = g.input('target', 1, T);
const loss = mse(concat(window.outputs, 'prediction'), target, 'mean', 'loss');
const optimizer = new Sgd(g.parameters(), { lr: 0.01 });

// the data of every window, sliced before any timing
const series = tensor('w2.series').data;
const xs = Array.from({ length: WINDOWS }, (_, p) => Array.from({ length: T }, (_, k) => Matrix.scalar(series[p + k])));
const ys = Array.from({ length: WINDOWS }, (_, p) => new Matrix(1, T, 'float64', Float64Array.from(series.subarray(p + 1, p + 1 + T))));
const setup = now() - start;

function step(it: number): number {
  const p = it % WINDOWS;
  g.reset();
  for (let k = 0; k < T; k++) window.xs[k].feed(xs[p][k]);
  window.resetState();
  target.feed(ys[p]);
  const value = g.forward(loss).data[0];
  g.backward(loss);
  optimizer.step();
  return value;
}

const losses: number[] = [];
const times: number[] = [];
profileStart();
for (let it = 0; it < a.warmup + a.steps; it++) {
  const t0 = now();
  const value = step(it);
  const elapsed = now() - t0;
  if (it < 5) losses.push(value);
  if (it >= a.warmup) times.push(elapsed);
}
profileStop();
emit({ system: 'wiregrad', ...wiregradInfo(), workload: 'w2', variant: 'block', dtype: 'float64', threads: a.threads, unit: 'step', times, setup, check: { losses } });
