import { EngineError } from '../errors';
import { FloatArray } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { resolveBackend } from './auto';
import { Backend } from './backend';
import { loadNative, nativeBackendOf, threadsSetting } from './native';
import { tsBackend } from './ts';

/**
 * Largest |C − C_ref| / (2·k·u·(|op(A)|·|op(B)|)) over the elements of C = op(A)·op(B) (alpha 1,
 * beta 0, packed operands): at most 1 passes. The reference runs in float64 on the same rounded
 * inputs; each side of a k-term dot product errs by at most about k·u·(|A|·|B|), so 2·k·u bounds
 * their difference whatever order either side sums in. u = 2^-53 (float64) or 2^-24 (float32).
 */
export function gemmErrorRatio(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): number {
  const u = c instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  const a64 = Float64Array.from(a), b64 = Float64Array.from(b);
  const lda = transA ? m : k, ldb = transB ? k : n;
  const ref = new Float64Array(m * n), absRef = new Float64Array(m * n);
  tsBackend.gemm(transA, transB, m, n, k, 1, a64, 0, lda, b64, 0, ldb, 0, ref, 0, n);
  tsBackend.gemm(transA, transB, m, n, k, 1, a64.map(Math.abs), 0, lda, b64.map(Math.abs), 0, ldb, 0, absRef, 0, n);
  let worst = 0;
  for (let i = 0; i < m * n; i++) {
    const err = Math.abs(c[i] - ref[i]);
    // err === 0 also covers a zero bound (an all-zero row or column)
    worst = Math.max(worst, err === 0 ? 0 : err / (2 * k * u * absRef[i]));
  }
  return worst;
}

/** The shapes the conformance test and the self-test draw m, n and k from. */
export const GEMM_TEST_SIZES = [1, 2, 3, 7, 16, 33, 64, 257] as const;

export interface SelfTest {
  products: number;
  failures: string[];
  worstRatio: number;
  seconds: number;
}

/** Random products on `backend` against the float64 TS reference, for about `seconds`. */
export function gemmSelfTest(backend: Backend, seconds: number, seed = 1): SelfTest {
  const rng = new Rng(seed);
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const result: SelfTest = { products: 0, failures: [], worstRatio: 0, seconds: 0 };
  while (elapsed() < seconds) {
    const [m, n, k] = [0, 1, 2].map(() => GEMM_TEST_SIZES[rng.int(GEMM_TEST_SIZES.length)]);
    const transA = rng.int(2) === 1, transB = rng.int(2) === 1;
    const f32 = rng.int(2) === 1;
    const make = (len: number, random: boolean): FloatArray => {
      const x = f32 ? new Float32Array(len) : new Float64Array(len);
      for (let i = 0; i < len; i++) x[i] = random ? rng.uniform(-1, 1) : NaN;
      return x;
    };
    const a = make(m * k, true), b = make(k * n, true), c = make(m * n, false);
    backend.gemm(transA, transB, m, n, k, 1, a, 0, transA ? m : k, b, 0, transB ? k : n, 0, c, 0, n);
    const ratio = gemmErrorRatio(transA, transB, m, n, k, a, b, c);
    result.products++;
    result.worstRatio = Math.max(result.worstRatio, ratio);
    if (!(ratio <= 1)) result.failures.push(`${f32 ? 'float32' : 'float64'} ${m}×${n}×${k} transA=${transA} transB=${transB}: ${ratio.toFixed(2)}× the bound`);
  }
  result.seconds = elapsed();
  return result;
}

export interface DoctorReport {
  text: string;
  /** False when the self-test found a wrong product or a strict setting could not be met. */
  ok: boolean;
}

/** What runs the products, where it came from, how it is configured, and a one-second self-test. */
export async function doctorReport(selfTestSeconds = 1): Promise<DoctorReport> {
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`${label.padEnd(16)}${value}`);
  let ok = true;
  let productsOn = 'the TS backend, the reference itself';
  try {
    const r = resolveBackend();
    row('backend', `${r.backend.name} (${r.reason})`);
    const split = r.backend.name === 'ts' ? 'every product in TS' : `products of < ${r.threshold} multiply-adds stay in TS`;
    row('selection', `WIREGRAD_BACKEND=${r.choice}${r.strict ? ', strict' : ''}; ${split}`);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    ok = false;
    row('backend', `none: ${e.message.split('\n')[0]} [${e.code}]`);
    productsOn = 'no backend: every product throws';
  }
  const load = process.env.WIREGRAD_BACKEND === 'ts' ? null : loadNative();
  if (load === null) row('addon', 'not loaded (WIREGRAD_BACKEND=ts)');
  else if (load.addon) row('addon', load.path ?? '');
  else {
    row('addon', 'not loaded; tried:');
    for (const t of load.tried) lines.push(`${''.padEnd(16)}${t.path}: ${t.error}`);
  }
  const addon = load?.addon ?? null;
  if (addon) {
    const info = addon.info();
    row('BLAS', info.blas);
    if (info.blasLibrary) row('BLAS library', info.blasLibrary);
    if (info.blasConfig) row('BLAS config', info.blasConfig.trim());
    if (info.blasCore) row('BLAS kernel', info.blasCore);
    if (info.blasParallel) row('BLAS threading', `${info.blasParallel}, ${info.blasThreads} thread${info.blasThreads === 1 ? '' : 's'}`);
    row('OpenMP', `yes (_OPENMP ${info.openmp}), ${info.ompThreads} thread${info.ompThreads === 1 ? '' : 's'} for own loops`);
    row('threads', threadsSetting() === null ? 'library default (set WIREGRAD_THREADS or setThreads(n))' : String(threadsSetting()));
    row('compiled', `${info.march ? `-march=${info.march}` : 'portable (no -march)'}${info.sanitizers ? `, -fsanitize=${info.sanitizers}` : ''}`);
    if (info.vectorClone) row('loops', `vector clone ${info.vectorClone}`);
    const test = gemmSelfTest(nativeBackendOf(addon), selfTestSeconds);
    const verdict = test.failures.length === 0 ? 'pass' : `FAIL (${test.failures.length})`;
    row('self-test', `${verdict}: ${test.products} random products native vs the TS reference in ${test.seconds.toFixed(1)} s, worst error ${test.worstRatio.toFixed(3)}× the bound 2·k·u·|A||B|`);
    for (const f of test.failures.slice(0, 5)) lines.push(`${''.padEnd(16)}${f}`);
    if (test.failures.length > 0) ok = false;
  } else {
    row('self-test', `skipped: products run on ${productsOn}`);
  }
  return { text: lines.join('\n') + '\n', ok };
}
