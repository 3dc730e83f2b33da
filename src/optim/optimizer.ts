import { CheckpointError, UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import type { OptimizerState } from '../io/checkpoint';
import { Matrix } from '../tensor/matrix';
import { constantLr, LrSchedule } from './schedule';

export interface OptimizerOptions {
  /** A fixed learning rate, or a schedule giving it from the step count (0 for the first step). */
  lr: number | LrSchedule;
}

/**
 * The common part of every optimizer: the parameters, the learning rate (fixed or scheduled),
 * the step count, and the state round trip. Subclasses own one `update` rule and their
 * per-parameter buffers, allocated once in the constructor so that a step allocates nothing.
 *
 * `step()` reads each parameter's `grad` from the latest backward pass (null: this parameter
 * got no gradient, it is left alone and its state does not advance), updates the value in
 * place and then invalidates the graphs, whose memoised values were computed from the old values.
 */
export abstract class Optimizer {
  /** Kind name written into the checkpoint metadata and checked on restore. */
  abstract readonly kind: string;
  readonly params: readonly Node[];
  /** Number of steps taken so far. */
  steps = 0;
  private readonly schedule: LrSchedule;
  private readonly graphs: Graph[];

  constructor(params: readonly Node[], options: OptimizerOptions) {
    for (const p of params) {
      if (p.role !== 'param') throw new UsageError(`optimizer: ${p.describe()} is a${p.role === 'input' ? 'n' : ''} ${p.role}, not a param`);
    }
    const names = new Set(params.map((p) => p.name));
    if (names.size !== params.length) throw new UsageError('optimizer: a parameter is listed twice');
    this.params = params.slice();
    this.schedule = typeof options.lr === 'number' ? constantLr(options.lr) : options.lr;
    this.graphs = [...new Set(params.map((p) => p.graph))];
    if (!(this.lr >= 0)) throw new UsageError(`optimizer: the learning rate must be ≥ 0, got ${this.lr}`);
  }

  /** The learning rate the next step will use. */
  get lr(): number {
    return this.schedule(this.steps);
  }

  /** Applies one update to every parameter that received a gradient. */
  step(): void {
    const lr = this.lr;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const g = p.grad;
      if (g) this.update(i, p.value.data, g.data, lr);
    }
    this.steps++;
    for (const graph of this.graphs) graph.invalidate();
  }

  /** Updates parameter `index` in place from its gradient. */
  protected abstract update(index: number, value: Matrix['data'], grad: Matrix['data'], lr: number): void;

  /** Per-parameter buffers to checkpoint, by buffer name (e.g. `m`, `v`). */
  protected abstract buffers(): Record<string, readonly Matrix[]>;

  /** Hyper-parameters recorded with the state (for the reader; restore does not need them). */
  protected abstract settings(): Record<string, number | boolean>;

  /** Per-parameter step counts, when the rule keeps them (Adam's bias corrections). */
  protected counts(): Int32Array | null {
    return null;
  }

  /**
   * The state as `{ tensors, meta }`: buffer `b` of parameter `p` is tensor `b/p`; meta holds
   * the kind, the step count, the settings and any per-parameter counts (`t/p`).
   */
  state(): OptimizerState {
    const tensors: Record<string, Matrix> = {};
    for (const [buffer, list] of Object.entries(this.buffers())) {
      list.forEach((m, i) => (tensors[`${buffer}/${this.params[i].name}`] = m.clone()));
    }
    const meta: Record<string, string> = { optimizer: this.kind, steps: String(this.steps) };
    for (const [k, v] of Object.entries(this.settings())) meta[k] = String(v);
    const counts = this.counts();
    if (counts) this.params.forEach((p, i) => (meta[`t/${p.name}`] = String(counts[i])));
    return { tensors, meta };
  }

  /** Restores a state written by `state()` of an optimizer of the same kind over the same parameters. */
  restore(state: OptimizerState): void {
    const { tensors, meta } = state;
    if (meta.optimizer !== this.kind) {
      throw new CheckpointError(`optimizer state: written by '${meta.optimizer ?? 'nothing'}', this optimizer is '${this.kind}'`);
    }
    const steps = readCount(meta.steps, 'steps');
    const counts = this.counts();
    const newCounts = counts ? this.params.map((p) => readCount(meta[`t/${p.name}`], `t/${p.name}`)) : [];
    const copies: [Matrix, Matrix][] = [];
    for (const [buffer, list] of Object.entries(this.buffers())) {
      list.forEach((m, i) => {
        const key = `${buffer}/${this.params[i].name}`;
        const saved = tensors[key];
        if (!saved) throw new CheckpointError(`optimizer state: tensor '${key}' is missing`);
        if (saved.rows !== m.rows || saved.cols !== m.cols) {
          throw new CheckpointError(`optimizer state: tensor '${key}' is ${saved.rows}×${saved.cols}, the parameter needs ${m.rows}×${m.cols}`);
        }
        copies.push([m, saved]);
      });
    }
    // everything was checked before anything is overwritten: a bad state leaves this optimizer as it was
    for (const [m, saved] of copies) m.data.set(saved.data);
    if (counts) counts.set(newCounts);
    this.steps = steps;
  }

  /** One zero buffer per parameter, in the parameter's dtype. */
  protected zerosLike(): Matrix[] {
    return this.params.map((p) => new Matrix(p.rows, p.cols, p.value.dtype));
  }
}

function readCount(text: string | undefined, key: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 0) {
    throw new CheckpointError(`optimizer state: meta '${key}' must be a count ≥ 0, got ${text === undefined ? 'nothing' : `'${text}'`}`);
  }
  return n;
}
