import { ShapeError, WiringError } from '../errors';
import { graphStorage } from '../backend/auto';
import { activeBackend } from '../backend/select';
import { tsBackend } from '../backend/ts';
import { DType, Matrix } from '../tensor/matrix';
import type { Graph } from './graph';
import { checkFinite } from './graph';
import { checkMatrixFits, Node } from './node';

/**
 * From this many values a gradient sum runs in the addon (measured, 1 thread: float32 256 values
 * 0.22 µs in TypeScript, 0.36 in the addon; 1024 values 1.41 against 0.41).
 */
const NATIVE_SUM_FROM = 512;

/** A gradient buffer the graph owns, in graph storage (aligned for the products that read and write it). */
function graphMatrix(rows: number, cols: number, dtype: DType): Matrix {
  return new Matrix(rows, cols, dtype, graphStorage(dtype, rows * cols));
}

/**
 * The wait lists for one root, derived once from the reachable graph and reused every step.
 * A wait edge is (consumer, input slot), an injection source, or the root's seed. An edge
 * exists only where a gradient will really come: the consumer itself receives one, is not
 * stopped, the slot is differentiable and the input leads to something that takes a gradient.
 * The plan also holds the state of its current pass, reset at the start of each pass, so that
 * a step of a static graph allocates nothing here (only the newest pass may run anyway: nodes
 * share their buffers).
 */
export class BackwardPlan {
  /** Nodes that take part, root first (reverse topological order). */
  readonly active: Node[] = [];
  readonly pos = new Map<Node, number>();
  /** Per active node, per input slot: the edge index, or -1. */
  readonly slotEdge: Int32Array[] = [];
  /**
   * Per active node, per input slot: which of the input's scratch buffers the op writes that
   * slot's gradient into (the rank of the slot among this consumer's slots into the same input).
   */
  readonly slotRank: Int32Array[] = [];
  /** Per active node, per input slot: the buffers handed to the op's backward, chosen at each distribution. */
  readonly slotBuffers: (Matrix | null)[][] = [];
  /** Per active node: 1 when some input slot has an edge, so its op's backward has work to do. */
  readonly passesOn: Uint8Array;
  /** Every injection: the receiving active node, the source name and its edge. */
  readonly injections: { p: number; source: string; edge: number }[] = [];
  /** Number of edges each active node waits for. */
  readonly waitCount: Int32Array;
  /** Per edge: the node it delivers to and its name (`consumer#slot`, an injection source, or `seed`). */
  readonly edgeTarget: number[] = [];
  readonly edgeName: string[] = [];
  readonly seedEdge: number;
  readonly ones: Matrix;

  // the current pass's state
  /** Per active node: edges still to come. */
  readonly pending: Int32Array;
  /** Per edge: 1 once its gradient has arrived. */
  readonly arrived: Uint8Array;
  /** Per active node: 1 once it has passed its sum on. */
  readonly done: Uint8Array;
  /**
   * Active nodes whose wait list is complete, not yet distributed: a stack of `readyCount`
   * entries. A node gets ready at most once per pass, so one slot per active node suffices, and
   * emptying it allocates nothing (an array cut to length 0 gives up its storage).
   */
  readonly ready: Int32Array;
  readyCount = 0;

