import { ShapeError, WiringError } from '../errors';
import { checkMatrixFits, Node } from '../graph/node';
import { Matrix } from '../tensor/matrix';

/**
 * An independent reverse mode, kept deliberately naive so that it can judge the engine: a
 * depth-first topological sort of everything the root reads, then one reverse sweep that
 * adds each node's contributions into a Map of Float64Arrays, calling every op's backward
 * rule with fresh buffers. It shares nothing with the engine's wait lists or BackwardPlan;
 * only the op rules are common, and those are verified on their own by finite differences.
 *
 * The gradient ports are honoured as the engine documents them: every injection (a function
 * injection is called once) adds to its node, an interceptor rewrites the summed gradient
 * before it is passed on, a stopped node keeps its gradient and passes nothing.
 */
export function referenceBackward(root: Node, seed?: Matrix): Map<Node, Float64Array> {
  if (seed === undefined && (root.rows !== 1 || root.cols !== 1)) {
    throw new ShapeError(`referenceBackward: the root ${root.describe()} is not a scalar (1×1); give a seed`);
  }
  if (seed !== undefined) checkMatrixFits(root, seed, 'referenceBackward seed');
  root.graph.forward(root);
  const order = referenceOrder(root);
  const grads = new Map<Node, Float64Array>();
  const addInto = (node: Node, g: Matrix): void => {
    checkMatrixFits(node, g, 'referenceBackward');
    const sum = grads.get(node) ?? new Float64Array(node.rows * node.cols);
    for (let i = 0; i < sum.length; i++) sum[i] += g.data[i];
    grads.set(node, sum);
  };
  addInto(root, seed ?? new Matrix(root.rows, root.cols, root.value.dtype).fill(1));
  for (const n of order) {
    for (const inj of n.injections.values()) addInto(n, typeof inj === 'function' ? inj(n) : inj);
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    const sum = grads.get(n);
    if (sum === undefined || n.stopped || n.inputs.length === 0) continue;
    let g = new Matrix(n.rows, n.cols, n.value.dtype);
    g.data.set(sum);
    if (n.interceptor) g = n.interceptor(g, n);
    const buffers = n.inputs.map((x, slot) =>
      n.op.nonDifferentiable?.includes(slot) ? null : new Matrix(x.rows, x.cols, x.value.dtype),
    );
    n.op.backward(n.ctx, g, buffers);
    n.inputs.forEach((x, slot) => {
      const b = buffers[slot];
      if (b) addInto(x, b);
    });
  }
  return grads;
}

/**
 * Every node `root` reads, itself included, inputs before consumers: a depth-first search with
 * an explicit stack, so that long unrolled graphs do not exhaust the call stack.
 */
export function referenceOrder(root: Node): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 'open' | 'done'>([[root, 'open']]);
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [n, next] = top;
    if (next === n.inputs.length) {
      state.set(n, 'done');
      order.push(n);
      stack.pop();
      continue;
    }
    top[1]++;
    const x = n.inputs[next];
    if (state.get(x) === 'open') throw new WiringError(`referenceOrder: cycle through ${x.describe()}`);
    if (state.get(x) === undefined) {
      state.set(x, 'open');
      stack.push([x, 0]);
    }
  }
  return order;
}

/**
 * The nodes `root` reads whose gradient someone wants: parameters, inputs with requiresGrad,
 * nodes with an injection (their summed gradient is observed), and every node through which a
 * gradient reaches one of those.
 */
export function needingGradient(root: Node): Set<Node> {
  const wants = new Set<Node>();
  for (const n of referenceOrder(root)) {
    const wanted = n.role === 'param' || (n.role === 'input' && n.requiresGrad) || n.injections.size > 0;
    if (wanted || n.inputs.some((x, slot) => wants.has(x) && !n.op.nonDifferentiable?.includes(slot))) wants.add(n);
  }
  return wants;
}

/**
 * d objective / d node by central differences, where the objective is the scalar whose plain
 * gradient the engine's backward computes once ports are set: ⟨seed, root⟩ + Σ ⟨injection, n⟩
 * over every injection, with the value of every stopped node held where it is now (a stopped
 * node passes nothing back, so for its consumers it is a constant). `node` must be a leaf.
 */
