import { DtypeError, NumericsError, ShapeError, WiringError } from '../errors';
import { graphStorage } from '../backend/auto';
import { AnyOpKind } from '../ops/op';
import { Ref } from '../ops/ref';
import { Tensor } from '../ops/tensor';
import { DType, Matrix, Shape, shapeText } from '../tensor/matrix';
import { BackwardPass, BackwardPlan } from './backward';
import { checkMatrixFits, Node, Role } from './node';

export interface GraphOptions {
  /** One dtype per graph: float64 for exact gradient checks (default), float32 for throughput. */
  dtype?: DType;
  /** Scan every forward value and summed gradient for NaN/Inf and throw at the first one. */
  checkNumerics?: boolean;
}

/**
 * A static computation graph. Nodes are wired at construction; forward values are memoised
 * until `reset`; `backward` derives the wait lists from the part of the graph reachable from
 * the root and lets every node sum its gradients and pass the sum on exactly once.
 */
export class Graph {
  readonly dtype: DType;
  checkNumerics: boolean;
  readonly nodes: Node[] = [];
  private readonly byName = new Map<string, Node>();
  private readonly kindCounters = new Map<string, number>();
  private readonly inputNodes: Node[] = [];
  private readonly prefixes: string[] = [];
  /** @internal The nodes that record their received gradients; each pass clears their records. */
  readonly recorders = new Set<Node>();
  /** @internal */ epoch = 0;
  /** @internal */ passId = -1;
  private passCounter = 0;
  private readonly forwardOrders = new Map<Node, Node[]>();
  private readonly plans = new Map<Node, BackwardPlan>();

  constructor(options: GraphOptions = {}) {
    const dtype = options.dtype ?? 'float64';
    if (dtype !== 'float32' && dtype !== 'float64') throw new DtypeError(`Graph: dtype must be float32 or float64, got ${String(dtype)}`);
    this.dtype = dtype;
    this.checkNumerics = options.checkNumerics ?? false;
  }

  // ---- building --------------------------------------------------------------------------

  /** A trained parameter; its value (copied in) is kept across reset. */
  param(name: string, value: Matrix): Node {
    return this.leaf('param', name, value);
  }

  /** A fixed value that takes no gradient (for example a constant ½). */
  constant(name: string, value: Matrix): Node {
    return this.leaf('const', name, value);
  }

  /** An input of the given shape, fed per step with `node.feed(matrix)`. */
  input(name: string, rows: number, cols: number, options: { requiresGrad?: boolean } = {}): Node {
    const node = this.make(Tensor, 'input', [], { shape: [rows, cols] }, name);
    node.requiresGrad = options.requiresGrad ?? false;
    this.inputNodes.push(node);
    return node;
  }

  /** A forward reference of the given shape, bound later with `ref.bind(node)` (feedback wiring). */
  ref(name: string, rows: number, cols: number): Node {
    return this.make(Ref, 'op', [], { shape: [rows, cols] }, name);
  }

  /** Wires a node of kind `op` onto `inputs`; the shape rule runs here and throws on a mismatch. */
  apply<A>(op: AnyOpKind, inputs: readonly Node[], attrs: A, name?: string): Node {
    return this.make(op, 'op', inputs, attrs, name);
  }

  /** Prefixes the names of every node made inside `fn` (blocks use it: `lstm.t3.cell`). */
  scope<T>(prefix: string, fn: () => T): T {
    this.prefixes.push(prefix);
    try {
      return fn();
    } finally {
      this.prefixes.pop();
    }
  }

