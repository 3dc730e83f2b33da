import * as path from 'node:path';
import { CheckpointError, UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import { readCheckpoint, saveCheckpoint } from '../io/checkpoint';
import { GRID_FMNIST_DEFAULTS, GridFmnist, trainGridFmnist } from '../models/grid-fmnist';
import { LSTM_SINE_DEFAULTS, LstmSine, trainLstmSine } from '../models/lstm-sine';
import { VAE_FMNIST_DEFAULTS, VaeFmnist, trainVaeFmnist } from '../models/vae-fmnist';
import { MLP_ADDITION_DEFAULTS, MlpAddition, trainMlpAddition } from '../models/mlp-addition';
import type { OnProgress, TrainRecord } from '../models/train';
import type { Optimizer } from '../optim/optimizer';
import { DType } from '../tensor/matrix';
import { Command, intFlag, numberFlag } from './command';
import type { Series } from '../io/plot';
import { ensureDir, savePlot, shown } from './files';
import { CommonOptions, commonFlags, FlagDef, helpText, parseWith, ParsedFlags, positionals, readCommon } from './flags';
import { MetricsLog } from './metrics';
import { Progress } from './progress';

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

const int = (name: string, values: ParsedFlags['values'], min = 1, max = 100_000_000): number => intFlag('train', name, values[name], min, max);
const positive = (name: string, values: ParsedFlags['values']): number => numberFlag('train', name, values[name], Number.MIN_VALUE, 1e6);

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
    return {
      model: r.model,
      graph: r.model.graph,
      options: r.model.options,
      optimizer: r.optimizer,
      history: r.history,
      seconds: r.seconds,
      figures: [
        ['held-out one-step MSE', r.heldOutMse],
        ['closed-loop max error, 20 points', r.generationError20],
      ],
    };
  },
};

export const mlpAdditionSpec: TrainSpec<MlpAddition> = {
  name: 'mlp-addition',
  about: 'a sigmoid MLP that adds two binary numbers, plain SGD until every bit is right',
  flags: [
    { name: 'epochs', value: 'N', default: MLP_ADDITION_DEFAULTS.maxEpochs, help: 'most epochs (stops earlier at 100% bit accuracy)' },
    { name: 'bits', value: 'N', default: MLP_ADDITION_DEFAULTS.bits, help: 'bits of the sum' },
    { name: 'examples', value: 'N', default: MLP_ADDITION_DEFAULTS.examples, help: 'training examples' },
    { name: 'hidden', value: 'N,N', default: MLP_ADDITION_DEFAULTS.hidden.join(','), help: 'hidden layer sizes, comma-separated' },
    { name: 'batch', value: 'N', default: MLP_ADDITION_DEFAULTS.batch, help: 'examples per step' },
    { name: 'lr', value: 'RATE', default: MLP_ADDITION_DEFAULTS.lr, help: 'SGD learning rate' },
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
        seed: common.seed,
        dtype: common.dtype,
      },
      onProgress,
    );
    return {
      model: r.model,
      graph: r.model.graph,
      options: r.model.options,
      optimizer: r.optimizer,
      history: r.history,
      seconds: r.seconds,
      figures: [
        ['bit accuracy', r.bitAccuracy],
        ['epochs', r.epochs],
      ],
    };
  },
};

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
    return {
      model: r.model,
      graph: r.model.graph,
      // where this run found the data is not part of the model
      options: { ...r.model.options, dataDir: undefined },
      optimizer: r.optimizer,
      history: r.history,
      seconds: r.seconds,
      figures: [
        ['held-out loss per image', r.heldOutLoss],
        ['mean training loss', r.meanLoss],
        ['steps', r.steps],
        [`training images (${r.dataSource === 'fixture' ? 'the shipped subset' : r.dataDir})`, r.trainImages],
      ],
    };
  },
};

export const gridFmnistSpec: TrainSpec<GridFmnist> = {
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
    return {
      model: r.model,
      graph: r.model.graph,
      options: r.model.options,
      optimizer: r.optimizer,
      history: r.history,
      seconds: r.seconds,
      figures: [
        ['test accuracy', last.accuracy],
        ['seconds per epoch', r.secondsPerEpoch],
      ],
    };
  },
};

