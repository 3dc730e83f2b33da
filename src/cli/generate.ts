import * as path from 'node:path';
import { sliceRows } from '../data/batches';
import { sineSeries } from '../data/synthetic';
import { UsageError } from '../errors';
import { ensureDir } from '../io/folder';
import { LstmSine, LstmSineOptions } from '../models/lstm-sine';
import { Command } from './command';
import { saveFile, savePlot, shown } from './files';
import { FlagDef, helpText, intFlag, parseCommand } from './flags';
import { fromFlag, loadTrained, outDir, outFlag } from './from-checkpoint';
import { lossText } from './train';

const SEEDS = 5;

const flags: readonly FlagDef[] = [
  fromFlag('lstm-sine'),
  { name: 'steps', value: 'N', default: 100, help: 'points to generate after the 5 seed points' },
  outFlag('generated.csv, generated.svg and generated.png'),
];

export interface Generation {
  /** Largest |generated − true| over all generated points and both channels. */
  maxError: number;
  files: string[];
}

/**
 * Closed loop: the model reads 5 points of the held-out curve (which starts where training
 * data ends), then feeds each prediction back as its next input for `steps` points. Writes the
 * points as CSV and a plot of sin t against the true curve.
 */
export function generateSine(model: LstmSine, steps: number, out: string): Generation {
  const o = model.options;
  // the same held-out curve as the model's own evaluation, long enough for every generated point
  const truth = sineSeries(SEEDS + steps, o.stepSize, { phase: o.trainPoints * o.stepSize, dtype: model.graph.dtype });
  const generated = model.generate(sliceRows(truth, 0, SEEDS), steps);
  const t = (k: number): number => (o.trainPoints + k) * o.stepSize;
  let maxError = 0;
  const csv = ['t,sin_true,cos_true,sin_generated,cos_generated,seed'];
  for (let k = 0; k < SEEDS + steps; k++) {
    const [sin, cos] = [truth.get(k, 0), truth.get(k, 1)];
    if (k < SEEDS) {
      csv.push([t(k).toFixed(4), sin, cos, '', '', 1].join(','));
      continue;
    }
    const [gSin, gCos] = [generated.get(k - SEEDS, 0), generated.get(k - SEEDS, 1)];
    maxError = Math.max(maxError, Math.abs(gSin - sin), Math.abs(gCos - cos));
    csv.push([t(k).toFixed(4), sin, cos, gSin, gCos, 0].join(','));
  }
  ensureDir(out);
  const ks = Array.from({ length: SEEDS + steps }, (_, k) => k);
  const gen = ks.slice(SEEDS);
  const plot = savePlot(
    path.join(out, 'generated'),
    [
      { name: 'true sin t', x: ks.map(t), y: ks.map((k) => truth.get(k, 0)), color: '#888888', dashed: true },
      { name: 'generated (closed loop)', x: gen.map(t), y: gen.map((k) => generated.get(k - SEEDS, 0)), color: '#d55e00' },
      { name: `${SEEDS} seed points`, x: ks.slice(0, SEEDS).map(t), y: ks.slice(0, SEEDS).map((k) => truth.get(k, 0)), color: '#0072b2', points: true },
    ],
    { title: `lstm-sine: ${steps} points generated from ${SEEDS} seeds`, xLabel: 't', yLabel: 'sin t' },
  );
  return { maxError, files: [saveFile(path.join(out, 'generated.csv'), csv.join('\n') + '\n'), ...plot] };
}

export const generate: Command = {
  name: 'generate',
  summary: 'run a trained lstm-sine in closed loop and plot it against the true curve',
  help: helpText(
    'wiregrad generate lstm-sine [flags]',
    'Loads a trained lstm-sine, warms its state up on 5 points of the held-out curve, then feeds\n' +
      'each prediction back as the next input. Writes generated.csv and generated.svg/png (the\n' +
      'generated sin t against the true curve) and prints the largest error.',
    [['MODEL', 'lstm-sine (the one sequence model)']],
    flags,
  ),
  async run(argv) {
    const line = parseCommand('generate', this.help, argv, flags, ['MODEL']);
    if (!line) return 0;
    const { values, args: [name] } = line;
    if (name !== 'lstm-sine') throw new UsageError(`generate: unknown model '${name}' (models: lstm-sine)`);
    const steps = intFlag('generate', 'steps', values.steps, 1, 1_000_000);
    const model = loadTrained(String(values.from), 'lstm-sine', (options) => new LstmSine(options as Partial<LstmSineOptions>));
    const { maxError, files } = generateSine(model, steps, outDir(values));
    process.stdout.write(`lstm-sine: ${steps} points in closed loop, largest error ${lossText(maxError)}\nwrote ${files.map(shown).join(', ')}\n`);
    return 0;
  },
};
