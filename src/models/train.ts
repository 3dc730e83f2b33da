import { UsageError } from '../errors';
import type { Node } from '../graph/node';
import { clipGradNorm } from '../optim/clip';
import type { Optimizer } from '../optim/optimizer';

/**
 * The pieces every built-in model's training shares. Each model file exports
 * `<Model>Options` with documented defaults, a model class (buildable untrained, e.g. to load
 * a checkpoint into), and `train<Model>(options, onProgress?)` returning the trained model,
 * its optimizer, the per-step history and the model's own final metrics.
 */

/** One training step as reported to `onProgress` and kept in the history (one JSONL row). */
export interface TrainRecord {
  /** 1-based step number. */
  step: number;
  /** 1-based epoch (pass over the training data) the step belongs to. */
  epoch: number;
  /** The loss of this step's batch, before the update. */
  loss: number;
  /** The learning rate the step used. */
  lr: number;
}

export interface TrainProgress extends TrainRecord {
  /** Total number of steps this run will take. */
  steps: number;
}

export type OnProgress = (progress: TrainProgress) => void;

/** What every `train<Model>` returns, beside the model's own metrics. */
export interface TrainOutcome<M> {
  model: M;
  /** The optimizer after training: `optimizer.state()` goes into a checkpoint with the graph. */
  optimizer: Optimizer;
  /** One record per step. */
  history: TrainRecord[];
  /** Wall time of the training loop in seconds (data loading excluded). */
  seconds: number;
}

/**
 * One optimization step on the inputs already fed: forward, backward, optional clipping of the
 * global gradient norm, update. Returns the loss before the update.
 */
export function optimizationStep(loss: Node, optimizer: Optimizer, clipNorm?: number): number {
  const value = loss.graph.forward(loss).data[0];
  loss.graph.backward(loss);
  if (clipNorm !== undefined) clipGradNorm(optimizer.params, clipNorm);
  optimizer.step();
  return value;
}

/** Runs `steps` steps of `step(i)` (0-based; returns [loss, epoch]), recording and reporting each. */
export function trainLoop(
  steps: number,
  optimizer: Optimizer,
  step: (i: number) => readonly [loss: number, epoch: number],
  onProgress?: OnProgress,
): { history: TrainRecord[]; seconds: number } {
  const history: TrainRecord[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) {
    const lr = optimizer.lr;
    const [loss, epoch] = step(i);
    const record = { step: i + 1, epoch, loss, lr };
    history.push(record);
    onProgress?.({ ...record, steps });
  }
  return { history, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Checks that an option is a positive integer (or, with `zero`, a count ≥ 0). */
export function checkCount(model: string, option: string, n: number, zero = false): void {
  if (!Number.isInteger(n) || n < (zero ? 0 : 1)) {
    throw new UsageError(`${model}: ${option} must be ${zero ? 'an integer ≥ 0' : 'a positive integer'}, got ${n}`);
  }
}

/** Checks that an option is a finite number > 0. */
export function checkPositive(model: string, option: string, v: number): void {
  if (!(v > 0 && Number.isFinite(v))) throw new UsageError(`${model}: ${option} must be a finite number > 0, got ${v}`);
}