export const trainSpecs: readonly TrainSpec<unknown>[] = [lstmSineSpec, vaeFmnistSpec, mlpAdditionSpec, gridFmnistSpec];

export function findSpec(command: string, name: string): TrainSpec<unknown> {
  const spec = trainSpecs.find((s) => s.name === name);
  if (!spec) throw new UsageError(`${command}: unknown model '${name}' (models: ${trainSpecs.map((s) => s.name).join(', ')})`);
  return spec;
}

/** All flags of `train MODEL`: the model's, then the common ones. */
function flagsOf(spec: TrainSpec<unknown>): FlagDef[] {
  return [...spec.flags, ...commonFlags(spec.defaults), { name: 'out', value: 'DIR', default: `runs/${spec.name}`, help: 'folder for the checkpoint, metrics and plots' }];
}

export interface TrainResult<M> {
  trained: Trained<M>;
  files: string[];
}

/**
 * Trains one model into `out`: progress on stderr, metrics.jsonl as it goes, then the
 * checkpoint model.safetensors (with the model's options, to rebuild it) and loss.svg/png.
 */
export function runTraining<M>(spec: TrainSpec<M>, values: ParsedFlags['values'], out: string): TrainResult<M> {
  const common = readCommon('train', values);
  ensureDir(out);
  const metrics = new MetricsLog(path.join(out, 'metrics.jsonl'));
  // made at the first step: only then is the number of steps known (it can depend on the data)
  let progress = null as Progress | null;
  let trained: Trained<M>;
  try {
    trained = spec.train(values, common, (p) => {
      metrics.log({ step: p.step, epoch: p.epoch, loss: p.loss, lr: p.lr });
      progress ??= new Progress(spec.name, p.steps);
      progress.update(p.step, `loss ${lossText(p.loss)}`);
    });
  } catch (e) {
    progress?.abort();
    throw e;
  } finally {
    metrics.close();
  }
  const last = trained.history[trained.history.length - 1];
  progress?.finish(last ? `loss ${lossText(last.loss)}` : '');
  const checkpoint = path.join(out, 'model.safetensors');
  saveCheckpoint(checkpoint, trained.graph, {
    metadata: { model: spec.name, options: JSON.stringify(trained.options) },
    optimizerState: trained.optimizer.state(),
  });
  const plots = saveLossPlot(path.join(out, 'loss'), spec.name, trained.history, spec.logLoss);
  return { trained, files: [checkpoint, metrics.path, ...plots] };
}

/** Running median of `values` over the last `window` entries (inclusive). */
export function runningMedian(values: readonly number[], window: number): number[] {
  return values.map((_, i) => {
    const part = values.slice(Math.max(0, i - window + 1), i + 1).sort((a, b) => a - b);
    const mid = part.length >> 1;
    return part.length % 2 ? part[mid] : (part[mid - 1] + part[mid]) / 2;
  });
}

/** About 2% of the run: the window of the trend line and of the final loss. */
function trendWindow(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}

/** The loss at the end of training: the median over the last 2% of steps, so one noisy batch does not decide it. */
export function finalLoss(history: readonly TrainRecord[]): number {
  const tail = history.slice(-trendWindow(history.length)).map((r) => r.loss);
  return tail.length === 0 ? NaN : runningMedian(tail, tail.length)[tail.length - 1];
}

/** The loss of every step, and its running median over about 2% of the run for the trend. */
export function saveLossPlot(base: string, model: string, history: readonly TrainRecord[], logY: boolean): string[] {
  const steps = history.map((r) => r.step);
  const loss = history.map((r) => r.loss);
  // A median, not a mean: periodic spikes (such as the first window after a state reset) would
  // otherwise dominate the trend line.
  const window = trendWindow(history.length);
  const trend = window > 2;
  const series: Series[] = [{ name: 'loss per step', x: steps, y: loss, color: trend ? '#9ecae1' : '#08519c', width: trend ? 1 : 2 }];
  if (trend) series.push({ name: `running median (${window} steps)`, x: steps, y: runningMedian(loss, window), color: '#08519c' });
  return savePlot(base, series, { title: `${model}: training loss`, xLabel: 'step', yLabel: 'loss', logY });
}

