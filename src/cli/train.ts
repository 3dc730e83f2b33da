import * as path from 'node:path';
import { NumericsError, UsageError } from '../errors';
import { saveCheckpoint } from '../io/checkpoint';
import { ensureDir } from '../io/folder';
import type { Series } from '../io/plot';
import type { TrainRecord } from '../models/train';
import { Command } from './command';
import { savePlot, shown } from './files';
import { commonFlags, FlagDef, helpText, parseCommand, ParsedFlags, readCommon } from './flags';
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

/** The median of the finite values (NaN when there is none). */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** About 2% of the run: the window of the trend line and of the final loss. */
function trendWindow(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}

/** The loss at the end of training: the median over the last 2% of steps, so one noisy batch does not decide it. */
export function finalLoss(history: readonly TrainRecord[]): number {
  return median(history.slice(-trendWindow(history.length)).map((r) => r.loss));
}

/** Bins of steps in a long run's loss plot: more than the plot has pixels across. */
const MAX_BINS = 1500;

/**
 * The loss of every step and, for the trend, its running median over about 2% of the run: a
 * median, not a mean, because periodic spikes (such as the first window after a state reset)
 * would otherwise dominate the trend line. The steps are drawn per bin (one step per bin on
 * runs of up to 1500 steps), as a stroke from the bin's largest loss to its smallest: at the
 * plot's resolution that is the same picture as every step, in a fraction of the file.
 */
export function saveLossPlot(base: string, model: string, history: readonly TrainRecord[], logY: boolean): string[] {
  const loss = history.map((r) => r.loss);
  const size = Math.ceil(history.length / MAX_BINS);
  const starts = history.map((_, i) => i).filter((i) => i % size === 0);
  const x: number[] = [];
  const y: number[] = [];
  for (const i of starts) {
    const bin = loss.slice(i, i + size).filter(Number.isFinite);
    x.push(history[i].step, history[i].step);
    y.push(bin.length > 0 ? Math.max(...bin) : NaN, bin.length > 0 ? Math.min(...bin) : NaN);
  }
  const window = trendWindow(history.length);
  const trend = window > 2;
  const series: Series[] = [{ name: 'loss per step', x, y, color: trend ? '#9ecae1' : '#08519c', width: trend ? 1 : 2 }];
  if (trend) {
    const ends = starts.map((i) => Math.min(i + size, history.length) - 1);
    const medians = ends.map((i) => median(loss.slice(Math.max(0, i - window + 1), i + 1)));
    series.push({ name: `running median (${window} steps)`, x: ends.map((i) => history[i].step), y: medians, color: '#08519c' });
  }
  return savePlot(base, series, { title: `${model}: training loss`, xLabel: 'step', yLabel: 'loss', logY });
}

/** A loss for a progress line: 4 significant digits, exponent form when small. */
export function lossText(v: number): string {
  return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toPrecision(4);
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
    const line = parseCommand('train', helpText(`wiregrad train ${spec.name} [flags]`, `Trains ${spec.name}: ${spec.about}.`, [], flags), argv, flags, ['MODEL']);
    if (!line) return 0;
    const { trained, files } = runTraining(spec, line.values, String(line.values.out));
    process.stdout.write(`${spec.name}: final loss ${lossText(finalLoss(trained.history))}, ${figuresText(trained.figures)}\nwrote ${files.map(shown).join(', ')}\n`);
    return 0;
  },
};
