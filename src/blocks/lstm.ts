import { UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { add } from '../ops/add';
import { concat } from '../ops/concat';
import { inner } from '../ops/inner';
import { lstmCell } from '../ops/lstm-cell';
import { slice } from '../ops/slice';
import { uniform } from '../tensor/init';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { FeedForward } from './feedforward';

/** The recurrent state after a step: hidden output h and cell c, both [batch × hidden]. */
export interface LstmState {
  h: Node;
  c: Node;
}

/**
 * An LSTM cell with PyTorch's gate equations (nn.LSTM, no peepholes):
 *   [i f g o] = [x h] · W + b
 *   c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g);   h' = σ(o) ⊙ tanh(c')
 * One weight W [(in + hidden) × 4·hidden] multiplies the concatenation of x and h, giving the
 * four gate blocks in PyTorch's column order i, f, g, o; one fused LstmCell node applies the
 * gate equations to them, and Slice cuts h' and c' from its [h' | c'] output. One weight
 * rather than four (or eight): a single product per step, the fewest nodes, and one
 * delivery per step to the shared weight, which is what the per-consumer record shows.
 * PyTorch's two bias vectors are one here (their sum is all the equations see).
 *
 * `step` wires one time step; calling it again wires another step onto the same W and b, so
 * an unroll shares them and the engine sums what every step sends. Initialisation is
 * PyTorch's: U(±1/√hidden) for W and b.
 */
export class Lstm {
  readonly graph: Graph;
  readonly name: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly weight: Node;
  readonly bias: Node;

  constructor(graph: Graph, name: string, inputSize: number, hiddenSize: number, rng: Rng) {
    for (const [what, n] of [['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`Lstm '${name}': ${what} must be a positive integer, got ${n}`);
    }
    this.graph = graph;
    this.name = name;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    [this.weight, this.bias] = graph.scope(name, () => [
      graph.param('W', uniform(rng, inputSize + hiddenSize, 4 * hiddenSize, -bound, bound, graph.dtype)),
      graph.param('b', uniform(rng, 1, 4 * hiddenSize, -bound, bound, graph.dtype)),
    ]);
  }

  get parameters(): Node[] {
    return [this.weight, this.bias];
  }

  /** Wires one step from input x [batch × in] and the previous state, as nodes `<name>.<at>.*` (e.g. `lstm.t3.cell`). */
  step(x: Node, previous: LstmState, at: string): LstmState {
    const H = this.hiddenSize;
    return this.graph.scope(this.name, () =>
      this.graph.scope(at, () => {
        const gates = add(inner(concat([x, previous.h], 'xh'), this.weight, 'xhW'), this.bias, 'gates');
        const cell = lstmCell(gates, previous.c, 'cell');
        return { h: slice(cell, 0, H, 'h'), c: slice(cell, H, 2 * H, 'c') };
      }),
    );
  }

  /** Wires `xs.length` steps named `<prefix>1`, `<prefix>2`, …; returns the state after each step. */
  unroll(xs: readonly Node[], initial: LstmState, prefix = 't'): LstmState[] {
    const states: LstmState[] = [];
    let state = initial;
    xs.forEach((x, k) => {
      state = this.step(x, state, `${prefix}${k + 1}`);
      states.push(state);
    });
    return states;
  }
}

/**
 * A window of `steps` unrolled steps over a batch, with its own inputs: x at every step
 * (`x1` …), the initial state (`h0`, `c0`), and a readout applied to every h (`readout.t1` …);
 * the steps themselves are `<lstm>.t1` …. With a `scope` every name gets that prefix, so that
 * several windows (a training window, a one-step generator) share one LSTM in one graph.
 * Truncated backprop through time: the initial state is an input, not a gradient path, so
 * backward stops at the window's start, while `carry()` feeds the final h and c as the next
 * window's h0 and c0, so the state itself flows on across windows.
 */
export class LstmWindow {
  readonly lstm: Lstm;
  readonly xs: Node[];
  readonly h0: Node;
  readonly c0: Node;
  readonly states: LstmState[];
  /** The readout of every step's h. */
  readonly outputs: Node[];
  private readonly zeros: Matrix;

  constructor(lstm: Lstm, readout: FeedForward, batch: number, steps: number, scope?: string) {
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`LstmWindow: steps must be a positive integer, got ${steps}`);
    const graph = lstm.graph;
    const scoped = <T>(fn: () => T): T => (scope === undefined ? fn() : graph.scope(scope, fn));
    this.lstm = lstm;
    this.zeros = new Matrix(batch, lstm.hiddenSize, graph.dtype);
    [this.xs, this.h0, this.c0, this.states, this.outputs] = scoped(() => {
      const xs = Array.from({ length: steps }, (_, k) => graph.input(`x${k + 1}`, batch, lstm.inputSize));
      const h0 = graph.input('h0', batch, lstm.hiddenSize);
      const c0 = graph.input('c0', batch, lstm.hiddenSize);
      const states = lstm.unroll(xs, { h: h0, c: c0 });
      return [xs, h0, c0, states, states.map((s, k) => readout.apply(s.h, `readout.t${k + 1}`))] as const;
    });
    this.resetState();
  }

  /** Starts the next window from h = c = 0. */
  resetState(): void {
    this.h0.feed(this.zeros);
    this.c0.feed(this.zeros);
  }

  /** Feeds the final h and c of the window just run as the next window's initial state. */
  carry(): void {
    const last = this.states[this.states.length - 1];
    const graph = this.lstm.graph;
    const h = graph.forward(last.h);
    const c = graph.forward(last.c);
    this.h0.feed(h);
    this.c0.feed(c);
  }
}

/**
 * Closed-loop generation with a one-step window whose readout has the input's width: the
 * seed rows are fed one by one (teacher forcing, warming the state up from zero), then each
 * prediction is fed back as the next input. Returns the `count` generated rows (count × in);
 * row 0 is the prediction that follows the last seed row.
 */
export function generate(window: LstmWindow, seeds: Matrix, count: number): Matrix {
  const [x] = window.xs;
  const [y] = window.outputs;
  if (window.xs.length !== 1 || x.rows !== 1) throw new UsageError('generate: needs a window of one step over a batch of one');
  if (y.cols !== x.cols) throw new UsageError(`generate: the readout gives ${y.cols} values per step, the input takes ${x.cols}`);
  if (seeds.cols !== x.cols || seeds.rows < 1) throw new UsageError(`generate: seeds must be n × ${x.cols} with n ≥ 1, got ${seeds.rows}×${seeds.cols}`);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`generate: count must be a positive integer, got ${count}`);
  const graph = window.lstm.graph;
  const out = new Matrix(count, x.cols, graph.dtype);
  const row = new Matrix(1, x.cols, graph.dtype);
  window.resetState();
  const total = seeds.rows + count - 1;
  for (let k = 0; k < total; k++) {
    if (k < seeds.rows) row.data.set(seeds.data.subarray(k * x.cols, (k + 1) * x.cols));
    x.feed(row);
    const prediction = graph.forward(y);
    row.data.set(prediction.data); // becomes the next input once the seeds are used up
    if (k >= seeds.rows - 1) out.data.set(prediction.data, (k - seeds.rows + 1) * x.cols);
    window.carry();
  }
  return out;
}