/** A loss for a progress line: 4 significant digits, exponent form when small. */
export function lossText(v: number): string {
  return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toPrecision(4);
}

/**
 * The options a checkpoint written by `train` was trained with, after checking that it holds
 * `model`; the caller builds the model from them and loads the parameters.
 */
export function checkpointOptions(file: string, model: string): Record<string, unknown> {
  const { metadata } = readCheckpoint(file);
  if (metadata.model !== model) {
    throw new CheckpointError(`${file}: holds ${metadata.model === undefined ? 'no model name' : `model '${metadata.model}'`}, not ${model} (train one with 'wiregrad train ${model}')`);
  }
  let options: unknown;
  try {
    options = JSON.parse(metadata.options ?? '');
  } catch {
    options = null;
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CheckpointError(`${file}: the metadata 'options' is not the JSON object of the model's options`);
  }
  return options as Record<string, unknown>;
}

export function figuresText(figures: readonly [string, number][]): string {
  // a figure that was not measured (NaN, e.g. --eval 0) is left out
  return figures.filter(([, v]) => !Number.isNaN(v)).map(([label, v]) => `${label} ${Number.isInteger(v) ? v : lossText(v)}`).join(', ');
}

export const train: Command = {
  name: 'train',
  summary: `train a model (${trainSpecs.map((s) => s.name).join(', ')}) and write checkpoint, metrics and loss plot`,
  get help() {
    const left = (f: FlagDef): string => `    --${f.name}${f.value ? ` ${f.value}` : ''}`;
    const width = Math.max(...trainSpecs.flatMap((s) => s.flags.map((f) => left(f).length)));
    const models = trainSpecs.map((s) => {
      const lines = s.flags.map((f) => `${left(f).padEnd(width)}  ${f.help} (default: ${String(f.default)})`);
      return [`  ${s.name}: ${s.about}`, ...lines].join('\n');
    });
    return (
      helpText(
        'wiregrad train MODEL [flags]',
        'Trains MODEL with progress on stderr and writes into --out: model.safetensors (parameters,\n' +
          'optimizer state and the options to rebuild the model), metrics.jsonl (one JSON object per\n' +
          'step: step, epoch, loss, lr, elapsed seconds) and loss.svg / loss.png.',
        [['MODEL', trainSpecs.map((s) => s.name).join(', ')]],
        [...commonFlags({ seed: 'per model', dtype: 'per model' }), { name: 'out', value: 'DIR', default: 'runs/MODEL', help: 'folder for the checkpoint, metrics and plots' }],
      ) + `\nmodel flags (see 'wiregrad train MODEL --help'):\n${models.join('\n')}\n`
    );
  },
  async run(argv) {
    const name = argv[0];
    if (name === undefined || name.startsWith('-')) {
      if (argv.includes('--help') || argv.includes('-h')) {
        process.stdout.write(this.help);
        return 0;
      }
      throw new UsageError(`train: missing <MODEL> (models: ${trainSpecs.map((s) => s.name).join(', ')})`);
    }
    const spec = findSpec('train', name);
    const flags = flagsOf(spec);
    const { values, positionals: rest, help } = parseWith('train', argv, flags);
    if (help) {
      process.stdout.write(helpText(`wiregrad train ${spec.name} [flags]`, `Trains ${spec.name}: ${spec.about}.`, [], flags));
      return 0;
    }
    positionals('train', rest, ['MODEL']);
    const { trained, files } = runTraining(spec, values, String(values.out));
    process.stdout.write(`${spec.name}: final loss ${lossText(finalLoss(trained.history))}, ${figuresText(trained.figures)}\nwrote ${files.map(shown).join(', ')}\n`);
    return 0;
  },
};
