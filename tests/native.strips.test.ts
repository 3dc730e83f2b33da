// The addon splits some float64 A·Bᵀ products into column strips (native/gemm.cc, stripColumns):
// shapes on both sides of every bound of that rule, against the TS reference, with leading
// dimensions, offsets, alpha and beta, so that each strip reads its own rows of B and writes only
// its own columns of C.
import { loadNative, Rng, tsBackend } from '../src';
import { gemmErrorRatio } from '../src/backend/doctor';
import { nativeBackendOf } from '../src/backend/native';
import { addonTried } from './helpers';

const load = loadNative();
const addon = load.addon;

// [m, n, k]: inside the rule (several strips, uneven last strip, a single-row A), and just
// outside each bound: m·n = 1024, k = 31, m = 33, m·n·k > 2^20
const SHAPES: [number, number, number][] = [
  [10, 128, 64], [10, 129, 32], [16, 257, 33], [32, 100, 40], [1, 1025, 32], [3, 700, 64],
  [8, 128, 64], [10, 128, 31], [33, 128, 64], [32, 512, 65],
];

function uniform(rng: Rng, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1);
  return x;
}

(addon ? describe : describe.skip)('float64 A·Bᵀ in column strips', () => {
  const native = nativeBackendOf(addon!);

  it.each(SHAPES)('%i×%i×%i within 2·k·u·|A||B| of the reference, with every transpose pair', (m, n, k) => {
    const rng = new Rng(m * 7919 + n * 31 + k);
    for (const [transA, transB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      const a = uniform(rng, m * k), b = uniform(rng, k * n);
      const c = new Float64Array(m * n).fill(NaN);
      native.gemm(transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
      expect(gemmErrorRatio(transA, transB, m, n, k, a, b, c)).toBeLessThanOrEqual(1);
    }
  });

  it.each(SHAPES)('%i×%i×%i with lda, ldb, ldc, offsets, alpha and beta matches TS exactly on small integers', (m, n, k) => {
    const rng = new Rng(m + n + k);
    const lda = k + 3, ldb = k + 5, ldc = n + 2;
    const ints = (len: number): Float64Array => Float64Array.from({ length: len }, () => rng.int(5) - 2);
    // a guard of values around C: a strip that strayed past its columns or rows would change them
    const a = ints(m * lda + 7), b = ints(n * ldb + 9), c0 = ints(m * ldc + 20);
    const cNative = c0.slice(), cTs = c0.slice();
    native.gemm(false, true, m, n, k, -2, a, 7, lda, b, 9, ldb, 3, cNative, 11, ldc);
    tsBackend.gemm(false, true, m, n, k, -2, a, 7, lda, b, 9, ldb, 3, cTs, 11, ldc);
    expect(Array.from(cNative)).toEqual(Array.from(cTs));
  });
});

if (!addon) process.stderr.write(`native addon not loaded, strip tests skipped; tried:\n${addonTried(load)}\n`);
