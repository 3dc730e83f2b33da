import * as path from 'node:path';
import { ensureDir } from '../io/folder';
import { builtinModels, writeBuiltinGraph } from '../models/index';
import { Command } from './command';
import { shown } from './files';
import { FlagDef, helpText, parseCommand, ParsedFlags, threadsFlag } from './flags';
import { generateSine } from './generate';
import { formatSeconds } from './progress';
import { sampleVae } from './sample';
import { figuresText, finalLoss, lossText, runTraining, TrainResult } from './train';
import { dataDir, dataFlag, lstmSineSpec, TrainSpec, vaeFmnistSpec } from './trainers';

const flags: readonly FlagDef[] = [
  { name: 'out', value: 'DIR', default: 'runs', help: 'folder for everything written (one subfolder per model, graphs/)' },
  threadsFlag,
  dataFlag,
];

interface SummaryRow {
  model: string;
  loss: string;
  figures: string;
  seconds: number;
  files: string[];
}

/** The row of a trained model, with the files (and a figure) of what was made from it afterwards. */
function trainedRow(model: string, run: TrainResult<unknown>, madeFiles: string[], madeFigure?: string): SummaryRow {
  const figures = figuresText(run.trained.figures);
  return {
    model,
    loss: lossText(finalLoss(run.trained.history)),
    figures: madeFigure === undefined ? figures : `${figures}, ${madeFigure}`,
    seconds: run.trained.seconds,
    files: [...run.files, ...madeFiles],
  };
}

/** The flag values `train MODEL` would have with no flags given, plus the main job's own. */
function defaultsOf(spec: TrainSpec<unknown>, out: string, given: ParsedFlags['values']): ParsedFlags['values'] {
  const values: ParsedFlags['values'] = { seed: String(spec.defaults.seed), dtype: spec.defaults.dtype, threads: given.threads, out };
  for (const f of spec.flags) values[f.name] = f.default === undefined ? undefined : String(f.default);
  if (spec.flags.includes(dataFlag)) values.data = given.data;
  return values;
}

/**
 * The main job: exports the graph of every built-in model; trains lstm-sine with its defaults
 * and generates from it in closed loop; trains vae-fmnist with its defaults and samples from
 * it; ends with a table of what was trained and where every file is.
 */
export const mainJob: Command = {
  name: 'main',
  summary: 'the main job: draw the built-in graphs, train lstm-sine and vae-fmnist, plot and sample',
  help: helpText(
    'wiregrad main [flags]',
    'Writes the graph of every built-in model (DOT, SVG, PNG) to DIR/graphs; trains lstm-sine with\n' +
      'its defaults (checkpoint, metrics, loss plot) and generates 100 points from it in closed\n' +
      'loop; trains vae-fmnist with its defaults and draws samples and reconstructions; then\n' +
      'prints a summary table of the models, their final figures and files.',
    [],
    flags,
  ),
  async run(argv) {
    const line = parseCommand('main', this.help, argv, flags, []);
    if (!line) return 0;
    const { values } = line;
    const started = performance.now();
    const out = String(values.out);
    const rows: SummaryRow[] = [];

    const graphDir = ensureDir(path.join(out, 'graphs'));
    const graphFiles: string[] = [];
    for (const model of builtinModels) graphFiles.push(...(await writeBuiltinGraph(model, graphDir, { svg: true, png: true })));
    process.stderr.write(`graphs: ${builtinModels.map((m) => m.name).join(', ')} drawn into ${shown(graphDir)}\n`);

    const lstmOut = path.join(out, lstmSineSpec.name);
    const lstm = runTraining(lstmSineSpec, defaultsOf(lstmSineSpec, lstmOut, values), lstmOut);
    const generated = generateSine(lstm.trained.model, 100, lstmOut);
    rows.push(trainedRow(lstmSineSpec.name, lstm, generated.files, `closed-loop max error over 100 points ${lossText(generated.maxError)}`));

    const vaeOut = path.join(out, vaeFmnistSpec.name);
    const vae = runTraining(vaeFmnistSpec, defaultsOf(vaeFmnistSpec, vaeOut, values), vaeOut);
    const grids = sampleVae(vae.trained.model, { count: 64, pairs: 32, scale: 3, seed: 1, data: dataDir(values) }, vaeOut);
    rows.push(trainedRow(vaeFmnistSpec.name, vae, grids));

    rows.push({ model: 'graphs', loss: '', figures: builtinModels.map((m) => m.name).join(', '), seconds: NaN, files: graphFiles });
    process.stdout.write(summary(rows, (performance.now() - started) / 1000));
    return 0;
  },
};

/** The closing table: one line per model, then the files of each, grouped by folder. */
function summary(rows: readonly SummaryRow[], total: number): string {
  const table = [['model', 'final loss', 'train time', 'figures'], ...rows.map((r) => [r.model, r.loss, Number.isNaN(r.seconds) ? '' : formatSeconds(r.seconds), r.figures])];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ');
  const lines = ['', line(table[0]), widths.map((w, c) => '-'.repeat(c === widths.length - 1 ? Math.min(w, 40) : w)).join('  '), ...table.slice(1).map(line), '', 'files:'];
  for (const r of rows) {
    const byFolder = new Map<string, string[]>();
    for (const f of r.files) byFolder.set(path.dirname(f), [...(byFolder.get(path.dirname(f)) ?? []), path.basename(f)]);
    for (const [folder, names] of byFolder) lines.push(`  ${shown(folder)}/: ${names.join(', ')}`);
  }
  lines.push('', `done in ${formatSeconds(total)}`, '');
  return lines.join('\n');
}
