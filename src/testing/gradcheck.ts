import { DtypeError, ShapeError } from '../errors';
import { topoOrder } from '../graph/graph';
import { Node } from '../graph/node';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

export interface GradcheckOptions {
  /** Nodes to check; default: every parameter and every input with requiresGrad that the root reads. */
  wrt?: readonly Node[];
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Pass when |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-7 and 1e-6). */
  atol?: number;
  rtol?: number;
}

export interface NodeCheck {
  node: Node;
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** Flat index of the worst element, with its analytic and numeric values. */
  worstIndex: number;
  analytic: number;
  numeric: number;
}

/** The op whose backward rule is wrong: it passes a wrong gradient to input `slot`. */
export interface Culprit {
  node: Node;
  slot: number;
  input: Node;
  maxAbsError: number;
  maxRelError: number;
}

export interface GradcheckReport {
  ok: boolean;
  checks: NodeCheck[];
  culprit: Culprit | null;
  /** One paragraph for a person: what failed, where, by how much. */
  message: string;
}

/**
 * Compares backward's gradients of a scalar root with central differences, in float64.
 * On a failure it walks the graph from the root down and names the first node kind whose
 * backward rule passes a wrong gradient, checking that op alone against its own forward.
 */
export function gradcheck(root: Node, options: GradcheckOptions = {}): GradcheckReport {
  const graph = root.graph;
  if (graph.dtype !== 'float64') {
    throw new DtypeError(`gradcheck: gradient checks run in float64; the graph of ${root.describe()} is ${graph.dtype}`);
  }
  if (root.rows !== 1 || root.cols !== 1) throw new ShapeError(`gradcheck: the root ${root.describe()} must be a scalar (1×1)`);
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-7;
  const rtol = options.rtol ?? 1e-6;
  const order = topoOrder(root);
  const wrt = options.wrt ?? order.filter((n) => n.role === 'param' || (n.role === 'input' && n.requiresGrad));

  const analyticOf = (nodes: readonly Node[]): Map<Node, Matrix> => {
    graph.invalidate();
    graph.backward(root);
    const out = new Map<Node, Matrix>();
    for (const n of nodes) out.set(n, n.grad ? n.grad.clone() : new Matrix(n.rows, n.cols));
    return out;
  };
  const compare = (node: Node, analytic: Matrix, numeric: Matrix): NodeCheck => {
    let worst = 0;
    let check: NodeCheck = { node, ok: true, maxAbsError: 0, maxRelError: 0, worstIndex: -1, analytic: NaN, numeric: NaN };
    for (let i = 0; i < numeric.size; i++) {
      const a = analytic.data[i];
      const nu = numeric.data[i];
      const abs = Math.abs(a - nu);
      const rel = abs / Math.max(Math.abs(nu), 1e-300);
      const excess = abs / (atol + rtol * Math.abs(nu));
      check.maxAbsError = Math.max(check.maxAbsError, abs);
      check.maxRelError = Math.max(check.maxRelError, Math.abs(nu) > atol ? rel : 0);
      if (!(excess <= 1)) check.ok = false;
      if (!(excess <= worst) || check.worstIndex < 0) {
        worst = Number.isNaN(excess) ? Infinity : excess;
        check = { ...check, worstIndex: i, analytic: a, numeric: nu };
      }
    }
    return check;
  };

  const analytic = analyticOf(wrt);
  const checks = wrt.map((n) => compare(n, analytic.get(n) as Matrix, numericGradient(root, n, eps)));
  const ok = checks.every((c) => c.ok);
  let culprit: Culprit | null = null;
  if (!ok) culprit = localise(root, order, eps, atol, rtol, compare);
  graph.invalidate();
  return { ok, checks, culprit, message: describeReport(ok, checks, culprit) };
}

/** d root / d node by central differences, perturbing node's value while the rest is recomputed. */
export function numericGradient(root: Node, node: Node, eps = 1e-6): Matrix {
  const graph = root.graph;
  const out = new Matrix(node.rows, node.cols);
  const v = node.value.data;
  const evalAt = (i: number, x: number): number => {
    graph.invalidate();
    if (node.role === 'op') graph.forward(node); // node's own value is memoised, then overridden below
    v[i] = x;
    return graph.forward(root).data[0];
  };
  for (let i = 0; i < v.length; i++) {
    const x0 = v[i];
    const fp = evalAt(i, x0 + eps);
    const fm = evalAt(i, x0 - eps);
    v[i] = x0;
    out.data[i] = (fp - fm) / (2 * eps);
  }
  graph.invalidate();
  graph.forward(root);
  return out;
}

/**
 * Walks the ops from the root down. The first node whose summed gradient is wrong while every
 * consumer's is right was handed a wrong gradient by one of those consumers: each consumer's
 * backward is then checked on its own, as a vector–Jacobian product against its own forward.
 */
