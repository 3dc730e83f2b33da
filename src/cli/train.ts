import * as path from 'node:path';
import { CheckpointError, NumericsError, UsageError } from '../errors';
import { readCheckpoint, saveCheckpoint } from '../io/checkpoint';
import type { Series } from '../io/plot';
import type { TrainRecord } from '../models/train';
import { Command } from './command';
import { ensureDir, savePlot, shown } from './files';
import { commonFlags, FlagDef, helpText, parseWith, ParsedFlags, positionals, readCommon } from './flags';
import { MetricsLog } from './metrics';
import { Progress } from './progress';
import { findSpec, Trained, TrainSpec, trainSpecs } from './trainers';

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
  const plots = saveLossPlot(path.join(out, 'loss'), spec.name, trained.history, spec.logLoss);
  refuseDiverged(trained, out);
  const checkpoint = path.join(out, 'model.safetensors');
  saveCheckpoint(checkpoint, trained.graph, {
    metadata: { model: spec.name, options: JSON.stringify(trained.options) },
    optimizerState: trained.optimizer.state(),
  });
  return { trained, files: [checkpoint, metrics.path, ...plots] };
}

/**
 * A run whose parameters hold NaN or Inf is no model: it is refused before it can replace the
 * checkpoint of an earlier run. The metrics log and the loss plot stay, to see where it went.
 */
function refuseDiverged(trained: Trained<unknown>, out: string): void {
  const bad = trained.graph.parameters().find((p) => !p.value.data.every(Number.isFinite));
  if (!bad) return;
  const step = trained.history.find((r) => !Number.isFinite(r.loss))?.step;
  throw new NumericsError(
    `training diverged: parameter '${bad.name}' holds NaN or Inf${step === undefined ? '' : ` (loss first non-finite at step ${step})`}; ` +
      `${path.join(out, 'model.safetensors')} was not written (try a smaller --lr)`,
  );
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