export function portedNumericGradient(root: Node, node: Node, options: { seed?: Matrix; eps?: number } = {}): Matrix {
  if (node.inputs.length > 0 || node.kind === 'Ref') throw new WiringError(`portedNumericGradient: ${node.describe()} is not a leaf`);
  const graph = root.graph;
  const eps = options.eps ?? 1e-6;
  const order = referenceOrder(root);
  if (!order.includes(node)) throw new WiringError(`portedNumericGradient: ${root.describe()} does not read ${node.describe()}`);
  const intercepted = order.find((n) => n.interceptor !== null);
  if (intercepted) throw new WiringError(`portedNumericGradient: ${intercepted.describe()} has an interceptor, which no objective describes`);
  graph.invalidate();
  graph.forward(root);
  const frozen = order.filter((n) => n.stopped && n.inputs.length > 0).map((n) => ({ n, value: n.value.clone() }));
  const terms = order.flatMap((n) =>
    [...n.injections.values()].map((inj) => ({ n, weight: (typeof inj === 'function' ? inj(n) : inj).clone() })),
  );
  terms.push({ n: root, weight: options.seed ?? new Matrix(root.rows, root.cols, root.value.dtype).fill(1) });
  const objective = (): number => {
    graph.invalidate();
    for (const { n, value } of frozen) {
      graph.forward(n);
      n.value.data.set(value.data); // memoised until the next invalidate, so consumers read the frozen value
    }
    let s = 0;
    for (const { n, weight } of terms) {
      const v = graph.forward(n).data;
      for (let i = 0; i < v.length; i++) s += weight.data[i] * v[i];
    }
    return s;
  };
  const out = new Matrix(node.rows, node.cols);
  const v = node.value.data;
  for (let i = 0; i < v.length; i++) {
    const x0 = v[i];
    v[i] = x0 + eps;
    const fp = objective();
    v[i] = x0 - eps;
    const fm = objective();
    v[i] = x0;
    out.data[i] = (fp - fm) / (2 * eps);
  }
  graph.invalidate();
  graph.forward(root);
  return out;
}

export interface ReferenceMismatch {
  node: Node;
  /** Flat element index, or -1 when one side has a gradient and the other none. */
  index: number;
  engine: number | null;
  reference: number | null;
}

export interface ReferenceComparison {
  ok: boolean;
  /** Nodes compared: every node the engine gave a gradient, and every trainable node the root reads. */
  compared: number;
  mismatch: ReferenceMismatch | null;
  message: string;
}

/**
 * Runs the engine's backward and the reference on the same root and compares, per element,
 * |engine − reference| ≤ rtol·max(1, |reference|). Every node the engine gave a gradient must
 * match; a trainable node (parameter, input with requiresGrad) must have a gradient on both
 * sides or on neither.
 */
export function compareWithReference(root: Node, options: { seed?: Matrix; rtol?: number } = {}): ReferenceComparison {
  const rtol = options.rtol ?? 1e-12;
  root.graph.backward(root, options.seed);
  const reference = referenceBackward(root, options.seed);
  let compared = 0;
  const fail = (m: ReferenceMismatch): ReferenceComparison => ({
    ok: false,
    compared,
    mismatch: m,
    message:
      m.index < 0
        ? `${m.node.describe()}: the engine has ${m.engine === null ? 'no gradient' : 'a gradient'}, the reference ${m.reference === null ? 'none' : 'one'}`
        : `${m.node.describe()} element ${m.index}: engine ${m.engine}, reference ${m.reference}`,
  });
  for (const n of referenceOrder(root)) {
    const eg = n.grad;
    const rg = reference.get(n);
    const trainable = n.role === 'param' || (n.role === 'input' && n.requiresGrad);
    if (eg === null) {
      if (trainable && rg !== undefined) return fail({ node: n, index: -1, engine: null, reference: rg[0] });
      continue;
    }
    compared++;
    if (rg === undefined) return fail({ node: n, index: -1, engine: eg.data[0], reference: null });
    for (let i = 0; i < rg.length; i++) {
      if (!(Math.abs(eg.data[i] - rg[i]) <= rtol * Math.max(1, Math.abs(rg[i])))) {
        return fail({ node: n, index: i, engine: eg.data[i], reference: rg[i] });
      }
    }
  }
  return { ok: true, compared, mismatch: null, message: `engine and reference agree on ${compared} node(s)` };
}
