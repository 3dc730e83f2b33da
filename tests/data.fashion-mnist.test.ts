import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_FILES,
  FASHION_MNIST_FIXTURE_DIR,
  IdxError,
  loadFashionMnist,
  locateFashionMnist,
  readIdx,
} from '../src';

const systemSet = Object.values(FASHION_MNIST_FILES).every((f) => fs.existsSync(path.join(FASHION_MNIST_DEFAULT_DIR, f)));
const withSystemSet = systemSet ? it : it.skip;

const perClass = (labels: Int32Array): number[] => {
  const counts = new Array<number>(10).fill(0);
  labels.forEach((c) => counts[c]++);
  return counts;
};

describe('Fashion-MNIST', () => {
  it('the shipped subset: 100 training and 20 test images per class, through the strict reader', () => {
    const set = loadFashionMnist({ dir: FASHION_MNIST_FIXTURE_DIR });
    expect(set.source).toBe('given');
    expect(set.train.images.shape).toEqual([1000, 784]);
    expect(set.test.images.shape).toEqual([200, 784]);
    expect(set.train.images.dtype).toBe('float32');
    expect(perClass(set.train.labels)).toEqual(new Array(10).fill(100));
    expect(perClass(set.test.labels)).toEqual(new Array(10).fill(20));
    const pixels = Float32Array.from(set.train.images.data).sort();
    expect([pixels[0], pixels[pixels.length - 1]]).toEqual([0, 1]);
    const total = Object.values(FASHION_MNIST_FILES).reduce((s, f) => s + fs.statSync(path.join(FASHION_MNIST_FIXTURE_DIR, f)).size, 0);
    expect(total).toBeLessThan(1 << 20);
  });

  it('where it looks: the given folder, then WIREGRAD_DATA, then the system folder, then the subset', () => {
    expect(locateFashionMnist(FASHION_MNIST_FIXTURE_DIR, {})).toEqual({ dir: FASHION_MNIST_FIXTURE_DIR, source: 'given' });
    expect(locateFashionMnist(undefined, { WIREGRAD_DATA: FASHION_MNIST_FIXTURE_DIR })).toEqual({ dir: FASHION_MNIST_FIXTURE_DIR, source: 'environment' });
    expect(locateFashionMnist(undefined, {})).toEqual(
      systemSet ? { dir: FASHION_MNIST_DEFAULT_DIR, source: 'system' } : { dir: FASHION_MNIST_FIXTURE_DIR, source: 'fixture' },
    );
  });

  it('a folder asked for that lacks the files is an error, not a silent fallback', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-fm-'));
    try {
      fs.copyFileSync(path.join(FASHION_MNIST_FIXTURE_DIR, FASHION_MNIST_FILES.trainImages), path.join(dir, FASHION_MNIST_FILES.trainImages));
      expect(() => locateFashionMnist(dir, {})).toThrow(IdxError);
      expect(() => locateFashionMnist(dir, {})).toThrow(`${dir}: byte 0: the given folder lacks Fashion-MNIST files train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`);
      expect(() => locateFashionMnist(undefined, { WIREGRAD_DATA: dir })).toThrow(/WIREGRAD_DATA lacks/);
      // labels that do not match the images in number
      for (const f of Object.values(FASHION_MNIST_FILES)) fs.copyFileSync(path.join(FASHION_MNIST_FIXTURE_DIR, f), path.join(dir, f));
      fs.copyFileSync(path.join(FASHION_MNIST_FIXTURE_DIR, FASHION_MNIST_FILES.testLabels), path.join(dir, FASHION_MNIST_FILES.trainLabels));
      expect(() => loadFashionMnist({ dir })).toThrow(/train-labels-idx1-ubyte.gz: decompressed byte 4: 200 labels for 1000 images/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  withSystemSet('the full test set loads: 10,000 images of 28×28, 1,000 per class', () => {
    const images = readIdx(path.join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.testImages));
    expect([images.type, images.dims]).toEqual(['uint8', [10000, 28, 28]]);
    const labels = readIdx(path.join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.testLabels));
    expect(perClass(Int32Array.from(labels.data))).toEqual(new Array(10).fill(1000));
  });

  withSystemSet('the subset is the first 20 test images of each class of the full set, unchanged', () => {
    const full = readIdx(path.join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.testImages)).data;
    const fullLabels = readIdx(path.join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.testLabels)).data;
    const mini = readIdx(path.join(FASHION_MNIST_FIXTURE_DIR, FASHION_MNIST_FILES.testImages)).data;
    const taken = new Array<number>(10).fill(0);
    const expected: number[] = [];
    fullLabels.forEach((c, i) => {
      if (taken[c]++ < 20) expected.push(i);
    });
    const mismatched = expected.filter((src, k) => !Buffer.from(full.subarray(src * 784, (src + 1) * 784)).equals(Buffer.from(mini.subarray(k * 784, (k + 1) * 784))));
    expect(mismatched).toEqual([]);
  });
});
