// Builds random cases of a node kind from its test metadata (shared by the tests/ops.*.test.ts files).
import { AnyOpKind, DType, Graph, init, Matrix, Node, registry, Rng } from '../src';

/** Every kind with test metadata (all but the leaves Tensor and Ref). */
export const testedKinds = registry.filter((k) => k.test !== undefined);

/** Base seed; WIREGRAD_SEED=n reruns the random cases with another one. */
const baseSeed = Number(process.env.WIREGRAD_SEED ?? 20261127);

/** A seed per kind and case, independent of the kind's position in the registry. */
export function caseSeed(kind: AnyOpKind, index: number): number {
  let h = 2166136261;
  for (const ch of kind.kind) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return (h ^ (baseSeed + index * 7919)) >>> 0;
}

export interface SampledCase {
  attrs: unknown;
  values: Matrix[];
}

/** A random valid case of `kind`: its attributes and float64 input values. */
export function sampleCase(kind: AnyOpKind, rng: Rng): SampledCase {
  const test = kind.test!;
  const c = test.sample(rng);
  const [lo, hi] = test.domain ?? [-2, 2];
  const values = c.values ? c.values(rng) : c.shapes.map(([r, k]) => init.uniform(rng, r, k, lo, hi));
  return { attrs: c.attrs, values };
}

export function isDifferentiable(kind: AnyOpKind, slot: number): boolean {
  return !(kind.nonDifferentiable ?? []).includes(slot);
}

export interface BuiltCase {
  graph: Graph;
  /** One leaf per input slot: a parameter where the slot takes a gradient, a constant where it does not. */
  inputs: Node[];
  node: Node;
}

export function buildCase(kind: AnyOpKind, c: SampledCase, dtype: DType = 'float64'): BuiltCase {
  const graph = new Graph({ dtype });
  const inputs = c.values.map((v, slot) =>
    isDifferentiable(kind, slot) ? graph.param(`x${slot}`, v.to(dtype)) : graph.constant(`x${slot}`, v.to(dtype)),
  );
  const node = graph.apply(kind, inputs, c.attrs, 'op');
  return { graph, inputs, node };
}

/** The gradients of the differentiable inputs after the last backward pass, copied. */
export function inputGrads(kind: AnyOpKind, built: BuiltCase): Matrix[] {
  return built.inputs.filter((_, slot) => isDifferentiable(kind, slot)).map((x) => (x.grad as Matrix).clone());
}

export function randomLike(rng: Rng, m: Matrix): Matrix {
  return init.normal(rng, m.rows, m.cols, 0, 1, m.dtype);
}
