// The two small workloads built once, as a user wires them, for every script that runs them:
// W2 LSTM-small (one training step per unit) and W5 MLP binary addition (one epoch of 100
// batches per unit). Both start from the shared initial values in bench/.cache.
import { concat, Graph, Matrix, mse, Rng, scale } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { Lstm, LstmWindow } from '../src/blocks/lstm';
import { Sgd } from '../src/optim/sgd';
import { cachedMatrix, loadLstm } from './cached';
import { tensor } from './harness';

export interface Training {
  /** One timed unit of work: a W2 step (returns its loss) or a W5 epoch (returns the seed's error). */
  run(it: number): number;
  unit: 'step' | 'epoch';
}

/**
 * W2: the Lstm block unrolled over a window of 5 steps, a tanh readout at every step, MSE over
 * the 5 outputs, plain SGD lr 0.01, float64. Unit `it` trains on window `it mod 994`.
 */
export function w2Training(): Training {
  const H = 16;
  const T = 5;
  const WINDOWS = 994;
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

/**
 * W5: 24-128-64-12, sigmoid everywhere, no biases, SGD lr 0.1 on ½ Σ (out − y)² over batches of
 * 10 in dataset order, float64. The seed's error Σ |(out − y)·out·(1 − out)| is summed from the
 * forward values.
 */
export function w5Training(): Training {
  const BATCH = 10;
  const SIZES = [24, 128, 64, 12];
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
