import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { FloatArray } from '../tensor/matrix';
import { Backend } from './backend';

/** What the addon (native/addon.cc) exports. */
export interface NativeAddon {
  sgemm: GemmFn<Float32Array>;
  dgemm: GemmFn<Float64Array>;
  /** How many numbers sgemm/dgemm take packed: GEMM_SCALARS.length, else the build predates this layout. */
  gemmScalars: number;
  setThreads(threads: number): void;
  info(): NativeInfo;
  /** Bytes from the start of `buffer` to its first 64-byte boundary; an addon built before it lacks it. */
  alignmentOffset?(buffer: ArrayBuffer): number;
}

/**
 * C = alpha·op(A)·op(B) + beta·C with every number of the call packed as float64 into `scalars`
 * (the ArrayBuffer of a Float64Array of GEMM_SCALARS.length values, in that order, transA and
 * transB as 0 or 1): one N-API read in the addon instead of thirteen number reads, and a bare
 * ArrayBuffer because N-API finds a view's element type by testing every kind in turn. The addon
 * checks each value and names it in its errors.
 */
type GemmFn<T> = (a: T, b: T, c: T, scalars: ArrayBuffer) => void;

/** The slots of sgemm/dgemm's `scalars`, in order. */
export const GEMM_SCALARS = ['transA', 'transB', 'm', 'n', 'k', 'alpha', 'aOffset', 'lda', 'bOffset', 'ldb', 'beta', 'cOffset', 'ldc'] as const;

/** The addon's description of itself; the blas* fields are there when it links OpenBLAS. */
export interface NativeInfo {
  blas: string;
  blasConfig?: string;
  blasCore?: string;
  blasParallel?: string;
  blasThreads?: number;
  blasLibrary?: string;
  /** The _OPENMP date the addon was compiled with, e.g. 201511. */
  openmp: number;
  ompThreads: number;
  march: string;
  sanitizers: string;
  /** Which compiled clone of the hot elementwise loops this CPU runs (native/clones.h). */
  vectorClone?: string;
}

export interface NativeLoad {
  addon: NativeAddon | null;
  /** The file that loaded, when one did. */
  path: string | null;
  /** Every path tried, in order, with why it did not load. */
  tried: { path: string; error: string }[];
}

/** The repository (or installed package) root: this file sits in src/backend or dist/backend. */
const packageRoot = path.resolve(__dirname, '..', '..');

/**
 * Where the addon may be. WIREGRAD_NATIVE_ADDON names one file and then only that one is tried,
 * so that a variant build (sanitizers, no OpenBLAS) is never silently replaced by the default.
 */
export function addonCandidates(): string[] {
  const explicit = process.env.WIREGRAD_NATIVE_ADDON;
  if (explicit) return [path.resolve(explicit)];
  return ['Release', 'Debug'].map((d) => path.join(packageRoot, 'build', d, 'wiregrad_native.node'));
}

let loaded: NativeLoad | null = null;
let threads: number | null = null;

/** WIREGRAD_THREADS as a thread count, null when unset; a UsageError naming it when malformed. */
export function threadsFromEnv(): number | null {
  const text = process.env.WIREGRAD_THREADS;
  if (text === undefined || text === '') return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1024) throw new UsageError(`WIREGRAD_THREADS must be an integer in [1, 1024], got '${text}'`);
  return n;
}

/**
 * Loads the addon once; never throws: a failure is recorded with every path tried. The thread
 * count is setThreads' if called, else WIREGRAD_THREADS, else the libraries' default.
 */
