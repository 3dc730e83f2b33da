import { init, Interceptor, Matrix, Node, registry, Rng } from '../src';
import { randomGraph, RandomGraph } from '../src/testing/random-graph';
import { compareWithReference, needingGradient, portedNumericGradient, referenceBackward, referenceOrder } from '../src/testing/reference';

const GRAPHS = 200;
const FD_GRAPHS = 50;

/** Every op's backward, spied on so that each call is counted per node. */
const spies = registry.map((k) => jest.spyOn(k, 'backward'));
afterAll(() => spies.forEach((s) => s.mockRestore()));

function backwardCallsPerNode(): Map<Node, number> {
  const calls = new Map<Node, number>();
  for (const s of spies) for (const [ctx] of s.mock.calls) calls.set(ctx.node, (calls.get(ctx.node) ?? 0) + 1);
  return calls;
}

/** The wait edges a node must receive on, derived here from the wiring alone. */
function expectedEdges(root: Node, live: readonly Node[], n: Node, receives: Map<Node, Float64Array>, wants: Set<Node>): string[] {
  const edges = [...n.injections.keys()];
  if (n === root) edges.push('seed');
  if (wants.has(n)) {
    for (const c of live) {
      if (!receives.has(c) || c.stopped) continue;
      c.inputs.forEach((x, slot) => {
        if (x === n && !c.op.nonDifferentiable?.includes(slot)) edges.push(`${c.name}#${slot}`);
      });
    }
  }
  return edges.sort();
}

/** What is wrong with one engine pass from the graph's root: wait edges, sums and backward calls. */
function exactlyOnceProblems(rg: RandomGraph): string[] {
  const live = referenceOrder(rg.root);
  for (const n of live) n.recordGradients(true);
  const intercepts = new Map<Node, number>();
  for (const n of rg.intercepted) {
    const scale = n.interceptor as Interceptor;
    n.intercept((g, node) => {
      intercepts.set(node, (intercepts.get(node) ?? 0) + 1);
      return scale(g, node);
    });
  }
  spies.forEach((s) => s.mockClear());
  rg.graph.backward(rg.root);
  const calls = backwardCallsPerNode();
  const interceptCalls = new Map(intercepts);
  const receives = referenceBackward(rg.root);
  const wants = needingGradient(rg.root);
  const problems: string[] = [];
  for (const n of live) {
    const edges = expectedEdges(rg.root, live, n, receives, wants).join(', ');
    const got = [...n.received.keys()].sort().join(', ');
    if (got !== edges) problems.push(`${n.describe()} received on [${got}], expected [${edges}]`);
    if ((n.grad !== null) !== (edges.length > 0)) problems.push(`${n.describe()} has ${n.grad ? 'a' : 'no'} gradient`);
    if (n.grad) {
      // the engine sums in arrival order, which is the order `received` was filled in
      const [first, ...rest] = n.received.values();
      const sum = Float64Array.from(first.data);
      for (const m of rest) for (let i = 0; i < sum.length; i++) sum[i] += m.data[i];
      if (sum.some((v, i) => !Object.is(v, n.grad?.data[i]))) problems.push(`${n.describe()} grad is not the sum of what it received`);
    }
    const passesOn = n.grad !== null && !n.stopped && n.inputs.some((x, s) => wants.has(x) && !n.op.nonDifferentiable?.includes(s));
    const count = calls.get(n) ?? 0;
    if (count !== (passesOn ? 1 : 0)) problems.push(`${n.describe()} backward ran ${count} times, expected ${passesOn ? 1 : 0}`);
    const seen = interceptCalls.get(n) ?? 0;
    const intercepted = n.interceptor !== null && n.grad !== null ? 1 : 0;
    if (seen !== intercepted) problems.push(`${n.describe()} interceptor ran ${seen} times, expected ${intercepted}`);
  }
  return problems;
}

