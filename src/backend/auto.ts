import { BackendError, UsageError } from '../errors';
import { Backend } from './backend';
import { loadNative, NativeLoad, nativeBackendOf, setThreads, threadsFromEnv, threadsSetting } from './native';
import { deferBackendChoice, setLargeBackend } from './select';
import { tsBackend } from './ts';

/**
 * Multiply-adds (m·n·k) from which a product goes to the addon. Below it the call (about half a
 * microsecond) costs more than the work. `npm run bench:gemm` measures the crossover
 * (bench/results/gemm.md, quiet machine): 125 multiply-adds (5³) in float32 and float64; from
 * there on the addon is faster at every size tested.
 */
export const NATIVE_THRESHOLD = 125;

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

deferBackendChoice(resolveBackend);
