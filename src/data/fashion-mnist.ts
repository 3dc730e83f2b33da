import * as fs from 'fs';
import * as path from 'path';
import { IdxError } from '../errors';
import { DType, Matrix } from '../tensor/matrix';
import { loadImages, loadLabels } from './idx';

/** Where Debian's dataset-fashion-mnist package installs the full set. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
/** The small subset shipped with wiregrad (the first 100 training and 20 test images of each class). */
export const FASHION_MNIST_FIXTURE_DIR = path.resolve(__dirname, '..', '..', 'data', 'fashion-mnist-mini');
export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;
/** Images are FASHION_MNIST_SIDE × FASHION_MNIST_SIDE gray pixels, one row of FASHION_MNIST_PIXELS values each. */
export const FASHION_MNIST_SIDE = 28;
export const FASHION_MNIST_PIXELS = FASHION_MNIST_SIDE * FASHION_MNIST_SIDE;
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Which folder was used and why: given (`dir`), environment (WIREGRAD_DATA), system (the Debian package) or fixture. */
export type FashionMnistSource = 'given' | 'environment' | 'system' | 'fixture';

export interface FashionMnistLocation {
  dir: string;
  source: FashionMnistSource;
}

export interface FashionMnistSplit {
  /** n × 784, pixel values scaled to [0, 1]. */
  images: Matrix;
  /** Class ids 0–9 (see FASHION_MNIST_CLASSES). */
  labels: Int32Array;
}

export interface FashionMnist extends FashionMnistLocation {
  train: FashionMnistSplit;
  test: FashionMnistSplit;
}

function missingFiles(dir: string): string[] {
  return Object.values(FASHION_MNIST_FILES).filter((f) => !fs.existsSync(path.join(dir, f)));
}

/**
 * Finds the data set: an explicit `dir` (the CLI's --data), else $WIREGRAD_DATA, else the system
 * folder, else the shipped subset. A folder that was asked for explicitly must hold all four
 * files: falling back silently would train on something other than what was asked for.
 */
export function locateFashionMnist(dir?: string, env: NodeJS.ProcessEnv = process.env): FashionMnistLocation {
  const asked: FashionMnistLocation | null = dir !== undefined ? { dir, source: 'given' } : env.WIREGRAD_DATA ? { dir: env.WIREGRAD_DATA, source: 'environment' } : null;
  if (asked) {
    const missing = missingFiles(asked.dir);
    if (missing.length > 0) {
      const from = asked.source === 'given' ? 'the given folder' : 'WIREGRAD_DATA';
      throw new IdxError(`${asked.dir}: byte 0: ${from} lacks Fashion-MNIST file${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    }
    return asked;
  }
  if (missingFiles(FASHION_MNIST_DEFAULT_DIR).length === 0) return { dir: FASHION_MNIST_DEFAULT_DIR, source: 'system' };
  return { dir: FASHION_MNIST_FIXTURE_DIR, source: 'fixture' };
}

/** Locates and loads both splits; `source` says which folder they came from. */
export function loadFashionMnist(options: { dir?: string; dtype?: DType; env?: NodeJS.ProcessEnv } = {}): FashionMnist {
  const where = locateFashionMnist(options.dir, options.env);
  const file = (name: string): string => path.join(where.dir, name);
  const split = (images: string, labels: string): FashionMnistSplit => {
    const split = { images: loadImages(file(images), { dtype: options.dtype }), labels: loadLabels(file(labels)) };
    if (split.images.rows !== split.labels.length) {
      throw new IdxError(`${file(labels)}: decompressed byte 4: ${split.labels.length} labels for ${split.images.rows} images in ${images}`);
    }
    const bad = split.labels.findIndex((c) => c < 0 || c >= FASHION_MNIST_CLASSES.length);
    if (bad >= 0) throw new IdxError(`${file(labels)}: decompressed byte ${8 + bad}: label ${split.labels[bad]} is not a class id 0–9`);
    return split;
  };
  return {
    ...where,
    train: split(FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels),
    test: split(FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels),
  };
}