  constructor(readonly root: Node, forwardOrder: readonly Node[]) {
    const needsGrad = new Set<Node>();
    // an injected node's gradient is observed, so its consumers must send theirs too, or its sum would be partial
    for (const n of forwardOrder) {
      const viaInput = n.inputs.some((i, slot) => needsGrad.has(i) && !n.op.nonDifferentiable?.includes(slot));
      if (n.role === 'param' || (n.role === 'input' && n.requiresGrad) || n.injections.size > 0 || viaInput) needsGrad.add(n);
    }
    // A node takes part when the root is it, something injects into it, or an active consumer sends to it.
    const receives = new Set<Node>([root]);
    for (const n of forwardOrder) if (n.injections.size > 0) receives.add(n);
    const edges: { target: Node; name: string; consumer: Node | null; slot: number }[] = [];
    for (let i = forwardOrder.length - 1; i >= 0; i--) {
      const c = forwardOrder[i];
      if (!receives.has(c) || c.stopped) continue;
      c.inputs.forEach((inp, slot) => {
        if (!needsGrad.has(inp) || c.op.nonDifferentiable?.includes(slot)) return;
        receives.add(inp);
        edges.push({ target: inp, name: `${c.name}#${slot}`, consumer: c, slot });
      });
    }
    for (let i = forwardOrder.length - 1; i >= 0; i--) {
      const n = forwardOrder[i];
      if (!receives.has(n)) continue;
      this.pos.set(n, this.active.length);
      this.active.push(n);
      this.slotEdge.push(new Int32Array(n.inputs.length).fill(-1));
      this.slotRank.push(new Int32Array(n.inputs.length));
      this.slotBuffers.push(n.inputs.map(() => null));
    }
    this.waitCount = new Int32Array(this.active.length);
    this.passesOn = new Uint8Array(this.active.length);
    const addEdge = (target: Node, name: string): number => {
      const t = this.pos.get(target) as number;
      this.waitCount[t]++;
      this.edgeTarget.push(t);
      this.edgeName.push(name);
      return this.edgeTarget.length - 1;
    };
    this.seedEdge = addEdge(root, 'seed');
    // Per input: how many consumers send to it, and the most slots one consumer points at it.
    const consumers = new Map<Node, Set<Node>>();
    const mostSlots = new Map<Node, number>();
    for (const e of edges) {
      const idx = addEdge(e.target, e.name);
      const c = e.consumer as Node;
      const p = this.pos.get(c) as number;
      this.slotEdge[p][e.slot] = idx;
      this.passesOn[p] = 1;
      let rank = 0;
      for (let s = 0; s < e.slot; s++) if (this.slotEdge[p][s] >= 0 && c.inputs[s] === e.target) rank++;
      this.slotRank[p][e.slot] = rank;
      mostSlots.set(e.target, Math.max(mostSlots.get(e.target) ?? 0, rank + 1));
      const seen = consumers.get(e.target) ?? new Set<Node>();
      consumers.set(e.target, seen.add(c));
    }
    // A consumer's gradient for an input is read only by the delivery right after its backward,
    // so all consumers of an input write into the same few scratch buffers of that input, kept
    // across steps and plans: a weight shared by twenty unrolled steps touches two buffers per
    // pass instead of twenty, which keeps the products' operands in cache. As many buffers as one
    // consumer has slots into the input, and one more when several consumers send to it: the
    // first delivery hands its buffer over as the sum (no copy), later ones write into the others.
    for (const [target, most] of mostSlots) {
      const needed = most + ((consumers.get(target) as Set<Node>).size > 1 ? 1 : 0);
      while (target.gradScratch.length < needed) target.gradScratch.push(graphMatrix(target.rows, target.cols, target.value.dtype));
    }
    this.active.forEach((n, p) => {
      for (const source of n.injections.keys()) this.injections.push({ p, source, edge: addEdge(n, source) });
      n.gradBuffer ??= graphMatrix(n.rows, n.cols, n.value.dtype);
    });
    this.ones = new Matrix(root.rows, root.cols, root.value.dtype).fill(1);
    this.pending = new Int32Array(this.active.length);
    this.arrived = new Uint8Array(this.edgeTarget.length);
    this.done = new Uint8Array(this.active.length);
    this.ready = new Int32Array(this.active.length);
  }
}

/**
 * One backward pass over a plan. Every node sums the gradients that arrive on its wait edges
 * and, when the last one has come, passes the sum on exactly once. A gradient on an edge that
 * already delivered, or to a node that already passed its sum on, is a WiringError.
 */
export class BackwardPass {
  /** The graph's pass id when this pass began; nodes share their buffers, so only the newest pass may run. */
  private readonly id: number;

  constructor(private readonly graph: Graph, private readonly plan: BackwardPlan, seed?: Matrix) {
    this.id = graph.passId;
    plan.pending.set(plan.waitCount);
    plan.arrived.fill(0);
    plan.done.fill(0);
    plan.readyCount = 0;
    // every recording node, not only this pass's: a node this pass misses must not show the last pass's gradients
    if (graph.recorders.size > 0) for (const n of graph.recorders) n.received.clear();
    this.deliverEdge(plan.seedEdge, seed ?? plan.ones, false);
    for (const { p, source, edge } of plan.injections) {
      const n = plan.active[p];
      const inj = n.injections.get(source);
      const g = typeof inj === 'function' ? inj(n) : (inj as Matrix);
      checkMatrixFits(n, g, `inject '${source}'`);
      this.deliverEdge(edge, g, false);
    }
  }

  /** Delivers a gradient to `target` on its wait edge `source` (`consumer#slot`, an injection name or `seed`). */
  deliver(target: Node, source: string, gradient: Matrix): void {
    const p = this.plan.pos.get(target);
    if (p === undefined) throw new WiringError(`deliver: ${target.describe()} takes no part in this backward pass`);
    let edge = -1;
    for (let e = 0; e < this.plan.edgeTarget.length; e++) {
      if (this.plan.edgeTarget[e] === p && this.plan.edgeName[e] === source) edge = e;
    }
    if (edge < 0) throw new WiringError(`deliver: ${target.describe()} does not wait for a gradient from '${source}'`);
    checkMatrixFits(target, gradient, `deliver from '${source}'`);
    this.deliverEdge(edge, gradient, false);
  }

