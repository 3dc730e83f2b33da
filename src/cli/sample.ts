import * as path from 'node:path';
import { sliceRows } from '../data/batches';
import { FASHION_MNIST_PIXELS, FASHION_MNIST_SIDE, loadFashionMnist } from '../data/fashion-mnist';
import { UsageError } from '../errors';
import { ensureDir } from '../io/folder';
import { imageGrid, upscale } from '../io/png';
import { VaeFmnist, VaeFmnistOptions } from '../models/vae-fmnist';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { Command } from './command';
import { savePng, shown } from './files';
import { FlagDef, helpText, intFlag, parseCommand } from './flags';
import { fromFlag, loadTrained, outDir, outFlag } from './from-checkpoint';
import { dataDir, dataFlag } from './trainers';

const COLUMNS = 8;
/** Gray of the gaps between tiles: apart from both the black background and the white garments. */
const GAP = 96;

const flags: readonly FlagDef[] = [
  fromFlag('vae-fmnist'),
  { name: 'count', value: 'N', default: 64, help: 'samples from the prior (8 per row)' },
  { name: 'pairs', value: 'N', default: 32, help: 'test images reconstructed (rows of originals, each above its reconstructions)' },
  { name: 'scale', value: 'N', default: 3, help: 'pixels per image pixel in the PNGs' },
  { name: 'seed', value: 'N', default: 1, help: 'seed of the prior draws' },
  dataFlag,
  outFlag('samples.png and reconstructions.png'),
];

export interface SampleSettings {
  count: number;
  pairs: number;
  scale: number;
  seed: number;
  /** Fashion-MNIST folder (undefined: the locator's choice). */
  data?: string;
}

/**
 * Two image grids: `count` decodings of z ~ N(0, I) (samples.png), and the first `pairs` test
 * images with their mean reconstructions (reconstructions.png: a row of originals, then the
 * row of their reconstructions, and so on).
 */
export function sampleVae(model: VaeFmnist, settings: SampleSettings, out: string): string[] {
  const rows = (m: Matrix): Float32Array[] => Array.from({ length: m.rows }, (_, i) => Float32Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  const grid = (tiles: ArrayLike<number>[]) => upscale(imageGrid(tiles, { tileWidth: FASHION_MNIST_SIDE, tileHeight: FASHION_MNIST_SIDE, columns: COLUMNS, gap: 2, background: GAP }), settings.scale);
  const samples = rows(model.sample(settings.count, new Rng(settings.seed)));

  const test = loadFashionMnist({ dir: settings.data, dtype: model.graph.dtype }).test.images;
  const pairs = Math.min(settings.pairs, test.rows);
  const originals = sliceRows(test, 0, pairs);
  const originalRows = rows(originals);
  const reconstructionRows = rows(model.reconstruct(originals));
  // a short last row is filled up with blank tiles, so reconstructions stay below their originals
  const blank = new Float32Array(FASHION_MNIST_PIXELS).fill(GAP / 255);
  const fullRow = (tiles: Float32Array[]): Float32Array[] => [...tiles, ...Array.from({ length: COLUMNS - tiles.length }, () => blank)];
  const interleaved: Float32Array[] = [];
  for (let r = 0; r * COLUMNS < pairs; r++) {
    interleaved.push(...fullRow(originalRows.slice(r * COLUMNS, (r + 1) * COLUMNS)), ...fullRow(reconstructionRows.slice(r * COLUMNS, (r + 1) * COLUMNS)));
  }
  ensureDir(out);
  return [savePng(path.join(out, 'samples.png'), grid(samples)), savePng(path.join(out, 'reconstructions.png'), grid(interleaved))];
}

export const sample: Command = {
  name: 'sample',
  summary: 'draw a trained vae-fmnist: samples from the prior and reconstructions of test images',
  help: helpText(
    'wiregrad sample vae-fmnist [flags]',
    'Loads a trained vae-fmnist and writes two PNG grids: samples.png (decodings of z ~ N(0, I))\n' +
      'and reconstructions.png (rows of test images, each followed by the row of their\n' +
      'reconstructions at z = μ).',
    [['MODEL', 'vae-fmnist (the one generative image model)']],
    flags,
  ),
  async run(argv) {
    const line = parseCommand('sample', this.help, argv, flags, ['MODEL']);
    if (!line) return 0;
    const { values, args: [name] } = line;
    if (name !== 'vae-fmnist') throw new UsageError(`sample: unknown model '${name}' (models: vae-fmnist)`);
    const settings: SampleSettings = {
      count: intFlag('sample', 'count', values.count, 1, 10_000),
      pairs: intFlag('sample', 'pairs', values.pairs, 1, 10_000),
      scale: intFlag('sample', 'scale', values.scale, 1, 16),
      seed: intFlag('sample', 'seed', values.seed, 0, 2 ** 32 - 1),
      data: dataDir(values),
    };
    const model = loadTrained(String(values.from), 'vae-fmnist', (options) => new VaeFmnist(options as Partial<VaeFmnistOptions>));
    const files = sampleVae(model, settings, outDir(values));
    process.stdout.write(`vae-fmnist: ${settings.count} samples and ${settings.pairs} reconstructions\nwrote ${files.map(shown).join(', ')}\n`);
    return 0;
  },
};