describe('randomly wired graphs', () => {
  it('are the same for the same seed', () => {
    const a = randomGraph(7);
    const b = randomGraph(7);
    expect(a.graph.nodes.map((n) => `${n.kind}:${n.name}:${n.inputs.map((i) => i.name)}`)).toEqual(
      b.graph.nodes.map((n) => `${n.kind}:${n.name}:${n.inputs.map((i) => i.name)}`),
    );
    expect(Array.from(a.graph.forward(a.root).data)).toEqual(Array.from(b.graph.forward(b.root).data));
  });

  it('cover fan-out, Mul(x, x), shared leaves, injections, stop-gradients, interceptors, Ref and dangling consumers', () => {
    const seen = { fanOut: 0, sharedLeaf: 0, twin: 0, injected: 0, stopped: 0, intercepted: 0, ref: 0, dangling: 0, kinds: new Set<string>() };
    for (let seed = 0; seed < GRAPHS; seed++) {
      const rg = randomGraph(seed, { intercepts: true });
      const live = new Set(referenceOrder(rg.root));
      for (const n of rg.graph.nodes) {
        seen.kinds.add(n.kind);
        if (rg.graph.nodes.filter((c) => c.inputs.includes(n)).length > 1) {
          seen.fanOut++;
          if (n.role !== 'op') seen.sharedLeaf++;
        }
        if (new Set(n.inputs).size < n.inputs.length) seen.twin++;
        if (n.kind === 'Ref') seen.ref++;
      }
      seen.dangling += rg.ops.filter((n) => !live.has(n)).length;
      seen.injected += rg.injected.filter((n) => live.has(n)).length;
      seen.stopped += rg.stopped.filter((n) => live.has(n)).length;
      seen.intercepted += rg.intercepted.filter((n) => live.has(n)).length;
    }
    expect(seen.fanOut).toBeGreaterThan(GRAPHS / 2);
    for (const k of ['sharedLeaf', 'twin', 'injected', 'stopped', 'intercepted', 'ref', 'dangling'] as const) expect(seen[k]).toBeGreaterThan(10);
    for (const k of registry) if (k.test) expect(seen.kinds).toContain(k.kind);
  });

  it(`agree with the reference reverse mode within 1e-12 on ${GRAPHS} graphs, every edge delivered and every rule run exactly once`, () => {
    let compared = 0;
    for (let seed = 0; seed < GRAPHS; seed++) {
      const rg = randomGraph(seed, { intercepts: true });
      expect({ seed, problems: exactlyOnceProblems(rg) }).toEqual({ seed, problems: [] });
      const result = compareWithReference(rg.root);
      expect({ seed, message: result.message }).toEqual({ seed, message: expect.stringContaining('agree') });
      compared += result.compared;
    }
    expect(compared).toBeGreaterThan(GRAPHS * 3);
  });

  it(`match finite differences of the ported objective on ${FD_GRAPHS} graphs (atol 1e-7, rtol 1e-6)`, () => {
    let checked = 0;
    for (let seed = 1000; seed < 1000 + FD_GRAPHS; seed++) {
      const rg = randomGraph(seed);
      rg.graph.backward(rg.root);
      const analytic = new Map([...rg.params, ...rg.inputs].map((n) => [n, n.grad?.clone() ?? new Matrix(n.rows, n.cols)]));
      for (const [n, a] of analytic) {
        if (!referenceOrder(rg.root).includes(n)) continue;
        const numeric = portedNumericGradient(rg.root, n);
        for (let i = 0; i < a.size; i++) {
          const err = Math.abs(a.data[i] - numeric.data[i]);
          const where = `seed ${seed}, ${n.describe()} element ${i}: analytic ${a.data[i]}, numeric ${numeric.data[i]}`;
          expect({ where, ok: err <= 1e-7 + 1e-6 * Math.abs(numeric.data[i]) }).toEqual({ where, ok: true });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(FD_GRAPHS * 5);
  });

  it('from a non-scalar node with a seed agree with the reference and with finite differences', () => {
    let seeded = 0;
    for (let seed = 4000; seed < 4050; seed++) {
      const rg = randomGraph(seed);
      const rng = new Rng(seed);
      const wide = referenceOrder(rg.root).filter((n) => n.role === 'op' && n.rows * n.cols > 1);
      if (wide.length === 0) continue;
      const root = wide[rng.int(wide.length)];
      const gradient = init.uniform(rng, root.rows, root.cols, -1, 1);
      const result = compareWithReference(root, { seed: gradient });
      expect({ seed, message: result.message }).toEqual({ seed, message: expect.stringContaining('agree') });
      for (const p of rg.params.filter((n) => referenceOrder(root).includes(n))) {
        rg.graph.backward(root, gradient);
        const analytic = p.grad?.clone() ?? new Matrix(p.rows, p.cols);
        const numeric = portedNumericGradient(root, p, { seed: gradient });
        for (let i = 0; i < numeric.size; i++) {
          const where = `seed ${seed}, ${p.describe()} element ${i}: analytic ${analytic.data[i]}, numeric ${numeric.data[i]}`;
          expect({ where, ok: Math.abs(analytic.data[i] - numeric.data[i]) <= 1e-7 + 1e-6 * Math.abs(numeric.data[i]) }).toEqual({ where, ok: true });
        }
      }
      seeded++;
    }
    expect(seeded).toBeGreaterThan(40);
  });

  it('in float32 agree with the reference within float32 rounding', () => {
    for (let seed = 3000; seed < 3050; seed++) {
      const rg = randomGraph(seed, { dtype: 'float32' });
      expect(rg.graph.dtype).toBe('float32');
      const result = compareWithReference(rg.root, { rtol: 1e-4 });
      expect({ seed, message: result.message }).toEqual({ seed, message: expect.stringContaining('agree') });
    }
  });

  it('without ports pass gradcheck', () => {
    for (let seed = 2000; seed < 2025; seed++) {
      const rg = randomGraph(seed, { ports: false });
      expect(rg.root).toHaveCorrectGradients();
    }
  });
});
