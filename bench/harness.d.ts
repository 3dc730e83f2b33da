export type CachedArray = Float64Array | Float32Array | Int32Array;

export interface BenchArgs {
  workload: string;
  variant?: string;
  threads: number;
  steps: number;
  warmup: number;
  [key: string]: string | number | undefined;
}

/** What every system prints: times per step (or epoch) in seconds and the values of the same-work check. */
export interface BenchResult {
  system: string;
  version: string;
  workload: string;
  variant?: string;
  dtype: string;
  threads: number;
  unit: 'step' | 'epoch';
  times: number[];
  setup: number;
  check: Record<string, number | number[] | null>;
  /** wiregrad: which backend did the products. */
  backend?: string;
  /** W4: wall time of the full epoch (null for a partial one). */
  epoch?: number | null;
  /** W4: seconds to build the graph and run the warm-up. */
  built?: number;
  /** CPU seconds of the whole process, added by emit. */
  cpu?: number;
  /** Added by emit: peak resident memory of the process; JS systems: collections during the steps (warm-up included). */
  memory?: { peakRssKiB: number; gc: { count: number; ms: number } | null };
}

export function tensor(name: string): { data: CachedArray; shape: number[] };
export function args(argv?: string[]): BenchArgs;
export function now(): number;
export function emit(result: BenchResult): void;
/** The steps begin: garbage collections are counted from here; with BENCH_CPU_PROFILE=<file> they are profiled… */
export function stepsBegin(): void;
/** …to here (the .cpuprofile is written). */
export function stepsEnd(): void;
