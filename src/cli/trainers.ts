import { UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import { GRID_FMNIST_DEFAULTS, GridFmnist, trainGridFmnist } from '../models/grid-fmnist';
import { LSTM_SINE_DEFAULTS, LstmSine, trainLstmSine } from '../models/lstm-sine';
import { MLP_ADDITION_DEFAULTS, MlpAddition, trainMlpAddition } from '../models/mlp-addition';
import type { OnProgress, TrainOutcome, TrainRecord } from '../models/train';
import { VAE_FMNIST_DEFAULTS, VaeFmnist, trainVaeFmnist } from '../models/vae-fmnist';
import type { Optimizer } from '../optim/optimizer';
import { DType } from '../tensor/matrix';
import { choiceFlag, CommonOptions, FlagDef, intFlag, numberFlag, ParsedFlags } from './flags';

/** A trained model as the CLI handles it, whatever its kind. */
export interface Trained<M> {
  model: M;
  graph: Graph;
  /** The options the model was built with: saved in the checkpoint to rebuild it. */
  options: object;
  optimizer: Optimizer;
  history: readonly TrainRecord[];
  /** Final figures for the summary, e.g. ['held-out MSE', 1.4e-5]. */
  figures: [string, number][];
  /** Wall time of the training loop. */
  seconds: number;
}

/**
 * The CLI's view of what a model's training function returned. `options` defaults to the
 * model's own; a model passes others when part of them describe the run, not the model.
 */
function trainedOf<M extends { graph: Graph; options: object }>(outcome: TrainOutcome<M>, figures: [string, number][], options: object = outcome.model.options): Trained<M> {
  const { model, optimizer, history, seconds } = outcome;
  return { model, graph: model.graph, options, optimizer, history, seconds, figures };
}

/** How `train MODEL` reads its flags and runs the model's training function. */
export interface TrainSpec<M> {
  name: string;
  about: string;
  /** The model's own flags, defaults from the model's defaults. */
  flags: readonly FlagDef[];
  defaults: { seed: number; dtype: DType };
  /** Plot the loss on a log axis (losses that fall over decades). */
  logLoss: boolean;
  train(values: ParsedFlags['values'], common: CommonOptions, onProgress: OnProgress): Trained<M>;
}

// The trainable models of `wiregrad train`: each entry maps its flags onto the options of the
// model's own training function and names the figures it reports.

const int = (name: string, values: ParsedFlags['values'], min = 1, max = 100_000_000): number => intFlag('train', name, values[name], min, max);
const positive = (name: string, values: ParsedFlags['values']): number => numberFlag('train', name, values[name], Number.MIN_VALUE, 1e6);

/** --data DIR of the Fashion-MNIST models. */
export const dataFlag: FlagDef = { name: 'data', value: 'DIR', default: '$WIREGRAD_DATA, the system copy, else the shipped subset', help: 'folder with the four Fashion-MNIST .gz files' };

/** --data DIR, or undefined to let the locator look ($WIREGRAD_DATA, the system copy, the subset). */
export function dataDir(values: ParsedFlags['values']): string | undefined {
  const given = values.data;
  return typeof given === 'string' && given !== dataFlag.default ? given : undefined;
}

function sizes(name: string, values: ParsedFlags['values']): number[] {
  return String(values[name]).split(',').map((h) => intFlag('train', name, h, 1, 100_000));
}

export const lstmSineSpec: TrainSpec<LstmSine> = {
  name: 'lstm-sine',
  about: 'an LSTM that predicts the next point of [sin t, cos t], trained with truncated BPTT',
  flags: [
    { name: 'steps', value: 'N', default: LSTM_SINE_DEFAULTS.iterations, help: 'optimizer steps (one window each)' },
    { name: 'unroll', value: 'N', default: LSTM_SINE_DEFAULTS.steps, help: 'time steps per window (BPTT truncation)' },
    { name: 'hidden', value: 'N', default: LSTM_SINE_DEFAULTS.hidden, help: 'LSTM hidden size' },
    { name: 'batch', value: 'N', default: LSTM_SINE_DEFAULTS.batch, help: 'stretches of the curve per step' },
    { name: 'lr', value: 'RATE', default: LSTM_SINE_DEFAULTS.lr, help: 'Adam learning rate at the start (cosine decay to 1%)' },
    { name: 'clip', value: 'NORM', default: LSTM_SINE_DEFAULTS.clipNorm, help: 'clip the global gradient norm' },
  ],
  defaults: { seed: LSTM_SINE_DEFAULTS.seed, dtype: LSTM_SINE_DEFAULTS.dtype },
  logLoss: true,
  train(values, common, onProgress) {
    const r = trainLstmSine(
      {
        iterations: int('steps', values, 0),
        steps: int('unroll', values, 1, 10_000),
        hidden: int('hidden', values, 1, 10_000),
        batch: int('batch', values, 1, 100_000),
        lr: positive('lr', values),
        clipNorm: positive('clip', values),
        seed: common.seed,
        dtype: common.dtype,
      },
      onProgress,
    );
    return trainedOf(r, [
      ['held-out one-step MSE', r.heldOutMse],
      ['closed-loop max error, 20 points', r.generationError20],
    ]);
  },
};

const mlpAdditionSpec: TrainSpec<MlpAddition> = {
  name: 'mlp-addition',
  about: 'a sigmoid MLP that adds two binary numbers, plain SGD until every bit is right',
  flags: [
    { name: 'epochs', value: 'N', default: MLP_ADDITION_DEFAULTS.maxEpochs, help: 'most epochs (stops earlier at 100% bit accuracy)' },
    { name: 'bits', value: 'N', default: MLP_ADDITION_DEFAULTS.bits, help: 'bits of the sum' },
    { name: 'examples', value: 'N', default: MLP_ADDITION_DEFAULTS.examples, help: 'training examples' },
    { name: 'hidden', value: 'N,N', default: MLP_ADDITION_DEFAULTS.hidden.join(','), help: 'hidden layer sizes, comma-separated' },
    { name: 'batch', value: 'N', default: MLP_ADDITION_DEFAULTS.batch, help: 'examples per step' },
    { name: 'lr', value: 'RATE', default: MLP_ADDITION_DEFAULTS.lr, help: 'SGD learning rate' },
    { name: 'loss', value: 'cross-entropy|squared', default: MLP_ADDITION_DEFAULTS.loss, help: "summed cross-entropy of the logits, or the write-up's ½ Σ (out − y)²" },
  ],
  defaults: { seed: MLP_ADDITION_DEFAULTS.seed, dtype: MLP_ADDITION_DEFAULTS.dtype },
  logLoss: true,
  train(values, common, onProgress) {
    const hidden = sizes('hidden', values);
    const r = trainMlpAddition(
      {
        maxEpochs: int('epochs', values),
        bits: int('bits', values, 1, 30),
        examples: int('examples', values),
        hidden,
        batch: int('batch', values),
        lr: positive('lr', values),
        loss: choiceFlag('train', 'loss', values.loss, ['cross-entropy', 'squared'] as const),
        seed: common.seed,
        dtype: common.dtype,
      },
      onProgress,
    );
    return trainedOf(r, [
      ['bit accuracy', r.bitAccuracy],
      ['epochs', r.epochs],
    ]);
  },
};

export const vaeFmnistSpec: TrainSpec<VaeFmnist> = {
  name: 'vae-fmnist',
  about: 'a variational autoencoder on Fashion-MNIST, Adam on (BCE + KL) per image',
  flags: [
    { name: 'steps', value: 'N', default: VAE_FMNIST_DEFAULTS.maxSteps, help: 'most optimizer steps (0: all of --epochs)' },
    { name: 'epochs', value: 'N', default: VAE_FMNIST_DEFAULTS.epochs, help: 'passes over the training images' },
    { name: 'batch', value: 'N', default: VAE_FMNIST_DEFAULTS.batch, help: 'images per step' },
    { name: 'lr', value: 'RATE', default: VAE_FMNIST_DEFAULTS.lr, help: 'Adam learning rate' },
    { name: 'hidden', value: 'N,N', default: VAE_FMNIST_DEFAULTS.encoder.join(','), help: 'hidden layer sizes of the encoder (the decoder mirrors them)' },
    { name: 'latent', value: 'N', default: VAE_FMNIST_DEFAULTS.latent, help: 'size of z' },
    { name: 'eval', value: 'N', default: VAE_FMNIST_DEFAULTS.evalImages, help: 'test images for the held-out loss (0: skip)' },
    dataFlag,
  ],
  defaults: { seed: VAE_FMNIST_DEFAULTS.seed, dtype: VAE_FMNIST_DEFAULTS.dtype },
  logLoss: false,
  train(values, common, onProgress) {
    const hidden = sizes('hidden', values);
    const r = trainVaeFmnist(
      {
        maxSteps: int('steps', values, 0),
        epochs: int('epochs', values),
        batch: int('batch', values),
        lr: positive('lr', values),
        encoder: hidden,
        decoder: [...hidden].reverse(),
        latent: int('latent', values, 1, 10_000),
        evalImages: int('eval', values, 0),
        dataDir: dataDir(values),
        seed: common.seed,
        dtype: common.dtype,
      },
      onProgress,
    );
    return trainedOf(
      r,
      [
        ['held-out loss per image', r.heldOutLoss],
        ['mean training loss', r.meanLoss],
        ['steps', r.steps],
        [`training images (${r.dataSource === 'fixture' ? 'the shipped subset' : r.dataDir})`, r.trainImages],
      ],
      // where this run found the data is not part of the model
      { ...r.model.options, dataDir: undefined },
    );
  },
};

const gridFmnistSpec: TrainSpec<GridFmnist> = {
  name: 'grid-fmnist',
  about: 'a NeuralGrid (dense in, height×width grid, dense out) on Fashion-MNIST with Adam',
  flags: [
    { name: 'epochs', value: 'E', default: GRID_FMNIST_DEFAULTS.epochs, help: 'passes over the training set (a fraction is allowed)' },
    { name: 'height', value: 'N', default: GRID_FMNIST_DEFAULTS.height, help: 'neurons per grid column' },
    { name: 'width', value: 'N', default: GRID_FMNIST_DEFAULTS.width, help: 'grid column transitions' },
    { name: 'activation', value: 'sin|tanh|gelu', default: GRID_FMNIST_DEFAULTS.activation, help: 'activation of the grid neurons' },
    { name: 'batch', value: 'N', default: GRID_FMNIST_DEFAULTS.batch, help: 'images per step' },
    { name: 'lr', value: 'RATE', default: GRID_FMNIST_DEFAULTS.lr, help: 'Adam learning rate' },
    dataFlag,
  ],
  defaults: { seed: GRID_FMNIST_DEFAULTS.seed, dtype: GRID_FMNIST_DEFAULTS.dtype },
  logLoss: false,
  train(values, common, onProgress) {
    const activation = String(values.activation);
    if (activation !== 'sin' && activation !== 'tanh' && activation !== 'gelu') throw new UsageError(`train: --activation must be sin, tanh or gelu, got '${activation}'`);
    const r = trainGridFmnist(
      {
        epochs: positive('epochs', values),
        height: int('height', values, 1, 100_000),
        width: int('width', values, 1, 100_000),
        activation,
        batch: int('batch', values, 1, 60_000),
        lr: positive('lr', values),
        data: dataDir(values),
        seed: common.seed,
        dtype: common.dtype,
      },
      onProgress,
    );
    const last = r.evals[r.evals.length - 1];
    return trainedOf(r, [
      ['test accuracy', last.accuracy],
      ['seconds per epoch', r.secondsPerEpoch],
    ]);
  },
};

export const trainSpecs: readonly TrainSpec<unknown>[] = [lstmSineSpec, vaeFmnistSpec, mlpAdditionSpec, gridFmnistSpec];

export function findSpec(command: string, name: string): TrainSpec<unknown> {
  const spec = trainSpecs.find((s) => s.name === name);
  if (!spec) throw new UsageError(`${command}: unknown model '${name}' (models: ${trainSpecs.map((s) => s.name).join(', ')})`);
  return spec;
}

