/**
 * Makes the Fashion-MNIST subset shipped in data/fashion-mnist-mini: the first 100 training and
 * the first 20 test images of each class, in their original order, as gzipped IDX files read by
 * the same strict reader as the full set.
 *
 *   npx tsx scripts/make-fixture.ts [source folder] [output folder]
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, readIdx } from '../src/data/idx';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES } from '../src/data/fashion-mnist';

const source = process.argv[2] ?? FASHION_MNIST_DEFAULT_DIR;
const output = process.argv[3] ?? path.join(__dirname, '..', 'data', 'fashion-mnist-mini');

function subset(imagesFile: string, labelsFile: string, perClass: number): void {
  const images = readIdx(path.join(source, imagesFile));
  const labels = readIdx(path.join(source, labelsFile));
  const [, rows, cols] = images.dims;
  const pixels = rows * cols;
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  const keep: number[] = [];
  labels.data.forEach((c, i) => {
    if (taken[c] < perClass) {
      taken[c]++;
      keep.push(i);
    }
  });
  const outImages = new Uint8Array(keep.length * pixels);
  keep.forEach((i, k) => outImages.set(images.data.subarray(i * pixels, (i + 1) * pixels) as Uint8Array, k * pixels));
  const outLabels = Uint8Array.from(keep, (i) => labels.data[i]);
  // Level 9 and a fixed (zero) gzip timestamp: the same inputs give byte-identical files.
  const write = (file: string, bytes: Uint8Array): void => {
    const gz = zlib.gzipSync(bytes, { level: 9 });
    fs.writeFileSync(path.join(output, file), gz);
    console.log(`${file}: ${gz.length} bytes`);
  };
  write(imagesFile, encodeIdx({ type: 'uint8', dims: [keep.length, rows, cols], data: outImages }));
  write(labelsFile, encodeIdx({ type: 'uint8', dims: [keep.length], data: outLabels }));
}

fs.mkdirSync(output, { recursive: true });
subset(FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels, 100);
subset(FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels, 20);
