import { FeedForward } from '../blocks/feedforward';
import { binaryAddition, Dataset } from '../data/synthetic';
import { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { bceWithLogits } from '../losses/bce-with-logits';
import { mse } from '../losses/mse';
import { scale } from '../ops/scale';
import { sigmoid } from '../ops/sigmoid';
import { UsageError } from '../errors';
import { Sgd } from '../optim/sgd';
import { normal } from '../tensor/init';
import { DType, Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { checkCount, checkPositive, OnProgress, optimizationStep, TrainOutcome, trainLoop } from './train';

/**
 * mlp-addition: the binary-addition task of the synthetic-gradients notebook. Two integers
 * below 2^(bits−1), written as bits-bit vectors side by side (2·bits inputs); the target is
 * their bits-bit sum. A sigmoid MLP without biases (24-128-64-12), batch 10, plain SGD
 * with lr 0.1, as the notebook.
 *
 * The notebook's loss is ½ Σ (out − y)² summed over the batch (its delta rule
 * `W −= layerᵀ·delta · alpha`; `loss: 'squared'`). With it a bit that is confidently wrong
 * barely learns: its gradient carries the factor out·(1 − out), ~0 once the sigmoid saturates,
 * and with the notebook's settings about 50 of the 12,000 bits stay wrong for good (99.58% after
 * 1,000 epochs, unchanged at 1,700). The default loss is therefore the summed cross-entropy of the
 * sigmoid outputs (`'cross-entropy'`), whose gradient at the logits is out − y: the same network
 * and optimizer then get every bit right.
 */
export interface MlpAdditionOptions {
  /** Bits per number and of the sum (default 12, as the notebook). */
  bits: number;
  /** Examples, all used for training and for the accuracy (default 1000). */
  examples: number;
  /** Hidden layer sizes (default [128, 64]). */
  hidden: readonly number[];
  /** Rows per step, taken in data-set order (default 10). */
  batch: number;
  /** SGD learning rate (default 0.1). */
  lr: number;
  /** Most epochs to train (default 1000, as the notebook). */
  maxEpochs: number;
  /** 'cross-entropy': Σ BCE(out, y) (default); 'squared': ½ Σ (out − y)², the notebook's. */
  loss: 'squared' | 'cross-entropy';
  /** Stop after the first epoch at which every bit of every example is right (default true). */
  stopAtFullAccuracy: boolean;
  seed: number;
  dtype: DType;
}

export const MLP_ADDITION_DEFAULTS: Readonly<MlpAdditionOptions> = {
  bits: 12,
  examples: 1000,
  hidden: [128, 64],
  batch: 10,
  lr: 0.1,
  maxEpochs: 1000,
  loss: 'cross-entropy',
  stopAtFullAccuracy: true,
  seed: 1,
  dtype: 'float64',
};

export interface MlpAdditionResult extends TrainOutcome<MlpAddition> {
  /** Fraction of output bits right (output > ½ read as 1) over all examples after training. */
  bitAccuracy: number;
  /** Epochs trained. */
  epochs: number;
  /** The notebook's error per epoch: Σ |(out − y)·out·(1 − out)| over the epoch's batches. */
  epochErrors: number[];
}

/** The network and its data: a training wiring over one batch and an evaluation wiring over all examples. */
export class MlpAddition {
  readonly options: Readonly<MlpAdditionOptions>;
  readonly graph: Graph;
  readonly data: Dataset;
  readonly layers: FeedForward[];
  readonly x: Node;
  readonly y: Node;
  /** The sigmoid outputs of the batch. */
  readonly output: Node;
  /** ½ Σ (out − y)², or Σ BCE(out, y), over the batch. */
  readonly loss: Node;
  readonly evalX: Node;
  readonly evalOutput: Node;

  constructor(options: Partial<MlpAdditionOptions> = {}) {
    const o = { ...MLP_ADDITION_DEFAULTS, ...options };
    for (const k of ['examples', 'batch', 'maxEpochs'] as const) checkCount('mlp-addition', k, o[k]);
    o.hidden.forEach((h, i) => checkCount('mlp-addition', `hidden[${i}]`, h));
    checkPositive('mlp-addition', 'lr', o.lr);
    if (o.loss !== 'squared' && o.loss !== 'cross-entropy') throw new UsageError(`mlp-addition: loss must be 'squared' or 'cross-entropy', got ${String(o.loss)}`);
    this.options = o;
    const rng = new Rng(o.seed);
    this.data = binaryAddition(rng, o.examples, o.bits, o.dtype);
    this.graph = new Graph({ dtype: o.dtype });
    const sizes = [2 * o.bits, ...o.hidden, o.bits];
    const crossEntropy = o.loss === 'cross-entropy';
    this.layers = sizes.slice(1).map((size, k) => {
      // with cross-entropy the last layer gives logits: the loss takes them directly (BCEWithLogits, no ln 0)
      const activation = crossEntropy && k === sizes.length - 2 ? 'none' : 'sigmoid';
      const layer = new FeedForward(this.graph, `layer${k + 1}`, sizes[k], size, rng, { activation, bias: false });
      // the notebook's initialisation: N(0, 0.2²) − 0.1
      layer.weight.assign(normal(rng, sizes[k], size, -0.1, 0.2, o.dtype));
      return layer;
    });
    this.x = this.graph.input('x', o.batch, 2 * o.bits);
    this.y = this.graph.input('y', o.batch, o.bits);
    const top = this.layers.reduce((h, layer) => layer.apply(h), this.x);
    this.output = crossEntropy ? sigmoid(top, 'output') : top;
    this.loss = crossEntropy ? bceWithLogits(top, this.y, 'sum', 'loss') : scale(mse(top, this.y, 'sum'), 0.5, 'loss');
    this.evalX = this.graph.input('eval.x', o.examples, 2 * o.bits).feed(this.data.x);
    this.evalOutput = this.graph.scope('eval', () => {
      const evalTop = this.layers.reduce((h, layer) => layer.apply(h, layer.name), this.evalX);
      return crossEntropy ? sigmoid(evalTop, 'output') : evalTop;
    });
  }

  get parameters(): Node[] {
    return this.layers.flatMap((l) => l.parameters);
  }

  /** Fraction of output bits right over all examples. */
  bitAccuracy(): number {
    const out = this.graph.forward(this.evalOutput).data;
    const y = this.data.y.data;
    let right = 0;
    for (let i = 0; i < out.length; i++) if (out[i] > 0.5 === y[i] > 0.5) right++;
    return right / out.length;
  }
}

/** Trains mlp-addition with SGD on batches in data-set order, epoch by epoch. */
export function trainMlpAddition(options: Partial<MlpAdditionOptions> = {}, onProgress?: OnProgress): MlpAdditionResult {
  const model = new MlpAddition(options);
  const o = model.options;
  const optimizer = new Sgd(model.parameters, { lr: o.lr });
  const perEpoch = Math.floor(o.examples / o.batch);
  const bx = new Matrix(o.batch, 2 * o.bits, o.dtype);
  const by = new Matrix(o.batch, o.bits, o.dtype);
  const epochErrors: number[] = [];
  const history: MlpAdditionResult['history'] = [];
  let seconds = 0;
  let accuracy = model.bitAccuracy();
  while (epochErrors.length < o.maxEpochs && !(o.stopAtFullAccuracy && accuracy === 1)) {
    const epoch = epochErrors.length + 1;
    let error = 0;
    let wrongBits = 0;
    const run = trainLoop(perEpoch, optimizer, (i) => {
      bx.data.set(model.data.x.data.subarray(i * bx.size, (i + 1) * bx.size));
      by.data.set(model.data.y.data.subarray(i * by.size, (i + 1) * by.size));
      model.x.feed(bx);
      model.y.feed(by);
      const out = model.graph.forward(model.output).data; // this batch's outputs before the update
      for (let j = 0; j < out.length; j++) {
        error += Math.abs((out[j] - by.data[j]) * out[j] * (1 - out[j]));
        if (out[j] > 0.5 !== by.data[j] > 0.5) wrongBits++;
      }
      const loss = optimizationStep(model.loss, optimizer);
      return [loss, epoch];
    }, onProgress && ((p) => onProgress({ ...p, step: (epoch - 1) * perEpoch + p.step, steps: o.maxEpochs * perEpoch })));
    for (const r of run.history) history.push({ ...r, step: (epoch - 1) * perEpoch + r.step });
    seconds += run.seconds;
    epochErrors.push(error);
    // The outputs seen during the epoch (each batch before its update) were all right: only then
    // is the full evaluation pass worth its cost (it is a third of an epoch's arithmetic).
    if (wrongBits === 0 || epochErrors.length === o.maxEpochs) accuracy = model.bitAccuracy();
  }
  return { model, optimizer, history, seconds, bitAccuracy: accuracy, epochs: epochErrors.length, epochErrors };
}

/** The picture: the 24-128-64-12 network on one batch of 10 with its (default) loss. */
export function buildMlpAdditionGraph(): { graph: Graph; root: Node } {
  const model = new MlpAddition({ examples: 10 });
  return { graph: model.graph, root: model.loss };
}
