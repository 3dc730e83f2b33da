import { elementwiseKernel, ElementwiseKernels } from '../backend/native';
import { UsageError } from '../errors';
import type { Node } from '../graph/node';
import { Matrix } from '../tensor/matrix';
import { Optimizer, OptimizerOptions } from './optimizer';

export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first-moment average (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average (default 0.999). */
  beta2?: number;
  /** Added to √v̂ so that a parameter with tiny gradients does not take huge steps (default 1e-8). */
  eps?: number;
}

/** Below this many values adamUpdateTs beats the call into the addon (measured, 1 thread). */
const NATIVE_ADAM_FROM = 256;

/**
 * m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  θ ← θ − stepSize·m / (√v·unbias2 + ε): the twin of
 * the addon's kernel, which does the same operations in the same order in float64 (the same
 * bits) and computes in float on float32 arrays, where this loop computes in double.
 */
export const adamUpdateTs: ElementwiseKernels['adamUpdate'] = (value, grad, m, v, stepSize, unbias2, beta1, beta2, eps) => {
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let i = 0; i < value.length; i++) {
    const g = grad[i];
    const mi = beta1 * m[i] + keep1 * g;
    const vi = beta2 * v[i] + keep2 * g * g;
    m[i] = mi;
    v[i] = vi;
    value[i] -= (stepSize * mi) / (Math.sqrt(vi) * unbias2 + eps);
  }
};

/**
 * Adam (Kingma & Ba): m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 * θ ← θ − lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ).
 * The bias corrections undo the zero start of m and v. t counts the steps in which this
 * parameter had a gradient, so a parameter that sat some steps out is not over-corrected.
 * The loop runs in the addon from NATIVE_ADAM_FROM values up.
 */
export class Adam extends Optimizer {
  readonly kind = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly m: Matrix[];
  private readonly v: Matrix[];
  private readonly t: Int32Array;

  constructor(params: readonly Node[], options: AdamOptions) {
    super(params, options);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    for (const [name, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new UsageError(`Adam: ${name} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps > 0)) throw new UsageError(`Adam: eps must be > 0, got ${this.eps}`);
    this.m = this.zerosLike();
    this.v = this.zerosLike();
    this.t = new Int32Array(this.params.length);
  }

  protected update(index: number, value: Matrix['data'], grad: Matrix['data'], lr: number): void {
    const t = ++this.t[index];
    const m = this.m[index].data;
    const v = this.v[index].data;
    const { beta1, beta2, eps } = this;
    // √v̂ = √v / √(1 − β2ᵗ): the corrections fold into two scalars, so the loop has one sqrt and one division
    const stepSize = lr / (1 - beta1 ** t);
    const unbias2 = 1 / Math.sqrt(1 - beta2 ** t);
    const native = value.length >= NATIVE_ADAM_FROM ? elementwiseKernel('adamUpdate') : null;
    (native ?? adamUpdateTs)(value, grad, m, v, stepSize, unbias2, beta1, beta2, eps);
  }

  protected buffers(): Record<string, readonly Matrix[]> {
    return { m: this.m, v: this.v };
  }

  protected settings(): Record<string, number | boolean> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }

  protected override counts(): Int32Array {
    return this.t;
  }
}
