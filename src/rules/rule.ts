import { ShapeError, WiringError } from '../errors';
import type { Node } from '../graph/node';
import { Matrix, shapeText } from '../tensor/matrix';

/**
 * The local signals a learning rule may read at one synapse (a weight W with z = pre · W):
 * - pre:    the activity entering the synapse (batch × in)
 * - post:   the activity leaving it (batch × out), after the unit's nonlinearity unless a
 *           network says otherwise
 * - weight: W itself (in × out)
 * - target: a local target for the post activity (a clamped label, the facing pipe section)
 * - error:  the true gradient of the task loss with respect to z, from a backward pass
 * - reward: one global scalar (1×1) broadcast to every synapse
 * - syntheticGradient: a synthesised estimate of the gradient with respect to z
 */
export const SIGNAL_NAMES = ['pre', 'post', 'weight', 'target', 'error', 'reward', 'syntheticGradient'] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

export type Signals = Readonly<Record<SignalName, Matrix>>;

/** Where one synapse's signals come from: computed on first read, so an undeclared error never costs a backward pass. */
export type SignalSource = Partial<Record<SignalName, () => Matrix>>;

/**
 * A learning rule drives the weights of a graph instead of (or beside) backprop. It declares
 * the signals it reads and receives only those: reading any other one throws.
 */
export interface LearningRule {
  readonly name: string;
  readonly reads: readonly SignalName[];
  /** Writes the weight change ΔW (the weight's shape) into `delta`, from the declared signals only. */
  delta(signals: Signals, delta: Matrix): void;
}

/** A weight and the nodes around it: z = pre · W, post = f(z). */
export interface Synapse {
  readonly name: string;
  readonly weight: Node;
  readonly pre: Node;
  readonly preActivation: Node;
  readonly post: Node;
}

/**
 * The signals object handed to `rule` at `where`: a getter per declared signal, each read once
 * from `source` and kept; every undeclared signal throws a WiringError naming the rule.
 */
export function signalsFor(rule: LearningRule, where: string, source: SignalSource): Signals {
  const declared = new Set<SignalName>(rule.reads);
  const cache = new Map<SignalName, Matrix>();
  const signals = {} as Record<SignalName, Matrix>;
  for (const name of SIGNAL_NAMES) {
    Object.defineProperty(signals, name, {
      enumerable: declared.has(name),
      get(): Matrix {
        if (!declared.has(name)) {
          throw new WiringError(`rule '${rule.name}' read the signal '${name}' at '${where}' but declares only ${rule.reads.join(', ')}`);
        }
        let value = cache.get(name);
        if (value === undefined) {
          const provide = source[name];
          if (!provide) throw new WiringError(`rule '${rule.name}' needs the signal '${name}' but '${where}' does not provide it`);
          value = provide();
          cache.set(name, value);
        }
        return value;
      },
    });
  }
  return Object.freeze(signals);
}

/** The default signals of a synapse on its graph: pre, post, weight (the values as computed now). */
export function synapseSource(s: Synapse): SignalSource {
  const g = s.weight.graph;
  return {
    pre: () => g.forward(s.pre),
    post: () => g.forward(s.post),
    weight: () => s.weight.value,
  };
}

export interface ApplyOptions {
  /** Clip every weight into [−clip, clip] after the change. */
  clip?: number;
}

/**
 * One rule step over `synapses`, all at once: every ΔW is computed from the current state,
 * then all are added (W ← W + ΔW), optionally clipped, and the graph's memoised values are
 * dropped. Returns the ΔW of each synapse (buffers owned by `deltas`, reused across steps).
 */
export function applyRule(
  rule: LearningRule,
  synapses: readonly Synapse[],
  sourceFor: (s: Synapse, index: number) => SignalSource,
  deltas: Matrix[],
  options: ApplyOptions = {},
): Matrix[] {
  synapses.forEach((s, i) => {
    const w = s.weight.value;
    deltas[i] ??= new Matrix(w.rows, w.cols, w.dtype);
    if (deltas[i].rows !== w.rows || deltas[i].cols !== w.cols) {
      throw new ShapeError(`applyRule: the ΔW buffer of '${s.name}' is ${shapeText(deltas[i].shape)}, the weight ${shapeText(w.shape)}`);
    }
    rule.delta(signalsFor(rule, s.name, sourceFor(s, i)), deltas[i]);
  });
  synapses.forEach((s, i) => addInto(s.weight.value, deltas[i], options.clip));
  if (synapses.length > 0) synapses[0].weight.graph.invalidate();
  return deltas.slice(0, synapses.length);
}

/** w ← clip(w + d). */
function addInto(w: Matrix, d: Matrix, clip = Infinity): void {
  const wd = w.data;
  const dd = d.data;
  for (let i = 0; i < wd.length; i++) {
    const v = wd[i] + dd[i];
    wd[i] = v > clip ? clip : v < -clip ? -clip : v;
  }
}
