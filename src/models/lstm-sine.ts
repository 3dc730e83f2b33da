import { FeedForward } from '../blocks/feedforward';
import { generate, Lstm, LstmWindow } from '../blocks/lstm';
import { sliceRows } from '../data/batches';
import { sineSeries } from '../data/synthetic';
import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { mse } from '../losses/mse';
import { concat } from '../ops/concat';
import { Adam } from '../optim/adam';
import { cosineLr } from '../optim/schedule';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { checkCount, checkPositive, OnProgress, optimizationStep, TrainOutcome, trainLoop } from './train';

/**
 * lstm-sine: an LSTM reads the series [sin t, cos t] one point per step and a linear readout
 * predicts the next point. Trained with truncated BPTT over windows of `steps` points, the
 * state carried from window to window along each batch row's stretch of the curve.
 */
export interface LstmSineOptions {
  /** LSTM hidden size (default 15, as the original). */
  hidden: number;
  /** Steps per training window, i.e. the truncation length of BPTT (default 5, as the original). */
  steps: number;
  /** Parallel stretches of the curve per step (default 16). */
  batch: number;
  /** Training windows, i.e. optimizer steps (default 1500). */
  iterations: number;
  /** Windows along one stretch before the state is reset and new stretches are drawn (default 8). */
  windowsPerStretch: number;
  /** Time between consecutive points (default 0.1). */
  stepSize: number;
  /** Points of the training curve, t = 0 … (points − 1)·stepSize (default 1000). */
  trainPoints: number;
  /** Points of the held-out curve, which starts where the training curve ends (default 200). */
  heldOutPoints: number;
  /** Adam learning rate at the start; it decays along a half cosine to 1% of it (default 0.01). */
  lr: number;
  /** Clip the global gradient norm to this (default 1). */
  clipNorm: number;
  seed: number;
  dtype: DType;
}

export const LSTM_SINE_DEFAULTS: Readonly<LstmSineOptions> = {
  hidden: 15,
  steps: 5,
  batch: 16,
  iterations: 1500,
  windowsPerStretch: 8,
  stepSize: 0.1,
  trainPoints: 1000,
  heldOutPoints: 200,
  lr: 0.01,
  clipNorm: 1,
  seed: 0,
  dtype: 'float64',
};

/** What training gives besides the model: the held-out figures the original judged it by. */
export interface LstmSineResult extends TrainOutcome<LstmSine> {
  /** Mean squared one-step-ahead error over the held-out curve (state warmed up from zero). */
  heldOutMse: number;
  /** Largest |generated − true| over the first 20 closed-loop points from 5 held-out seed points. */
  generationError20: number;
}

const CHANNELS = 2; // sin t and cos t

/**
 * The model: one graph holding the LSTM, its readout, the training window (batch × steps, with
 * the loss) and a one-step, batch-one window for evaluation and generation; both windows share
 * the same parameters. Build it untrained to load a checkpoint into `graph`.
 */
export class LstmSine {
  readonly options: Readonly<LstmSineOptions>;
  readonly graph: Graph;
  readonly lstm: Lstm;
  readonly readout: FeedForward;
  readonly window: LstmWindow;
  /** Targets of the training window: batch × (steps·2), step k in columns 2k, 2k+1. */
  readonly target: Node;
  /** MSE over every step of the training window. */
  readonly loss: Node;
  readonly generator: LstmWindow;

  constructor(options: Partial<LstmSineOptions> = {}) {
    const o = { ...LSTM_SINE_DEFAULTS, ...options };
    for (const k of ['hidden', 'steps', 'batch', 'windowsPerStretch', 'trainPoints', 'heldOutPoints'] as const) checkCount('lstm-sine', k, o[k]);
    checkCount('lstm-sine', 'iterations', o.iterations, true);
    for (const k of ['stepSize', 'lr', 'clipNorm'] as const) checkPositive('lstm-sine', k, o[k]);
    if (o.trainPoints <= o.windowsPerStretch * o.steps) {
      throw new UsageError(`lstm-sine: trainPoints (${o.trainPoints}) must exceed windowsPerStretch × steps (${o.windowsPerStretch * o.steps})`);
    }
    this.options = o;
    const rng = new Rng(o.seed);
    this.graph = new Graph({ dtype: o.dtype });
    this.lstm = new Lstm(this.graph, 'lstm', CHANNELS, o.hidden, rng);
    this.readout = new FeedForward(this.graph, 'readout', o.hidden, CHANNELS, rng, { activation: 'none' });
    this.window = new LstmWindow(this.lstm, this.readout, o.batch, o.steps);
    this.target = this.graph.input('target', o.batch, o.steps * CHANNELS);
    this.loss = mse(concat(this.window.outputs, 'prediction'), this.target, 'mean', 'loss');
    this.generator = new LstmWindow(this.lstm, this.readout, 1, 1, 'gen');
  }