function localise(
  root: Node, order: readonly Node[], eps: number, atol: number, rtol: number,
  compare: (n: Node, a: Matrix, nu: Matrix) => NodeCheck,
): Culprit | null {
  const graph = root.graph;
  const reversed = [...order].reverse();
  const recordingBefore = new Set(order.filter((n) => n.recording));
  // the root's inputs too: the root itself may be the broken op (a loss kind)
  for (const n of order) for (const x of n.inputs) x.recordGradients(true);
  graph.invalidate();
  graph.backward(root);
  try {
    for (const c of reversed) {
      const gc = c.grad;
      if (!gc || c.stopped || c.interceptor) continue;
      for (const x of new Set(c.inputs)) {
        const slots = c.inputs.map((inp, s) => (inp === x ? s : -1)).filter((s) => s >= 0);
        const sent = slots.map((s) => x.received.get(`${c.name}#${s}`)).filter((m): m is Matrix => m !== undefined);
        if (sent.length === 0) continue;
        const analytic = sent[0].clone();
        for (const m of sent.slice(1)) for (let i = 0; i < m.size; i++) analytic.data[i] += m.data[i];
        const numeric = localVjp(c, x, gc, eps);
        const check = compare(x, analytic, numeric);
        if (!check.ok) return { node: c, slot: slots[0], input: x, maxAbsError: check.maxAbsError, maxRelError: check.maxRelError };
      }
    }
    return null;
  } finally {
    for (const n of order) n.recordGradients(recordingBefore.has(n));
    graph.invalidate();
  }
}

/** Σ_j g_j ∂c_j/∂x_i by central differences through c's own forward only. */
function localVjp(c: Node, x: Node, g: Matrix, eps: number): Matrix {
  const out = new Matrix(x.rows, x.cols);
  const v = x.value.data;
  const y = c.value.data;
  const gy = g.clone();
  const run = (): number => {
    c.op.forward(c.ctx);
    let s = 0;
    for (let j = 0; j < y.length; j++) s += gy.data[j] * y[j];
    return s;
  };
  for (let i = 0; i < v.length; i++) {
    const x0 = v[i];
    v[i] = x0 + eps;
    const fp = run();
    v[i] = x0 - eps;
    const fm = run();
    v[i] = x0;
    out.data[i] = (fp - fm) / (2 * eps);
  }
  c.op.forward(c.ctx);
  return out;
}

function describeReport(ok: boolean, checks: NodeCheck[], culprit: Culprit | null): string {
  if (ok) return `gradients correct for ${checks.length} node(s)`;
  const lines = checks
    .filter((c) => !c.ok)
    .map((c) => `${c.node.describe()}: max abs error ${c.maxAbsError.toExponential(3)}, max rel error ${c.maxRelError.toExponential(3)} (element ${c.worstIndex}: analytic ${c.analytic}, numeric ${c.numeric})`);
  const head = culprit
    ? `first failing node: ${culprit.node.kind} '${culprit.node.name}' passes a wrong gradient to input ${culprit.slot} (${culprit.input.describe()}): max abs error ${culprit.maxAbsError.toExponential(3)}, max rel error ${culprit.maxRelError.toExponential(3)}`
    : 'no single node kind could be blamed (check interceptors, injections and stop-gradients)';
  return `${head}\n${lines.join('\n')}`;
}

export interface DirectionalCheck {
  ok: boolean;
  analytic: number;
  numeric: number;
  relError: number;
}

/**
 * For large shapes: compares ⟨∇f, d⟩ with (f(θ + εd) − f(θ − εd)) / 2ε along one random
 * direction d over all `wrt` nodes — two forward passes instead of two per element.
 */
export function gradcheckDirectional(root: Node, rng: Rng, options: GradcheckOptions & { tolerance?: number } = {}): DirectionalCheck {
  const graph = root.graph;
  if (graph.dtype !== 'float64') throw new DtypeError(`gradcheckDirectional: runs in float64; the graph is ${graph.dtype}`);
  if (root.rows !== 1 || root.cols !== 1) throw new ShapeError(`gradcheckDirectional: the root ${root.describe()} must be a scalar (1×1)`);
  const eps = options.eps ?? 1e-5;
  const wrt = options.wrt ?? topoOrder(root).filter((n) => n.role === 'param' || (n.role === 'input' && n.requiresGrad));
  graph.invalidate();
  graph.backward(root);
  const dirs = wrt.map((n) => {
    const d = new Matrix(n.rows, n.cols);
    for (let i = 0; i < d.size; i++) d.data[i] = rng.normal();
    return d;
  });
  let analytic = 0;
  wrt.forEach((n, k) => {
    const g = n.grad;
    if (g) for (let i = 0; i < g.size; i++) analytic += g.data[i] * dirs[k].data[i];
  });
  // θ ± εd from saved copies: stepping back by −2εd and +εd would not restore θ bit for bit
  const saved = wrt.map((n) => n.value.data.slice());
  const evalAt = (s: number): number => {
    wrt.forEach((n, k) => {
      for (let i = 0; i < n.value.size; i++) n.value.data[i] = saved[k][i] + s * dirs[k].data[i];
    });
    graph.invalidate();
    return graph.forward(root).data[0];
  };
  const fp = evalAt(eps);
  const fm = evalAt(-eps);
  wrt.forEach((n, k) => n.value.data.set(saved[k]));
  graph.invalidate();
  const numeric = (fp - fm) / (2 * eps);
  const relError = Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-12);
  return { ok: relError <= (options.tolerance ?? 1e-5), analytic, numeric, relError };
}
