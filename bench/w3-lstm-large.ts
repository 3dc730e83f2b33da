// W3 LSTM-large through wiregrad: the Lstm block (input 32, hidden 256) unrolled 20 steps over a
// batch of 64, a linear readout of the last h, MSE, SGD lr 0.01, float32. The graph is built once;
// a step is reset → feed → forward → backward → update.
import { Graph, Matrix, mse, Rng } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { Lstm } from '../src/blocks/lstm';
import { Sgd } from '../src/optim/sgd';
import { args, emit, now, stepsBegin, stepsEnd, tensor } from './harness';
import { cachedMatrix, loadLstm } from './cached';
import { wiregradInfo } from './wiregrad-info';

const [I, H, B, T] = [32, 256, 64, 20];

const a = args();
const start = now();
const g = new Graph({ dtype: 'float32' });
const rng = new Rng(0); // the blocks' own init is overwritten by the shared one just below
const lstm = new Lstm(g, 'lstm', I, H, rng);
const readout = new FeedForward(g, 'readout', H, 1, rng, { activation: 'none' });
loadLstm(lstm, 'w3');
readout.weight.assign(cachedMatrix('w3.w_out', H, 1, 'float32'));
readout.bias!.assign(cachedMatrix('w3.b_out', 1, 1, 'float32'));
const xs = Array.from({ length: T }, (_, k) => g.input(`x${k + 1}`, B, I));
const h0 = g.input('h0', B, H);
const c0 = g.input('c0', B, H);
const states = lstm.unroll(xs, { h: h0, c: c0 });
const target = g.input('y', B, 1);
const loss = mse(readout.apply(states[T - 1].h), target, 'mean', 'loss');
const optimizer = new Sgd(g.parameters(), { lr: 0.01 });

const x = tensor('w3.x').data;
const xData = Array.from({ length: T }, (_, k) => new Matrix(B, I, 'float32', Float32Array.from(x.subarray(k * B * I, (k + 1) * B * I))));
const yData = cachedMatrix('w3.y', B, 1, 'float32');
const zeros = new Matrix(B, H, 'float32');
const setup = now() - start;

function step(): number {
  g.reset();
  for (let k = 0; k < T; k++) xs[k].feed(xData[k]);
  h0.feed(zeros);
  c0.feed(zeros);
  target.feed(yData);
  const value = g.forward(loss).data[0];
  g.backward(loss);
  optimizer.step();
  return value;
}

const losses: number[] = [];
const times: number[] = [];
stepsBegin();
for (let it = 0; it < a.warmup + a.steps; it++) {
  const t0 = now();
  const value = step();
  const elapsed = now() - t0;
  if (it < 5) losses.push(value);
  if (it >= a.warmup) times.push(elapsed);
}
stepsEnd();
emit({ system: 'wiregrad', ...wiregradInfo(), workload: 'w3', variant: 'block', dtype: 'float32', threads: a.threads, unit: 'step', times, setup, check: { losses } });