  get parameters(): Node[] {
    return [...this.lstm.parameters, ...this.readout.parameters];
  }

  /**
   * Generates `count` points in closed loop after warming the state up on `seeds`
   * (n × 2 rows [sin t, cos t], e.g. 5 points). Returns count × 2.
   */
  generate(seeds: Matrix, count: number): Matrix {
    return generate(this.generator, seeds.dtype === this.graph.dtype ? seeds : seeds.to(this.graph.dtype), count);
  }

  /** Mean squared one-step-ahead error along `series` (n × 2), the state starting from zero. */
  oneStepMse(series: Matrix): number {
    const [x] = this.generator.xs;
    const [y] = this.generator.outputs;
    const row = new Matrix(1, CHANNELS, this.graph.dtype);
    let sum = 0;
    this.generator.resetState();
    for (let k = 0; k + 1 < series.rows; k++) {
      row.data.set(series.data.subarray(k * CHANNELS, (k + 1) * CHANNELS));
      x.feed(row);
      const p = this.graph.forward(y).data;
      for (let j = 0; j < CHANNELS; j++) sum += (p[j] - series.data[(k + 1) * CHANNELS + j]) ** 2;
      this.generator.carry();
    }
    return sum / ((series.rows - 1) * CHANNELS);
  }

  /** The held-out curve: it starts one step after the training curve ends, so no point was trained on. */
  heldOutSeries(): Matrix {
    const o = this.options;
    return sineSeries(o.heldOutPoints, o.stepSize, { phase: o.trainPoints * o.stepSize, dtype: this.graph.dtype });
  }
}

/**
 * Trains lstm-sine with Adam: every optimizer step is one window of `steps` points on each of
 * `batch` stretches of the training curve; the final h, c are carried into the next window, and
 * after `windowsPerStretch` windows new stretches are drawn (seeded) and the state is reset, so
 * the model also learns to warm up from zero state as generation does.
 */
export function trainLstmSine(options: Partial<LstmSineOptions> = {}, onProgress?: OnProgress): LstmSineResult {
  const model = new LstmSine(options);
  const o = model.options;
  const rng = new Rng(o.seed + 1);
  const curve = sineSeries(o.trainPoints, o.stepSize, { dtype: o.dtype });
  const optimizer = new Adam(model.parameters, { lr: cosineLr(o.lr, Math.max(o.iterations, 1), o.lr / 100) });
  const inputs = model.window.xs.map(() => new Matrix(o.batch, CHANNELS, o.dtype));
  const targets = new Matrix(o.batch, o.steps * CHANNELS, o.dtype);
  const starts = new Int32Array(o.batch);
  const stretch = o.windowsPerStretch * o.steps;

  const { history, seconds } = trainLoop(o.iterations, optimizer, (i) => {
    const w = i % o.windowsPerStretch;
    if (w === 0) {
      for (let b = 0; b < o.batch; b++) starts[b] = rng.int(o.trainPoints - stretch);
      model.window.resetState();
    } else {
      model.window.carry();
    }
    for (let b = 0; b < o.batch; b++) {
      for (let k = 0; k < o.steps; k++) {
        const p = starts[b] + w * o.steps + k;
        for (let j = 0; j < CHANNELS; j++) {
          inputs[k].data[b * CHANNELS + j] = curve.data[p * CHANNELS + j];
          targets.data[b * o.steps * CHANNELS + k * CHANNELS + j] = curve.data[(p + 1) * CHANNELS + j];
        }
      }
    }
    inputs.forEach((m, k) => model.window.xs[k].feed(m));
    model.target.feed(targets);
    return [optimizationStep(model.loss, optimizer, o.clipNorm), Math.floor(i / o.windowsPerStretch) + 1];
  }, onProgress);

  const heldOut = model.heldOutSeries();
  const seeds = 5;
  const check = Math.min(20, heldOut.rows - seeds);
  const generated = model.generate(sliceRows(heldOut, 0, seeds), check);
  let generationError20 = 0;
  for (let i = 0; i < generated.size; i++) generationError20 = Math.max(generationError20, Math.abs(generated.data[i] - heldOut.data[seeds * CHANNELS + i]));
  return { model, optimizer, history, seconds, heldOutMse: model.oneStepMse(heldOut), generationError20 };
}

/** A small, readable unroll for the graph picture: hidden 4, 3 steps, batch 1. */
export function buildLstmSineGraph(): { graph: Graph; root: Node } {
  const model = new LstmSine({ hidden: 4, steps: 3, batch: 1 });
  return { graph: model.graph, root: model.loss };
}
