import { UsageError } from '../errors';
import { Graph } from '../graph/graph';
import { Node } from '../graph/node';
import { Add } from '../ops/add';
import { AnyOpKind, OpTestCase } from '../ops/op';
import { registry } from '../ops/registry';
import { Sum } from '../ops/sum';
import { DType, Matrix, Shape } from '../tensor/matrix';
import { Rng } from '../tensor/rng';

export interface RandomGraphOptions {
  /** Number of op nodes to wire (default 3 to 12). */
  ops?: number;
  /** Kinds to draw from (default: every registry kind with test metadata). */
  kinds?: readonly AnyOpKind[];
  /** Gradient ports: injections on some nodes and an occasional stop-gradient (default true). */
  ports?: boolean;
  /** Interceptors that scale the gradient passing through by a constant (default false: no objective describes them). */
  intercepts?: boolean;
  /** Largest |value| a node may hold to be read by a later op (default 4): keeps finite differences accurate. */
  bound?: number;
  dtype?: DType;
}

export interface RandomGraph {
  graph: Graph;
  /** The scalar root: the sum of every sink that was chosen to lead to it. */
  root: Node;
  params: Node[];
  /** Inputs, fed already; some with requiresGrad. */
  inputs: Node[];
  /** Every op node wired, including dangling ones that do not lead to the root. */
  ops: Node[];
  /** Nodes that carry an injected gradient (source names `inject.<n>`). */
  injected: Node[];
  stopped: Node[];
  intercepted: Node[];
}

/**
 * A randomly wired graph for property tests, the same for the same seed. It draws kinds from
 * the registry, sampling each kind's own test case and reading existing nodes of the sampled
 * shapes wherever their values suit the kind, so nodes fan out, leaves are shared, `Mul(x, x)`
 * and Ref occur, and some consumers dangle (never reach the root). With ports on, some nodes
 * get an injected gradient (a matrix or a function) and a few stop the gradient; with intercepts
 * on, some scale the gradient they pass on.
 */
