import { add, Graph, inner, Matrix, mul, Node, Rng, sum, Tanh, tanh, WiringError, init } from '../src';

/** d/dx tanh(x) = 1 − tanh²(x), written out here so the expectations do not come from the engine. */
const dtanh = (x: number): number => 1 - Math.tanh(x) ** 2;

function scalar(g: Graph, name: string, v: number): Node {
  return g.param(name, Matrix.scalar(v));
}

describe('engine contract', () => {
  it('passes on the sum, not the last gradient (a node with 3 consumers)', () => {
    const g = new Graph();
    const p = scalar(g, 'p', 0.3);
    const k = g.constant('k', Matrix.scalar(5));
    const h = tanh(p, 'h');
    const root = add(add(sum(tanh(h, 'a')), sum(mul(h, k, 'b'))), sum(mul(h, h, 'c')));
    h.recordGradients();
    g.backward(root);
    const hv = Math.tanh(0.3);
    const sent = { 'a#0': dtanh(hv), 'b#0': 5, 'c#0': hv, 'c#1': hv };
    expect(Object.fromEntries([...h.received].map(([src, m]) => [src, m.data[0]]))).toEqual(sent);
    const total = dtanh(hv) + 5 + 2 * hv;
    expect(h.grad?.data[0]).toBeCloseTo(total, 14);
    expect(p.grad?.data[0]).toBeCloseTo(dtanh(0.3) * total, 14);
    // what the original passed on: only the gradient that happened to arrive last
    for (const last of Object.values(sent)) expect(Math.abs((p.grad?.data[0] ?? 0) - dtanh(0.3) * last)).toBeGreaterThan(0.1);
  });

  it('Mul(x, x) waits for two gradients, one per slot', () => {
    const g = new Graph();
    const x = g.param('x', Matrix.from([[3, -2]]));
    const y = mul(x, x, 'sq');
    x.recordGradients();
    const pass = g.beginBackward(sum(y));
    pass.run();
    pass.finish();
    expect([...x.received.keys()].sort()).toEqual(['sq#0', 'sq#1']);
    expect(Array.from(x.received.get('sq#0')?.data ?? [])).toEqual([3, -2]);
    expect(Array.from(x.grad?.data ?? [])).toEqual([6, -4]);
  });

  it('a dangling consumer never blocks and takes no gradient', () => {
    const g = new Graph();
    const x = scalar(g, 'x', 0.7);
    const dangling = mul(x, x, 'dangling');
    const root = tanh(x, 'root');
    g.forward(dangling); // even computed, it is not part of the root's backward
    g.backward(root);
    expect(x.grad?.data[0]).toBeCloseTo(dtanh(0.7), 15);
    expect(dangling.grad).toBeNull();
  });

  it('a repeated gradient is a WiringError', () => {
    const g = new Graph();
    const x = scalar(g, 'x', 0.7);
    const root = tanh(x, 't');
    const pass = g.beginBackward(root);
    expect(() => pass.deliver(root, 'seed', Matrix.scalar(1))).toThrow(WiringError);
    expect(() => pass.deliver(root, 'seed', Matrix.scalar(1))).toThrow(/'seed' arrived twice at Tanh 't'/);
  });

  it('a gradient after the node passed its sum on is a late WiringError', () => {
    const g = new Graph();
    const x = scalar(g, 'x', 0.7);
    const root = tanh(x, 't');
    const pass = g.beginBackward(root);
    pass.run();
    pass.finish();
    const late = (): void => pass.deliver(x, 't#0', Matrix.scalar(1));
    expect(late).toThrow(WiringError);
    expect(late).toThrow(/'t#0' arrived late: Tensor 'x' \[1×1\] already passed its sum on/);
    expect(x.grad?.data[0]).toBeCloseTo(dtanh(0.7), 15);
  });

  describe('gradient ports keep sum-then-distribute-once', () => {
    function twoConsumers(): { g: Graph; p: Node; h: Node; root: Node; tanhCalls: () => number } {
      const g = new Graph();
      const p = scalar(g, 'p', 0.4);
      const h = tanh(p, 'h');
      const root = add(sum(mul(h, g.constant('k', Matrix.scalar(3)), 'a')), sum(tanh(h, 'b')));
      const spy = jest.spyOn(Tanh, 'backward');
      spy.mockClear();
      const hNode = h;
      return { g, p, h: hNode, root, tanhCalls: () => spy.mock.calls.filter(([ctx]) => ctx.node === hNode).length };
    }
    afterEach(() => jest.restoreAllMocks());
    const hv = Math.tanh(0.4);

    it('inject: the injected gradient joins the sum, and the sum is passed on once', () => {
      const { g, p, h, root, tanhCalls } = twoConsumers();
      h.inject('aux', Matrix.scalar(10)).recordGradients();
      g.backward(root);
      expect([...h.received.keys()].sort()).toEqual(['a#0', 'aux', 'b#0']);
      expect(h.grad?.data[0]).toBeCloseTo(3 + dtanh(hv) + 10, 14);
      expect(p.grad?.data[0]).toBeCloseTo(dtanh(0.4) * (3 + dtanh(hv) + 10), 14);
      expect(tanhCalls()).toBe(1);
    });

    it('a function injection is asked once per pass', () => {
      const { g, h, root } = twoConsumers();
      const fn = jest.fn(() => Matrix.scalar(1));
      h.inject('aux', fn);
      g.backward(root);
      g.backward(root);
      expect(fn).toHaveBeenCalledTimes(2);
    });

    it('intercept: sees the whole sum once, and what it returns goes on', () => {
      const { g, p, h, root, tanhCalls } = twoConsumers();
      const seen: number[] = [];
      h.intercept((grad) => {
        seen.push(grad.data[0]);
        return Matrix.scalar(-2);
      });
      g.backward(root);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeCloseTo(3 + dtanh(hv), 14);
      expect(p.grad?.data[0]).toBeCloseTo(dtanh(0.4) * -2, 14);
      expect(tanhCalls()).toBe(1);
    });

    it('stopGradient: the node still sums what it receives, and passes nothing on', () => {
      const { g, p, h, root, tanhCalls } = twoConsumers();
      h.stopGradient();
      g.backward(root);
      expect(h.grad?.data[0]).toBeCloseTo(3 + dtanh(hv), 14);
      expect(p.grad).toBeNull();
      expect(tanhCalls()).toBe(0);
      h.stopGradient(false);
      g.backward(root);
      expect(p.grad?.data[0]).toBeCloseTo(dtanh(0.4) * (3 + dtanh(hv)), 14);
    });
  });

  it('an injected node receives its consumers\u2019 gradients even when nothing upstream is trained', () => {
    const g = new Graph();
    const c = g.constant('c', Matrix.scalar(0.5));
    const h = tanh(c, 'h');
    h.inject('aux', Matrix.scalar(10));
    const root = sum(mul(h, g.constant('k', Matrix.scalar(3))));
    g.backward(root);
    expect(h.grad?.data[0]).toBe(13);
  });

  it('records per consumer: a shared weight gets the sum of what each unrolled step sent', () => {
    const rng = new Rng(3);
    const g = new Graph();
    const W = g.param('W', init.normal(rng, 3, 2));
    const xs = [0, 1, 2].map((t) => g.input(`x${t}`, 1, 3));
    const steps = xs.map((x, t) => inner(x, W, `step${t}`));
    const root = sum(add(add(steps[0], mul(steps[1], steps[1])), tanh(steps[2])));
    W.recordGradients();
    xs.forEach((x) => x.feed(init.normal(rng, 1, 3)));
    g.backward(root);
    // what each step must send: xᵀ · (the gradient of its output), written out by hand
    const y1 = steps[1].value.data;
    const y2 = steps[2].value.data;
    const upstream = [[1, 1], [2 * y1[0], 2 * y1[1]], [dtanh(y2[0]), dtanh(y2[1])]];
    const expected = xs.map((x, t) => Array.from({ length: 6 }, (_, i) => x.value.data[Math.floor(i / 2)] * upstream[t][i % 2]));
    expect([...W.received.keys()].sort()).toEqual(['step0#1', 'step1#1', 'step2#1']);
    const total = new Array<number>(6).fill(0);
    xs.forEach((_, t) => {
      const got = Array.from(W.received.get(`step${t}#1`)?.data ?? []);
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[t][i], 14);
        total[i] += v;
      });
    });
    Array.from(W.grad?.data ?? []).forEach((v, i) => expect(v).toBeCloseTo(total[i], 14));
  });

  it('records only the latest pass: a node the pass does not reach shows nothing received', () => {
    const g = new Graph();
    const w = g.param('w', Matrix.from([[1, 2]]));
    const v = g.param('v', Matrix.from([[1, 2]]));
    const a = sum(tanh(w, 'tw'));
    const b = sum(mul(v, v));
    w.recordGradients();
    g.backward(a);
    expect([...w.received.keys()]).toEqual(['tw#0']);
    g.backward(b);
    expect(w.grad).toBeNull();
    expect(w.received.size).toBe(0);
  });

  it('reset keeps parameters and forgets inputs; invalidate keeps inputs', () => {
    const g = new Graph();
    const w = g.param('w', Matrix.from([[2]]));
    const x = g.input('x', 1, 1);
    const y = mul(x, w);
    x.feed([[3]]);
    expect(g.forward(y).data[0]).toBe(6);
    w.value.data[0] = 4; // an in-place update, as an optimiser does it
    g.invalidate();
    expect(g.forward(y).data[0]).toBe(12);
    g.reset();
    expect(w.value.data[0]).toBe(4);
    expect(() => g.forward(y)).toThrow(/input Tensor 'x' \[1×1\] was not fed since the last reset/);
    x.feed([[1]]);
    expect(g.forward(y).data[0]).toBe(4);
  });

  it('forward is memoised until reset, invalidate or a new feed', () => {
    const spy = jest.spyOn(Tanh, 'forward');
    try {
      const g = new Graph();
      const x = g.input('x', 1, 2);
      const t = tanh(x, 't');
      const root = sum(mul(t, t));
      const calls = (): number => spy.mock.calls.filter(([ctx]) => ctx.node === t).length;
      x.feed([[1, 2]]);
      g.forward(root);
      g.forward(root);
      g.forward(t);
      g.backward(root);
      expect(calls()).toBe(1);
      x.feed([[1, 3]]);
      g.forward(root);
      expect(calls()).toBe(2);
      g.invalidate();
      g.forward(root);
      expect(calls()).toBe(3);
      g.reset();
      x.feed([[0, 0]]);
      g.backward(root);
      expect(calls()).toBe(4);
    } finally {
      spy.mockRestore();
    }
  });

  it('a forward reference carries values and gradients once bound', () => {
    const g = new Graph();
    const r = g.ref('r', 1, 2);
    const y = sum(tanh(r, 'y'));
    const p = g.param('p', Matrix.from([[0.1, -0.2]]));
    const q = g.param('q', Matrix.from([[0.3, 0.5]]));
    r.bind(add(p, q, 'pq'));
    expect(Array.from(g.forward(y).data)).toEqual([Math.tanh(0.4) + Math.tanh(0.3)]);
    g.backward(y);
    expect(p.grad?.data[0]).toBeCloseTo(dtanh(0.4), 15);
    expect(q.grad?.data[1]).toBeCloseTo(dtanh(0.3), 15);
    expect(y).toHaveCorrectGradients();
  });

  it('binding a forward reference into a cycle is refused and names the cycle', () => {
    const g = new Graph();
    const r = g.ref('state', 1, 1);
    const next = tanh(add(r, scalar(g, 'x', 1), 'mix'), 'next');
    expect(() => r.bind(next)).toThrow(WiringError);
    expect(() => r.bind(next)).toThrow(/binding Ref 'state' \[1×1\] to Tanh 'next' \[1×1\] would close a cycle: state → next → mix → state/);
    expect(r.inputs).toHaveLength(0);
  });

  it('rewiring the ports or requiresGrad after a backward takes effect on the next pass', () => {
    const g = new Graph();
    const x = g.input('x', 1, 1);
    const w = scalar(g, 'w', 2);
    const h = tanh(x, 'h');
    const root = sum(mul(h, w));
    x.feed([[0.1]]);
    g.backward(root);
    expect(x.grad).toBeNull();
    x.requiresGrad = true;
    g.backward(root);
    expect(x.grad?.data[0]).toBeCloseTo(2 * dtanh(0.1), 15);
    h.inject('aux', Matrix.scalar(1));
    g.backward(root);
    expect(x.grad?.data[0]).toBeCloseTo(3 * dtanh(0.1), 15);
    h.removeInjection('aux');
    h.stopGradient();
    g.backward(root);
    expect(x.grad).toBeNull();
    expect(w.grad?.data[0]).toBeCloseTo(Math.tanh(0.1), 15);
    x.requiresGrad = false;
    h.stopGradient(false);
    g.backward(root);
    expect(x.grad).toBeNull();
  });

  it('runs a 20000-deep chain forward, backward and through validate without exhausting the call stack', () => {
    const g = new Graph();
    const p = scalar(g, 'p', 0.5);
    let h: Node = p;
    for (let t = 0; t < 20000; t++) h = add(h, p);
    expect(g.forward(h).data[0]).toBe(10000.5);
    g.backward(h);
    expect(p.grad?.data[0]).toBe(20001);
    expect(() => g.validate()).not.toThrow();
  });
});
