import { NeuralGrid } from '../blocks/grid';
import { Batches } from '../data/batches';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_PIXELS, FashionMnistSource, FashionMnistSplit, loadFashionMnist } from '../data/fashion-mnist';
import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { softmaxCrossEntropy } from '../losses/softmax-cross-entropy';
import { GridActivation } from '../ops/grid-step';
import { Adam } from '../optim/adam';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { checkCount, checkPositive, OnProgress, optimizationStep, TrainOutcome, trainLoop } from './train';

/**
 * grid-fmnist: a NeuralGrid classifying Fashion-MNIST (784 pixels in, 10 classes out), trained
 * with Adam on softmax cross-entropy. The last partial batch of each epoch is dropped, so every
 * step sees `batch` images (60000 = 234·256 + 96 at the default).
 */
export interface GridFmnistOptions {
  /** Neurons per grid column (default 128). */
  height: number;
  /** Grid column transitions (default 16). */
  width: number;
  activation: GridActivation;
  /** Images per step (default 256). */
  batch: number;
  /** Adam learning rate (default 1e-3). */
  lr: number;
  /** Passes over the training set (default 5); a fraction trains that part of one more epoch. */
  epochs: number;
  /** Test-set evaluations: at every epoch end and, within an epoch, every this many steps (default 0: epoch ends only). */
  evalEvery: number;
  /** Fashion-MNIST folder (default: the system's, else the shipped subset). */
  data?: string;
  seed: number;
  dtype: DType;
}

export const GRID_FMNIST_DEFAULTS: Readonly<GridFmnistOptions> = {
  height: 128,
  width: 16,
  activation: 'sin',
  batch: 256,
  lr: 1e-3,
  epochs: 5,
  evalEvery: 0,
  seed: 1,
  dtype: 'float32',
};

const CLASSES = FASHION_MNIST_CLASSES.length;
/** Rows per evaluation pass over the test set. */
const EVAL_ROWS = 500;

/** One test-set evaluation. */
export interface GridEval {
  /** Epochs trained so far (fractional within an epoch). */
  epoch: number;
  step: number;
  accuracy: number;
  loss: number;
}

export interface GridFmnistResult extends TrainOutcome<GridFmnist> {
  evals: GridEval[];
  /** Training-loop seconds of each complete epoch (evaluations excluded). */
  epochSeconds: number[];
  /** Mean training seconds per epoch over the complete epochs, or extrapolated from the steps taken when none completed. */
  secondsPerEpoch: number;
  /** Which Fashion-MNIST files were used (the shipped subset is only a smoke test). */
  source: FashionMnistSource;
}

function labelColumn(labels: Int32Array, dtype: DType): Matrix {
  const m = new Matrix(labels.length, 1, dtype);
  labels.forEach((c, i) => (m.data[i] = c));
  return m;
}

/** The network, a training wiring over one batch and an evaluation wiring over EVAL_ROWS rows. */
export class GridFmnist {
  readonly options: Readonly<GridFmnistOptions>;
  readonly graph: Graph;
  readonly grid: NeuralGrid;
  readonly x: Node;
  readonly labels: Node;
  readonly loss: Node;
  readonly evalX: Node;
  readonly evalLabels: Node;
  readonly evalLogits: Node;
  readonly evalLoss: Node;

  constructor(options: Partial<GridFmnistOptions> = {}) {
    const o = { ...GRID_FMNIST_DEFAULTS, ...options };
    for (const k of ['height', 'width', 'batch'] as const) checkCount('grid-fmnist', k, o[k]);
    checkCount('grid-fmnist', 'evalEvery', o.evalEvery, true);
    checkPositive('grid-fmnist', 'lr', o.lr);
    checkPositive('grid-fmnist', 'epochs', o.epochs);
    this.options = o;
    this.graph = new Graph({ dtype: o.dtype });
    this.grid = new NeuralGrid(this.graph, 'grid', FASHION_MNIST_PIXELS, CLASSES, new Rng(o.seed), { height: o.height, width: o.width, activation: o.activation });
    this.x = this.graph.input('x', o.batch, FASHION_MNIST_PIXELS);
    this.labels = this.graph.input('labels', o.batch, 1);
    this.loss = softmaxCrossEntropy(this.grid.apply(this.x), this.labels, 'batch', 'loss');
    this.evalX = this.graph.input('eval.x', EVAL_ROWS, FASHION_MNIST_PIXELS);
    this.evalLabels = this.graph.input('eval.labels', EVAL_ROWS, 1);
    this.evalLogits = this.grid.apply(this.evalX, 'eval');
    this.evalLoss = softmaxCrossEntropy(this.evalLogits, this.evalLabels, 'batch', 'eval.loss');
  }

  /**
   * Calls `visit` with each evaluation chunk of `split` (EVAL_ROWS rows; a last partial chunk is
   * padded with repeats of its first row and `rows` says how many are real).
   */
  forEachChunk(split: FashionMnistSplit, visit: (start: number, rows: number) => void): void {
    const n = split.labels.length;
    const x = new Matrix(EVAL_ROWS, FASHION_MNIST_PIXELS, this.options.dtype);
    const y = new Matrix(EVAL_ROWS, 1, this.options.dtype);
    for (let start = 0; start < n; start += EVAL_ROWS) {
      const rows = Math.min(EVAL_ROWS, n - start);
      for (let r = 0; r < EVAL_ROWS; r++) {
        const src = start + (r < rows ? r : 0);
        x.data.set(split.images.data.subarray(src * FASHION_MNIST_PIXELS, (src + 1) * FASHION_MNIST_PIXELS), r * FASHION_MNIST_PIXELS);
        y.data[r] = split.labels[src];
      }
      this.evalX.feed(x);
      this.evalLabels.feed(y);
      visit(start, rows);
    }
  }

