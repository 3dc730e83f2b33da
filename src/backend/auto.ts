import { BackendError, UsageError } from '../errors';
import { arrayFor, DType, FloatArray } from '../tensor/matrix';
import { Backend } from './backend';
import { loadNative, NativeLoad, nativeBackendOf, setThreads, threadsFromEnv, threadsSetting } from './native';
import { deferBackendChoice, setLargeBackend } from './select';
import { tsBackend } from './ts';

/**
 * Multiply-adds (m·n·k) from which a product goes to the addon. Below it the call (about 0.2 µs)
 * costs more than the work. `npm run bench:gemm` measures the crossover (bench/results/gemm.md,
 * quiet machine): 64 multiply-adds (4³) in float32 and float64; from there on the addon is faster
 * at every size tested.
 */
export const NATIVE_THRESHOLD = 64;

export type BackendChoice = 'auto' | 'ts' | 'native';

export interface BackendResolution {
  /** Who does products of at least `threshold` multiply-adds. */
  backend: Backend;
  threshold: number;
  choice: BackendChoice;
  strict: boolean;
  /** Why this backend, in one sentence. */
  reason: string;
  /** The addon load attempt; null when WIREGRAD_BACKEND=ts kept it from being tried. */
  load: NativeLoad | null;
}

let resolution: BackendResolution | null = null;

/**
 * Chooses the backend once, from the environment:
 *   WIREGRAD_BACKEND=auto (default)  the addon above NATIVE_THRESHOLD when it loads, else TS with one warning
 *   WIREGRAD_BACKEND=ts              TypeScript only; the addon is never loaded
 *   WIREGRAD_BACKEND=native          the addon for every product; a BackendError when it does not load
 *   WIREGRAD_STRICT_NATIVE=1         in auto mode: a BackendError instead of the TS fallback
 *   WIREGRAD_THREADS=n               threads for the addon (OpenBLAS and OpenMP)
 */
export function resolveBackend(): BackendResolution {
  if (resolution) return resolution;
  const choice = (process.env.WIREGRAD_BACKEND || 'auto') as BackendChoice;
  if (!['auto', 'ts', 'native'].includes(choice)) {
    throw new UsageError(`WIREGRAD_BACKEND must be auto, ts or native, got '${choice}'`);
  }
  const strict = process.env.WIREGRAD_STRICT_NATIVE === '1';
  const envThreads = threadsFromEnv();
  if (envThreads !== null && threadsSetting() === null) setThreads(envThreads);
  if (choice === 'ts') {
    resolution = { backend: tsBackend, threshold: NATIVE_THRESHOLD, choice, strict, reason: 'WIREGRAD_BACKEND=ts', load: null };
  } else {
    const load = loadNative();
    const tried = load.tried.map((t) => `  ${t.path}: ${t.error}`).join('\n');
    if (load.addon) {
      const forced = choice === 'native';
      resolution = {
        backend: nativeBackendOf(load.addon),
        threshold: forced ? 0 : NATIVE_THRESHOLD,
        choice, strict,
        reason: forced ? 'WIREGRAD_BACKEND=native: every product' : `addon loaded; products of ≥ ${NATIVE_THRESHOLD} multiply-adds`,
        load,
      };
    } else if (choice === 'native' || strict) {
      const why = choice === 'native' ? 'WIREGRAD_BACKEND=native' : 'WIREGRAD_STRICT_NATIVE=1';
      throw new BackendError(`${why} but the native addon did not load; tried:\n${tried}`);
    } else {
      resolution = { backend: tsBackend, threshold: NATIVE_THRESHOLD, choice, strict, reason: 'the native addon did not load', load };
      // once: the resolution is cached, so this branch runs once per process
      process.emitWarning(`wiregrad: native addon not loaded, using the pure-TypeScript backend (slower products). Tried:\n${tried}`, {
        code: 'WIREGRAD_NO_NATIVE',
      });
    }
  }
  setLargeBackend(resolution.backend, resolution.threshold);
  return resolution;
}

/** The boundary graphStorage aligns to (native/gemm.cc, AlignmentOffset): a cache line, an AVX-512 vector. */
const ALIGNMENT = 64;

/**
 * Storage for a graph's own buffers (node values and gradients): a typed array whose data starts
 * on a 64-byte boundary, placed in a slightly larger buffer with the addon's help, unless
 * WIREGRAD_BACKEND=ts or the addon cannot (then a plain typed array, which starts wherever malloc
 * put it, 16-byte aligned). OpenBLAS's small products run up to 1.5× faster on aligned operands
 * (measured, 1 thread: 10×64×128 takes 1.7 µs with B aligned, 2.6 µs with B 16 bytes past a
 * boundary). Loads the addon, but chooses no backend: that stays with the first product.
 */
export function graphStorage(dtype: DType, length: number): FloatArray {
  const offsetOf = process.env.WIREGRAD_BACKEND === 'ts' ? undefined : loadNative().addon?.alignmentOffset;
  if (!offsetOf) return arrayFor(dtype, length);
  const size = dtype === 'float32' ? 4 : 8;
  const buffer = new ArrayBuffer(length * size + ALIGNMENT);
  const at = offsetOf(buffer);
  return dtype === 'float32' ? new Float32Array(buffer, at, length) : new Float64Array(buffer, at, length);
}

deferBackendChoice(resolveBackend);
