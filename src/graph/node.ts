import { DtypeError, ShapeError, WiringError } from '../errors';
import { AnyOpKind, OpContext } from '../ops/op';
import { Matrix, Shape, shapeText } from '../tensor/matrix';
import type { Graph } from './graph';

/** param: trained, keeps its value across reset. input: fed per step. const: fixed. op: computed. */
export type Role = 'param' | 'input' | 'const' | 'op';

/** Turns the true gradient arriving at a node into the one it passes on (synthetic gradients, BP(λ)). */
export type Interceptor = (trueGradient: Matrix, node: Node) => Matrix;

/** An extra gradient from a named source: a fixed matrix, or a function asked once per backward pass. */
export type Injection = Matrix | ((node: Node) => Matrix);

/**
 * A node of the graph: kind, name, inputs, and after forward its value. Nodes are made by the
 * graph's leaf methods and by the op builders, never with `new` by users.
 */
export class Node {
  readonly graph: Graph;
  readonly id: number;
  readonly op: AnyOpKind;
  readonly name: string;
  readonly role: Role;
  readonly attrs: unknown;
  readonly shape: Shape;
  /** This node's output buffer, owned by the node and reused on every step. */
  readonly value: Matrix;
  /** Inputs in slot order. Only a forward reference (kind Ref) is ever rebound, by `bind`. */
  inputs: Node[];

  private wantsGradient = false;

  // gradient ports
  readonly injections = new Map<string, Injection>();
  interceptor: Interceptor | null = null;
  stopped = false;
  recording = false;
  /** Per-source copies of the gradients received in the last pass, when recording is on. */
  readonly received = new Map<string, Matrix>();

  // engine state; read through the graph, never set by users
  /** @internal */ computedEpoch = -1;
  /** @internal */ fedEpoch = -1;
  /** @internal This node's own sum buffer, for gradients that come from outside the graph (seed, injections). */
  gradBuffer: Matrix | null = null;
  /** @internal Where the sum of the latest pass is: gradBuffer, or the first consumer's gradient handed over. */
  gradSum: Matrix | null = null;
  /** @internal */ gradPass = -1;
  /** @internal The buffers this node's consumers write their gradients for it into, shared by all of them. */
  readonly gradScratch: Matrix[] = [];
  /** @internal */ readonly ctx: OpContext<unknown>;
  private readonly scratchBuffers: Matrix[] = [];
  private readonly inputValues: Matrix[];

  /** @internal */
  constructor(graph: Graph, id: number, op: AnyOpKind, name: string, role: Role, inputs: Node[], attrs: unknown, shape: Shape, value: Matrix) {
    this.graph = graph;
    this.id = id;
    this.op = op;
    this.name = name;
    this.role = role;
    this.inputs = inputs;
    this.inputValues = inputs.map((n) => n.value);
    this.attrs = attrs;
    this.shape = shape;
    this.value = value;
    this.ctx = {
      node: this,
      inputs: this.inputValues,
      out: value,
      attrs,
      scratch: (slot, rows, cols) => this.scratch(slot, rows, cols),
    };
  }

  /** For inputs: may a gradient flow into this input (off by default). */
  get requiresGrad(): boolean {
    return this.wantsGradient;
  }

  /** Changing it changes which wait edges exist, so the cached backward plans are dropped. */
  set requiresGrad(on: boolean) {
    this.wantsGradient = on;
    this.graph.changed();
  }

  get kind(): string {
    return this.op.kind;
  }

  get rows(): number {
    return this.shape[0];
  }

  get cols(): number {
    return this.shape[1];
  }

  /** The gradient summed at this node in the latest backward pass, or null if none reached it. */
  get grad(): Matrix | null {
    return this.gradPass === this.graph.passId && this.gradPass >= 0 ? this.gradSum : null;
  }

  /** Describes the node for error messages: kind, name and shape. */
  describe(): string {
    return `${this.kind} '${this.name}' [${shapeText(this.shape)}]`;
  }

  /** Sets the value of an input for this step (shape and dtype checked; the data is copied). */
  feed(m: Matrix | readonly (readonly number[])[]): this {
    if (this.role !== 'input') throw new WiringError(`feed: ${this.describe()} is a ${this.role}, only inputs are fed`);
    this.graph.feedValue(this, m);
    return this;
  }

  /** Overwrites the value of a parameter or constant in place (shape and dtype checked). */
  assign(m: Matrix): this {
    if (this.role !== 'param' && this.role !== 'const') {
      throw new WiringError(`assign: ${this.describe()} is a${this.role === 'input' ? 'n input; use feed' : 'n op output'}`);
    }
    checkMatrixFits(this, m, 'assign');
    this.value.data.set(m.data);
    this.graph.invalidate();
    return this;
  }

  /** Adds an extra gradient from the named source on every backward pass that reaches this graph. */
  inject(source: string, gradient: Injection): this {
    // sources share one namespace with the wait edges: `consumer#slot` and the root's `seed`
    if (typeof source !== 'string' || source === '' || source === 'seed' || source.includes('#')) {
      throw new WiringError(`inject: ${this.describe()} cannot take a source named '${String(source)}' ('seed' and names with '#' mark the engine's own edges)`);
    }
    if (gradient instanceof Matrix) checkMatrixFits(this, gradient, `inject '${source}'`);
    this.injections.set(source, gradient);
    this.graph.changed();
    return this;
  }

  removeInjection(source: string): this {
    this.injections.delete(source);
    this.graph.changed();
    return this;
  }

  /** The gradient summed here goes through `fn` before it is passed on; null removes it. */
  intercept(fn: Interceptor | null): this {
    this.interceptor = fn;
    return this;
  }

  /** This node still receives its gradient but passes nothing to its inputs. */
  stopGradient(on = true): this {
    this.stopped = on;
    this.graph.changed();
    return this;
  }

  /** Keep a copy of each gradient this node receives, per consumer slot (`consumer#slot`) or source. */
  recordGradients(on = true): this {
    this.recording = on;
    if (on) this.graph.recorders.add(this);
    else {
      this.graph.recorders.delete(this);
      this.received.clear();
    }
    return this;
  }

  /** Binds a forward reference (kind Ref) to the node it stands for; a cycle is refused. */
  bind(target: Node): this {
    this.graph.bindRef(this, target);
    return this;
  }

  /** @internal Rewires the inputs of a forward reference; only the graph calls this. */
  rewire(inputs: Node[]): void {
    this.inputs = inputs;
    this.inputValues.splice(0, this.inputValues.length, ...inputs.map((n) => n.value));
  }

  private scratch(slot: number, rows: number, cols: number): Matrix {
    const have = this.scratchBuffers[slot];
    if (have && have.rows === rows && have.cols === cols) return have;
    const m = new Matrix(rows, cols, this.value.dtype);
    this.scratchBuffers[slot] = m;
    return m;
  }
}

export function checkMatrixFits(node: Node, m: Matrix, what: string): void {
  if (!(m instanceof Matrix)) throw new WiringError(`${what}: ${node.describe()} needs a Matrix`);
  if (m.dtype !== node.value.dtype) {
    throw new DtypeError(`${what}: ${node.describe()} is ${node.value.dtype}, the matrix is ${m.dtype}`);
  }
  if (m.rows !== node.rows || m.cols !== node.cols) {
    throw new ShapeError(`${what}: ${node.describe()} needs ${shapeText(node.shape)}, the matrix is ${shapeText(m.shape)}`);
  }
}