  /** Accuracy and mean cross-entropy on a whole split. */
  evaluate(split: FashionMnistSplit): { accuracy: number; loss: number } {
    let right = 0;
    let loss = 0;
    this.forEachChunk(split, (start, rows) => {
      const logits = this.graph.forward(this.evalLogits).data;
      // the loss node averages over every row, padding included: only full chunks use it as is
      loss += rows === EVAL_ROWS ? this.graph.forward(this.evalLoss).data[0] * rows : rowLoss(logits, split.labels, start, rows);
      for (let r = 0; r < rows; r++) if (argmax(logits, r * CLASSES) === split.labels[start + r]) right++;
    });
    return { accuracy: right / split.labels.length, loss: loss / split.labels.length };
  }

  /** Mean activation of every grid neuron per class: classes × (width+1) × height, column by column. */
  classMeanActivations(split: FashionMnistSplit): Float64Array[] {
    const h = this.options.height;
    const columns = this.grid.columns('eval');
    const means = Array.from({ length: CLASSES }, () => new Float64Array((this.options.width + 1) * h));
    const counts = new Float64Array(CLASSES);
    this.forEachChunk(split, (start, rows) => {
      columns.forEach((node, j) => {
        const a = this.graph.forward(node).data;
        for (let r = 0; r < rows; r++) {
          const mean = means[split.labels[start + r]];
          for (let i = 0; i < h; i++) mean[j * h + i] += a[r * h + i];
        }
      });
      for (let r = 0; r < rows; r++) counts[split.labels[start + r]]++;
    });
    means.forEach((m, c) => m.forEach((v, k) => (m[k] = v / Math.max(1, counts[c]))));
    return means;
  }
}

function argmax(v: ArrayLike<number>, offset: number): number {
  let best = 0;
  for (let k = 1; k < CLASSES; k++) if (v[offset + k] > v[offset + best]) best = k;
  return best;
}

/** Σ of the cross-entropy of `rows` rows of logits (max-shifted log-sum-exp, as SoftmaxCrossEntropy). */
function rowLoss(logits: ArrayLike<number>, labels: Int32Array, start: number, rows: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < CLASSES; k++) max = Math.max(max, logits[r * CLASSES + k]);
    let total = 0;
    for (let k = 0; k < CLASSES; k++) total += Math.exp(logits[r * CLASSES + k] - max);
    s += max + Math.log(total) - logits[r * CLASSES + labels[start + r]];
  }
  return s;
}

/** Trains grid-fmnist with Adam, evaluating on the test set at every epoch end (and every evalEvery steps). */
export function trainGridFmnist(options: Partial<GridFmnistOptions> = {}, onProgress?: OnProgress): GridFmnistResult {
  const model = new GridFmnist(options);
  const o = model.options;
  const data = loadFashionMnist({ dir: o.data, dtype: o.dtype });
  if (o.batch > data.train.labels.length) throw new UsageError(`grid-fmnist: batch ${o.batch} is larger than the ${data.train.labels.length} training images`);
  const batches = new Batches(data.train.images, labelColumn(data.train.labels, o.dtype), o.batch, { dropLast: true });
  const optimizer = new Adam(model.grid.parameters, { lr: o.lr });
  const rng = new Rng(o.seed + 1);
  const steps = Math.max(1, Math.round(o.epochs * batches.count));
  const evals: GridEval[] = [];
  const epochSeconds: number[] = [];
  // training time only: the clock runs around each step, never around an evaluation
  let stepSeconds = 0;
  let epochSum = 0;
  const run = trainLoop(steps, optimizer, (i) => {
    const t = process.hrtime.bigint();
    const k = i % batches.count;
    if (k === 0) batches.shuffle(rng);
    const b = batches.get(k);
    model.x.feed(b.x);
    model.labels.feed(b.y);
    const loss = optimizationStep(model.loss, optimizer);
    const dt = Number(process.hrtime.bigint() - t) / 1e9;
    stepSeconds += dt;
    epochSum += dt;
    const step = i + 1;
    if (step % batches.count === 0) {
      epochSeconds.push(epochSum);
      epochSum = 0;
    }
    if (step % batches.count === 0 || (o.evalEvery > 0 && step % o.evalEvery === 0) || step === steps) {
      evals.push({ epoch: step / batches.count, step, ...model.evaluate(data.test) });
    }
    return [loss, Math.floor(i / batches.count) + 1];
  }, onProgress);
  const secondsPerEpoch =
    epochSeconds.length > 0 ? epochSeconds.reduce((s, v) => s + v, 0) / epochSeconds.length : (stepSeconds / steps) * batches.count;
  return { model, optimizer, history: run.history, seconds: stepSeconds, evals, epochSeconds, secondsPerEpoch, source: data.source };
}

/** The picture: a 4×3 grid between 784 inputs and 10 classes on a batch of 4, with its loss. */
export function buildGridGraph(): { graph: Graph; root: Node } {
  const graph = new Graph();
  const grid = new NeuralGrid(graph, 'grid', FASHION_MNIST_PIXELS, CLASSES, new Rng(1), { height: 4, width: 3 });
  const x = graph.input('x', 4, FASHION_MNIST_PIXELS);
  const labels = graph.input('labels', 4, 1);
  return { graph, root: softmaxCrossEntropy(grid.apply(x), labels, 'batch', 'loss') };
}