export function loadNative(): NativeLoad {
  if (loaded) return loaded;
  if (threads === null) {
    try {
      threads = threadsFromEnv();
    } catch {
      // a malformed WIREGRAD_THREADS is reported by resolveBackend; loading must not throw
    }
  }
  const tried: NativeLoad['tried'] = [];
  for (const file of addonCandidates()) {
    if (!fs.existsSync(file)) {
      tried.push({ path: file, error: 'no such file (run `npm install` or `node scripts/build-native.js`)' });
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      const missing = (['sgemm', 'dgemm', 'setThreads', 'info'] as const).filter((f) => typeof addon?.[f] !== 'function');
      if (missing.length > 0) {
        tried.push({ path: file, error: `loaded, but it is not the wiregrad addon (no ${missing.join(', ')})` });
        continue;
      }
      if (addon.gemmScalars !== GEMM_SCALARS.length) {
        tried.push({ path: file, error: `loaded, but built for another GEMM argument layout (gemmScalars ${String(addon.gemmScalars)}, this wiregrad packs ${GEMM_SCALARS.length}): rebuild it with \`node scripts/build-native.js\`` });
        continue;
      }
      if (threads !== null) addon.setThreads(threads);
      loaded = { addon, path: file, tried: [...tried, { path: file, error: '' }] };
      return loaded;
    } catch (e) {
      tried.push({ path: file, error: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    }
  }
  loaded = { addon: null, path: null, tried };
  return loaded;
}

/** The elementwise kernels of native/elementwise.cc and rows.cc; an addon built before them lacks them. */
export interface ElementwiseKernels {
  adamUpdate(value: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, stepSize: number, unbias2: number, beta1: number, beta2: number, eps: number): void;
  sgdUpdate(value: FloatArray, grad: FloatArray, lr: number): void;
  tanhForward(x: FloatArray, y: FloatArray): void;
  tanhBackward(y: FloatArray, g: FloatArray, dx: FloatArray): void;
  sigmoidForward(x: FloatArray, y: FloatArray): void;
  sigmoidBackward(y: FloatArray, g: FloatArray, dx: FloatArray): void;
  bceWithLogitsForward(x: FloatArray, t: FloatArray): number;
  bceWithLogitsBackward(x: FloatArray, t: FloatArray, dx: FloatArray, k: number): void;
  axpy(x: FloatArray, y: FloatArray, alpha: number): void;
  addRow(a: FloatArray, row: FloatArray, y: FloatArray, sign: number): void;
  sumRows(g: FloatArray, out: FloatArray, sign: number): void;
  copyRows(src: FloatArray, srcOffset: number, srcStride: number, dst: FloatArray, dstOffset: number, dstStride: number, rows: number, cols: number): void;
}

/**
 * The loaded addon's elementwise kernel `name`; null when no addon has been loaded (by the first
 * large product) or it predates the kernel, and the caller runs its TypeScript twin.
 */
export function elementwiseKernel<K extends keyof ElementwiseKernels>(name: K): ElementwiseKernels[K] | null {
  return (loaded?.addon as Partial<ElementwiseKernels> | null | undefined)?.[name] ?? null;
}

/** The addon if it has been loaded already; never loads it. */
export function loadedAddon(): NativeAddon | null {
  return loaded?.addon ?? null;
}

/**
 * Threads for the native products: sizes OpenBLAS's pool and the addon's own OpenMP loops.
 * The TypeScript backend is single-threaded and ignores it. Applied now if the addon is loaded,
 * else when it loads.
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UsageError(`setThreads: threads must be an integer in [1, 1024], got ${String(n)}`);
  threads = n;
  loadedAddon()?.setThreads(n);
}

/** The thread count last set, or null when the library defaults (OMP_NUM_THREADS, all cores) apply. */
export function threadsSetting(): number | null {
  return threads;
}

/**
 * The addon as a Backend: the typed arrays and offsets go across as they are, no copies. An
 * addon built before the axpy kernel gives a backend without axpy.
 */
export function nativeBackendOf(addon: NativeAddon): Backend {
  const axpy = (addon as Partial<ElementwiseKernels>).axpy;
  // refilled by every call: the addon copies the values out before it checks them
  const scalars = new Float64Array(GEMM_SCALARS.length);
  const packed = scalars.buffer;
  return {
    name: 'native',
    gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc) {
      scalars[0] = transA ? 1 : 0;
      scalars[1] = transB ? 1 : 0;
      scalars[2] = m;
      scalars[3] = n;
      scalars[4] = k;
      scalars[5] = alpha;
      scalars[6] = aOff;
      scalars[7] = lda;
      scalars[8] = bOff;
      scalars[9] = ldb;
      scalars[10] = beta;
      scalars[11] = cOff;
      scalars[12] = ldc;
      // The addon checks that b and c have a's type too, naming the one that does not.
      const fn = (a instanceof Float32Array ? addon.sgemm : addon.dgemm) as GemmFn<FloatArray>;
      fn(a, b, c, packed);
    },
    ...(axpy && { axpy: (alpha: number, x: FloatArray, y: FloatArray) => axpy(x, y, alpha) }),
  };
}