  /** Lets every node whose wait list is complete pass its sum on, until none is left. */
  run(): void {
    this.checkCurrent('run');
    const { plan } = this;
    while (plan.readyCount > 0) this.distribute(plan.ready[--plan.readyCount]);
  }

  /** Throws if some node is still waiting: names the node and the edges that never delivered. */
  finish(): void {
    this.checkCurrent('finish');
    const { plan } = this;
    for (let p = 0; p < plan.active.length; p++) {
      if (plan.done[p]) continue;
      const missing = plan.edgeName.filter((_, e) => plan.edgeTarget[e] === p && !plan.arrived[e]);
      throw new WiringError(`backward: ${plan.active[p].describe()} still waits for gradients from ${missing.join(', ')}`);
    }
  }

  private checkCurrent(what: string): void {
    if (this.graph.passId !== this.id) {
      throw new WiringError(`${what}: the backward pass from ${this.plan.root.describe()} is stale: a reset or a newer pass came since it began`);
    }
  }

  /**
   * Adds `g` to the sum of the edge's node. `handOver` says that `g` is one of the node's scratch
   * buffers, just written by a consumer and read by nothing after this delivery: the first such
   * gradient becomes the node's sum as it is, instead of being copied into the node's buffer
   * (later consumers then write into the other scratch buffers).
   * A gradient from outside (seed, injection, `deliver`) is always copied: its owner may reuse it.
   */
  private deliverEdge(edge: number, g: Matrix, handOver: boolean): void {
    this.checkCurrent('deliver'); // also catches a backward of this graph started inside an interceptor
    const { plan } = this;
    const p = plan.edgeTarget[edge];
    const node = plan.active[p];
    if (plan.done[p]) {
      throw new WiringError(`gradient from '${plan.edgeName[edge]}' arrived late: ${node.describe()} already passed its sum on`);
    }
    if (plan.arrived[edge]) {
      throw new WiringError(`gradient from '${plan.edgeName[edge]}' arrived twice at ${node.describe()}`);
    }
    if (g.rows !== node.rows || g.cols !== node.cols) {
      throw new ShapeError(`gradient from '${plan.edgeName[edge]}' is ${g.rows}×${g.cols}, ${node.describe()} needs its own shape`);
    }
    plan.arrived[edge] = 1;
    if (node.gradPass !== this.id) {
      node.gradPass = this.id;
      if (handOver) node.gradSum = g;
      else {
        const own = node.gradBuffer as Matrix;
        own.data.set(g.data);
        node.gradSum = own;
      }
    } else {
      const s = (node.gradSum as Matrix).data;
      // A long sum (a weight shared by every step of an unrolled net) goes to the backend of the
      // large products; s + g has the same bits there, and short sums stay in TypeScript.
      const large = s.length >= NATIVE_SUM_FROM ? activeBackend().axpy : undefined;
      (large ?? tsBackend.axpy)(1, g.data, s);
    }
    if (node.recording) {
      const name = plan.edgeName[edge];
      const copy = node.received.get(name) ?? new Matrix(g.rows, g.cols, g.dtype);
      copy.data.set(g.data);
      node.received.set(name, copy);
    }
    if (--plan.pending[p] === 0) plan.ready[plan.readyCount++] = p;
  }

  private distribute(p: number): void {
    const { plan } = this;
    const node = plan.active[p];
    plan.done[p] = 1;
    let g = node.gradSum as Matrix;
    if (this.graph.checkNumerics) checkFinite(node, g, 'received a gradient of');
    if (node.interceptor) {
      g = node.interceptor(g, node);
      checkMatrixFits(node, g, 'intercept');
    }
    if (node.stopped || !plan.passesOn[p]) return;
    const edges = plan.slotEdge[p];
    const buffers = plan.slotBuffers[p];
    for (let s = 0; s < edges.length; s++) {
      if (edges[s] < 0) continue;
      const input = plan.active[plan.edgeTarget[edges[s]]];
      // the buffer an earlier consumer handed over holds the input's sum: skip it
      const scratch = input.gradScratch;
      const held = input.gradPass === this.id ? scratch.indexOf(input.gradSum as Matrix) : -1;
      const rank = plan.slotRank[p][s];
      buffers[s] = scratch[held >= 0 && held <= rank ? rank + 1 : rank];
    }
    node.op.backward(node.ctx, g, buffers);
    for (let s = 0; s < edges.length; s++) if (edges[s] >= 0) this.deliverEdge(edges[s], buffers[s] as Matrix, true);
  }
}