  /** The node with this full name. */
  node(name: string): Node {
    const n = this.byName.get(name);
    if (!n) throw new WiringError(`no node named '${name}' in this graph`);
    return n;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** All parameters, in creation order. */
  parameters(): Node[] {
    return this.nodes.filter((n) => n.role === 'param');
  }

  private leaf(role: Role, name: string, value: Matrix): Node {
    if (!(value instanceof Matrix)) throw new WiringError(`${role} '${name}': value must be a Matrix`);
    if (value.dtype !== this.dtype) {
      throw new DtypeError(`${role} '${name}': the graph is ${this.dtype}, the value is ${value.dtype}; use matrix.to('${this.dtype}')`);
    }
    const node = this.make(Tensor, role, [], { shape: value.shape }, name);
    node.value.data.set(value.data);
    return node;
  }

  private make(op: AnyOpKind, role: Role, inputs: readonly Node[], attrs: unknown, given?: string): Node {
    const name = this.fullName(op.kind, given);
    if (this.byName.has(name)) throw new WiringError(`${op.kind}: a node named '${name}' already exists in this graph`);
    inputs.forEach((inp, slot) => {
      if (!(inp instanceof Node)) throw new WiringError(`${op.kind} '${name}': input ${slot} is not a node`);
      if (inp.graph !== this) {
        throw new WiringError(`${op.kind} '${name}': input ${slot} ${inp.describe()} belongs to another graph`);
      }
    });
    const arityOk = op.arity === 'variadic' ? inputs.length >= 1 : inputs.length === op.arity || op.kind === 'Ref';
    if (!arityOk) {
      throw new WiringError(`${op.kind} '${name}': takes ${op.arity === 'variadic' ? 'one or more' : op.arity} inputs, got ${inputs.length}`);
    }
    const inShapes = inputs.map((n) => n.shape);
    const shape = op.kind === 'Ref' || role !== 'op' ? (attrs as { shape: Shape }).shape : op.shape(inShapes, attrs);
    if (typeof shape === 'string' || !validShape(shape)) {
      const list = inputs.map((n, i) => `input ${i} ${n.describe()}`).join(', ');
      // a leaf's shape is the caller's; an op's comes from its rule
      const why = typeof shape === 'string' ? shape : inputs.length === 0 ? `rows and cols must be positive integers, got ${String(shape[0])}×${String(shape[1])}` : `bad output shape ${String(shape)}`;
      throw new ShapeError(`${op.kind} '${name}': ${why} (${list || 'no inputs'})`);
    }
    const value = new Matrix(shape[0], shape[1], this.dtype, graphStorage(this.dtype, shape[0] * shape[1]));
    const node = new Node(this, this.nodes.length, op, name, role, inputs.slice(), attrs, shape, value);
    this.nodes.push(node);
    this.byName.set(name, node);
    this.changed();
    return node;
  }

  private fullName(kind: string, given?: string): string {
    let local = given;
    if (local === undefined) {
      const n = this.kindCounters.get(kind) ?? 0;
      this.kindCounters.set(kind, n + 1);
      local = `${kind}_${n}`;
    } else if (typeof local !== 'string' || local.length === 0) {
      throw new WiringError(`${kind}: a node name must be a non-empty string`);
    }
    return [...this.prefixes, local].join('.');
  }

  /** @internal */
  bindRef(ref: Node, target: Node): void {
    if (ref.kind !== 'Ref') throw new WiringError(`bind: ${ref.describe()} is not a forward reference (kind Ref)`);
    if (target.graph !== this) throw new WiringError(`bind: ${target.describe()} belongs to another graph`);
    if (ref.inputs.length > 0) throw new WiringError(`bind: ${ref.describe()} is already bound to ${ref.inputs[0].describe()}`);
    const reason = Ref.shape([target.shape], ref.attrs as { shape: Shape });
    if (typeof reason === 'string') throw new ShapeError(`Ref '${ref.name}': ${reason}, the target ${target.describe()} is not`);
    const path = findPath(target, ref);
    if (path) {
      throw new WiringError(`bind: binding ${ref.describe()} to ${target.describe()} would close a cycle: ${[ref, ...path.reverse()].map((n) => n.name).join(' → ')}`);
    }
    ref.rewire([target]);
    this.changed();
  }

  /** @internal The wiring or the ports changed: cached orders and plans are stale. */
  changed(): void {
    this.forwardOrders.clear();
    this.plans.clear();
  }

  // ---- running ---------------------------------------------------------------------------

  /** @internal */
  feedValue(node: Node, m: Matrix | readonly (readonly number[])[]): void {
    const value = m instanceof Matrix ? m : Matrix.from(m, this.dtype);
    checkMatrixFits(node, value, 'feed');
    if (this.checkNumerics) checkFinite(node, value, 'was fed');
    node.value.data.set(value.data);
    this.invalidate();
    node.fedEpoch = this.epoch;
  }

  /** The value of `node`, computing (once until reset) whatever it depends on. */
  forward(node: Node): Matrix {
    this.own(node, 'forward');
    if (node.computedEpoch === this.epoch) return node.value;
    const order = this.forwardOrder(node);
    for (let i = 0; i < order.length; i++) {
      const n = order[i];
      if (n.computedEpoch !== this.epoch) this.compute(n);
    }
    return node.value;
  }

  private compute(n: Node): void {
    if (n.role === 'input' && n.fedEpoch !== this.epoch) {
      throw new WiringError(`forward: input ${n.describe()} was not fed since the last reset`);
    }
    if (n.role === 'op') {
      if (n.kind === 'Ref' && n.inputs.length === 0) throw new WiringError(`forward: ${n.describe()} was never bound`);
      n.op.forward(n.ctx);
    }
    // leaves too: a parameter an update has broken must be named itself, not its first consumer
    if (this.checkNumerics) checkFinite(n, n.value, n.role === 'op' ? 'produced' : 'holds');
    n.computedEpoch = this.epoch;
  }

  /**
   * Backward from `root`: a scalar root starts from gradient 1; a non-scalar root needs `seed`,
   * the gradient of some outer objective with respect to it.
   */
  backward(root: Node, seed?: Matrix): void {
    const pass = this.beginBackward(root, seed);
    pass.run();
    pass.finish();
  }

  /**
   * The same as `backward`, step by step, for rules that deliver gradients themselves:
   * `pass.deliver(...)`, then `pass.run()` and `pass.finish()`.
   */
  beginBackward(root: Node, seed?: Matrix): BackwardPass {
    this.own(root, 'backward');
    if (seed === undefined && (root.rows !== 1 || root.cols !== 1)) {
      throw new ShapeError(`backward: the root ${root.describe()} is not a scalar (1×1); give a seed gradient of shape ${shapeText(root.shape)}`);
    }
    if (seed !== undefined) checkMatrixFits(root, seed, 'backward seed');
    this.forward(root);
    let plan = this.plans.get(root);
    if (!plan) {
      plan = new BackwardPlan(root, this.forwardOrder(root));
      this.plans.set(root, plan);
    }
    this.passId = ++this.passCounter;
    return new BackwardPass(this, plan, seed);
  }

  /** Forgets memoised values, gradients and fed inputs; parameters and constants keep their values. */
  reset(): void {
    this.epoch++;
    this.passId = -1;
  }

  /** Forgets memoised values only: fed inputs stay fed (after parameters changed in place). */
  invalidate(): void {
    const was = this.epoch++;
    for (const n of this.inputNodes) if (n.fedEpoch === was) n.fedEpoch = this.epoch;
  }

  /** Checks the whole graph: every node in this graph, every Ref bound, every shape rule, no cycle. */
  validate(): void {
    for (const n of this.nodes) {
      if (n.kind === 'Ref' && n.inputs.length === 0) throw new WiringError(`validate: ${n.describe()} was never bound`);
      for (const inp of n.inputs) {
        if (inp.graph !== this) throw new WiringError(`validate: ${n.describe()} reads ${inp.describe()} from another graph`);
      }
      if (n.role === 'op' && n.kind !== 'Ref') {
        const s = n.op.shape(n.inputs.map((i) => i.shape), n.attrs);
        if (typeof s === 'string' || s[0] !== n.rows || s[1] !== n.cols) {
          throw new ShapeError(`validate: ${n.describe()} no longer fits its inputs: ${typeof s === 'string' ? s : shapeText(s)}`);
        }
      }
    }
    // one search over all nodes, linear in their number: each call skips what earlier calls ordered
    const ordered = new Set<Node>();
    for (const n of this.nodes) for (const m of topoOrder(n, ordered)) ordered.add(m);
  }

  private own(node: Node, what: string): void {
    if (!(node instanceof Node)) throw new WiringError(`${what}: expected a node`);
    if (node.graph !== this) throw new WiringError(`${what}: ${node.describe()} belongs to another graph`);
  }

  private forwardOrder(node: Node): Node[] {
    let order = this.forwardOrders.get(node);
    if (!order) {
      order = topoOrder(node);
      this.forwardOrders.set(node, order);
    }
    return order;
  }
}

function validShape(s: unknown): s is Shape {
  return Array.isArray(s) && s.length === 2 && s.every((v) => Number.isInteger(v) && v >= 1);
}

/**
 * Ancestors of `root` (itself included), inputs before consumers; a cycle throws and names its
 * nodes. Nodes in `known` (already ordered by the caller) are neither visited nor returned.
 */
export function topoOrder(root: Node, known?: ReadonlySet<Node>): Node[] {
  const order: Node[] = [];
  if (known?.has(root)) return order;
  const state = new Map<Node, 1 | 2>(); // 1: on the current path, 2: done
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  state.set(root, 1);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next < top.node.inputs.length) {
      const child = top.node.inputs[top.next++];
      const s = state.get(child);
      if (s === 1) {
        const cycle = stack.slice(stack.findIndex((f) => f.node === child)).map((f) => f.node.name);
        throw new WiringError(`cycle: ${[...cycle, child.name].join(' → ')}`);
      }
      if (s === undefined && !known?.has(child)) {
        state.set(child, 1);
        stack.push({ node: child, next: 0 });
      }
    } else {
      state.set(top.node, 2);
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

/** A path of inputs from `from` down to `to`, or null. */
function findPath(from: Node, to: Node): Node[] | null {
  const parent = new Map<Node, Node | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift() as Node;
    if (n === to) {
      const path: Node[] = [];
      for (let c: Node | null = n; c; c = parent.get(c) ?? null) path.push(c);
      return path;
    }
    for (const inp of n.inputs) {
      if (!parent.has(inp)) {
        parent.set(inp, n);
        queue.push(inp);
      }
    }
  }
  return null;
}

export function checkFinite(node: Node, m: Matrix, what: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new NumericsError(
        `${node.describe()} ${what} ${d[i]} at index ${i} (row ${Math.floor(i / m.cols)}, col ${i % m.cols})`,
      );
    }
  }
}