export function randomGraph(seed: Rng | number, options: RandomGraphOptions = {}): RandomGraph {
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  const dtype = options.dtype ?? 'float64';
  const bound = options.bound ?? 4;
  const kinds = (options.kinds ?? registry).filter((k) => k.test !== undefined);
  if (kinds.length === 0) throw new UsageError('randomGraph: none of the given kinds has test metadata (a `test.sample`) to wire it by');
  const graph = new Graph({ dtype });
  const params: Node[] = [];
  const inputs: Node[] = [];
  const ops: Node[] = [];
  const injected: Node[] = [];
  const stopped: Node[] = [];
  const intercepted: Node[] = [];
  /** Nodes a later op may read: leaves, and ops whose values stay within ±bound. */
  const pool: Node[] = [];

  const fill = (shape: Shape, lo: number, hi: number): Matrix => {
    const m = new Matrix(shape[0], shape[1], dtype);
    for (let i = 0; i < m.size; i++) m.data[i] = rng.uniform(lo, hi);
    return m;
  };
  const leaf = (value: Matrix, trainable: boolean): Node => {
    const r = rng.next();
    if (!trainable || r < 0.1) return graph.constant(`c${graph.nodes.length}`, value);
    if (r < 0.25) {
      const x = graph.input(`x${graph.nodes.length}`, value.rows, value.cols, { requiresGrad: true });
      x.feed(value);
      inputs.push(x);
      return x;
    }
    const p = graph.param(`p${graph.nodes.length}`, value);
    params.push(p);
    return p;
  };
  const fits = (n: Node, lo: number, hi: number): boolean => {
    const v = graph.forward(n).data;
    for (let i = 0; i < v.length; i++) if (!(v[i] >= lo && v[i] <= hi)) return false;
    return true;
  };
  /** Existing nodes that may feed slot `slot` of a case: the sampled shape, values in range. */
  const candidates = (kind: AnyOpKind, c: OpTestCase<unknown>, values: Matrix[] | undefined, slot: number): Node[] => {
    const [lo, hi] = range(kind, values?.[slot], bound);
    return pool.filter((n) => n.rows === c.shapes[slot][0] && n.cols === c.shapes[slot][1] && fits(n, lo, hi));
  };

  for (let k = 1 + rng.int(3); k > 0; k--) leaf(fill([1 + rng.int(3), 1 + rng.int(3)], -2, 2), true);
  pool.push(...graph.nodes);
  const count = options.ops ?? 3 + rng.int(10);
  while (ops.length < count) {
    if (rng.next() < 0.08) {
      const target = pool[rng.int(pool.length)];
      const ref = graph.ref(`ref${graph.nodes.length}`, target.rows, target.cols).bind(target);
      ops.push(ref);
      pool.push(ref);
      continue;
    }
    const kind = kinds[rng.int(kinds.length)];
    // of a few sampled cases, keep the one whose slots existing nodes can fill best
    let best: { c: OpTestCase<unknown>; values?: Matrix[]; slots: Node[][]; score: number } | null = null;
    for (let attempt = 0; attempt < 6; attempt++) {
      const c = kind.test!.sample(rng) as OpTestCase<unknown>;
      const values = c.values?.(rng).map((m) => (m.dtype === dtype ? m : m.to(dtype)));
      const slots = c.shapes.map((_, s) => (kind.nonDifferentiable?.includes(s) ? [] : candidates(kind, c, values, s)));
      const score = slots.filter((s) => s.length > 0).length;
      if (!best || score > best.score) best = { c, values, slots, score };
    }
    const { c, values, slots } = best!;
    const wired: Node[] = [];
    c.shapes.forEach((shape, s) => {
      const twin = wired.find((n) => slots[s].includes(n));
      if (twin && rng.next() < 0.3) wired.push(twin); // Mul(x, x) and its kin
      else if (slots[s].length > 0 && rng.next() < 0.85) wired.push(pickRecent(rng, slots[s]));
      else {
        const [lo, hi] = kind.test!.domain ?? [-2, 2];
        wired.push(leaf(values?.[s] ?? fill(shape, lo, hi), !kind.nonDifferentiable?.includes(s)));
      }
    });
    const node = graph.apply(kind, wired, c.attrs);
    ops.push(node);
    if (fits(node, -bound, bound)) pool.push(node);
  }

  // the root sums some of the sinks; the other sinks dangle
  const consumed = new Set(ops.flatMap((n) => n.inputs));
  const sinks = ops.filter((n) => !consumed.has(n) && fits(n, -bound, bound));
  const chosen = sinks.filter((_, i) => i === sinks.length - 1 || rng.next() < 0.7);
  if (chosen.length === 0) chosen.push(pool[pool.length - 1]);
  const terms = chosen.map((n) => (n.rows === 1 && n.cols === 1 ? n : graph.apply(Sum, [n], { axis: 'all' })));
  let root = terms[0];
  for (const t of terms.slice(1)) root = graph.apply(Add, [root, t], {});

  if (options.ports ?? true) {
    for (const n of ops) {
      const r = rng.next();
      if (r < 0.15) {
        const m = fill(n.shape, -1, 1);
        n.inject(`inject.${n.name}`, rng.next() < 0.5 ? m : () => m);
        injected.push(n);
      } else if (r < 0.22) {
        n.stopGradient();
        stopped.push(n);
      }
    }
  }
  graph.forward(root);
  if (options.intercepts) {
    for (const n of ops) {
      if (rng.next() >= 0.15) continue;
      const c = rng.uniform(-2, 2);
      const out = new Matrix(n.rows, n.cols, dtype);
      n.intercept((g) => {
        for (let i = 0; i < out.size; i++) out.data[i] = c * g.data[i];
        return out;
      });
      intercepted.push(n);
    }
  }
  return { graph, root, params, inputs, ops, injected, stopped, intercepted };
}

/** Values a kind accepts in one slot: the range of its own sampled values, its domain, or ±bound. */
function range(kind: AnyOpKind, sampled: Matrix | undefined, bound: number): readonly [number, number] {
  if (sampled) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of sampled.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo, hi];
  }
  return kind.test?.domain ?? [-bound, bound];
}

/** One of `nodes`, favouring the most recent so that graphs grow deep as well as wide. */
function pickRecent(rng: Rng, nodes: readonly Node[]): Node {
  const u = rng.next();
  return nodes[Math.min(nodes.length - 1, Math.floor(nodes.length * Math.sqrt(u)))];
}
