// What `npm run bench` measures: every system on every workload, with its repetitions.
// Repetitions follow shared/WORKLOADS.md except where a slow peer would not finish in a
// sensible time; those are marked `reduced` and the table says so.

export type Workload = 'w2' | 'w3' | 'w4' | 'w5';
export type SystemName = 'wiregrad' | 'pytorch' | 'numpy' | 'tfjs-cpu' | 'tfjs-wasm';

export interface Spec {
  workload: Workload;
  system: SystemName;
  variant?: string;
  /** Thread counts it runs at; the JS peers are single-threaded. */
  threads: number[];
  steps: number;
  warmup: number;
  /** Runs only in the first `rounds` rounds (slow peers). */
  rounds?: number;
  /** Why the repetitions are below the protocol's. */
  reduced?: string;
}

export const WORKLOADS: Record<Workload, { title: string; unit: 'step' | 'epoch'; steps: number; warmup: number; protocol: string }> = {
  w2: { title: 'W2 LSTM-small (ms per training step)', unit: 'step', steps: 2000, warmup: 20, protocol: 'median over 2000 steps after 20 warm-up steps' },
  w3: { title: 'W3 LSTM-large (ms per training step)', unit: 'step', steps: 50, warmup: 5, protocol: 'median over 50 steps after 5 warm-up steps' },
  w4: { title: 'W4 VAE on Fashion-MNIST (s per epoch of 469 steps)', unit: 'step', steps: 469, warmup: 3, protocol: 'per-step median × 469 over one epoch, after 3 warm-up steps on a throw-away copy' },
  w5: { title: 'W5 MLP binary addition (ms per epoch of 100 batches)', unit: 'epoch', steps: 50, warmup: 2, protocol: 'median over 50 epochs after 2 warm-up epochs' },
};

/**
 * Repetitions at more than one thread for the heavy workloads. Two OpenMP threads on two cores
 * that other processes share wait a scheduler slice at every parallel region: a step then takes
 * tens of times longer (PyTorch's W3 step went from 0.06 s to 2.7 s here), and the full protocol
 * would not finish. Same for every system; the table says so.
 */
export const MULTI_THREAD_REPS: Partial<Record<Workload, { steps: number; warmup: number }>> = {
  w3: { steps: 10, warmup: 2 },
  w4: { steps: 40, warmup: 3 },
};

/** The repetitions of `spec` at `threads`. */
export function repsAt(spec: Spec, threads: number): { steps: number; warmup: number; reduced?: string } {
  const multi = threads > 1 ? MULTI_THREAD_REPS[spec.workload] : undefined;
  if (!multi || multi.steps >= spec.steps) return spec;
  return { ...multi, reduced: `${threads} threads: ${multi.steps} steps after ${multi.warmup} warm-up (two OpenMP threads on a shared 2-core machine are too slow for the full protocol)` };
}

const both = [1, 2];
const one = [1];

export function plan(quick: boolean): Spec[] {
  const specs: Spec[] = [
    { workload: 'w2', system: 'wiregrad', variant: 'block', threads: both, ...reps('w2') },
    { workload: 'w2', system: 'pytorch', variant: 'nn', threads: both, ...reps('w2') },
    { workload: 'w2', system: 'pytorch', variant: 'cell', threads: both, ...reps('w2') },
    { workload: 'w2', system: 'tfjs-cpu', variant: 'cell', threads: one, ...reps('w2') },
    { workload: 'w2', system: 'tfjs-wasm', variant: 'cell', threads: one, ...reps('w2') },
    { workload: 'w3', system: 'wiregrad', variant: 'block', threads: both, ...reps('w3') },
    { workload: 'w3', system: 'pytorch', variant: 'nn', threads: both, ...reps('w3') },
    { workload: 'w3', system: 'tfjs-cpu', variant: 'cell', threads: one, steps: 2, warmup: 1, rounds: 1, reduced: 'seconds per step: 2 steps after 1 warm-up, first round only' },
    { workload: 'w3', system: 'tfjs-wasm', variant: 'cell', threads: one, steps: 5, warmup: 1, reduced: 'about a second per step: 5 steps after 1 warm-up' },
    { workload: 'w4', system: 'wiregrad', threads: both, ...reps('w4') },
    { workload: 'w4', system: 'pytorch', threads: both, ...reps('w4') },
    { workload: 'w4', system: 'tfjs-cpu', threads: one, steps: 3, warmup: 1, rounds: 1, reduced: 'about a second per step: 3 steps after 1 warm-up, first round only' },
    { workload: 'w4', system: 'tfjs-wasm', threads: one, steps: 20, warmup: 2, reduced: 'a tenth of a second or more per step: 20 steps after 2 warm-up' },
    { workload: 'w5', system: 'wiregrad', threads: both, ...reps('w5') },
    { workload: 'w5', system: 'numpy', threads: both, ...reps('w5') },
    { workload: 'w5', system: 'pytorch', threads: both, ...reps('w5') },
    { workload: 'w5', system: 'tfjs-cpu', threads: one, steps: 10, warmup: 2, reduced: 'a tenth of a second or more per epoch: 10 epochs after 2 warm-up' },
    { workload: 'w5', system: 'tfjs-wasm', threads: one, steps: 10, warmup: 2, reduced: 'a tenth of a second or more per epoch: 10 epochs after 2 warm-up' },
  ];
  if (!quick) return specs;
  // a smoke run: a few steps of everything, one round; its table says QUICK
  const few: Record<Workload, number> = { w2: 100, w3: 2, w4: 5, w5: 3 };
  return specs.map((s) => ({ ...s, steps: Math.min(s.steps, few[s.workload]), warmup: Math.min(s.warmup, 1), reduced: 'quick smoke run' }));
}

function reps(w: Workload): { steps: number; warmup: number } {
  return { steps: WORKLOADS[w].steps, warmup: WORKLOADS[w].warmup };
}

export function specKey(s: { system: string; variant?: string }): string {
  return s.variant ? `${s.system} ${s.variant}` : s.system;
}
