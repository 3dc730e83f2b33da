import { add, Graph, Matrix, mul, Node, sum, tanh, WiringError } from '../src';
import { compareWithReference, portedNumericGradient, referenceBackward, referenceOrder } from '../src/testing/reference';

describe('the reference reverse mode', () => {
  it('gives hand-computed gradients, honouring injections and stop-gradients', () => {
    const g = new Graph();
    const p = g.param('p', Matrix.from([[0.2, -0.4]]));
    const q = g.param('q', Matrix.from([[1.5, 2]]));
    const h = tanh(p, 'h');
    const root = sum(mul(h, q));
    const grads = referenceBackward(root);
    const dh = [0.2, -0.4].map((v) => 1 - Math.tanh(v) ** 2);
    expect(Array.from(grads.get(q) ?? [])).toEqual([Math.tanh(0.2), Math.tanh(-0.4)]);
    Array.from(grads.get(p) ?? []).forEach((v, i) => expect(v).toBeCloseTo(dh[i] * [1.5, 2][i], 15));

    h.inject('aux', Matrix.from([[10, 20]]));
    const injected = referenceBackward(root);
    Array.from(injected.get(p) ?? []).forEach((v, i) => expect(v).toBeCloseTo(dh[i] * ([1.5, 2][i] + [10, 20][i]), 13));

    h.stopGradient();
    const stopped = referenceBackward(root);
    expect(stopped.has(p)).toBe(false);
    expect(Array.from(stopped.get(h) ?? [])).toEqual([11.5, 22]);
  });

  it('compareWithReference names the node and element where engine and reference differ', () => {
    const g = new Graph();
    const h = tanh(g.constant('c', Matrix.from([[0.2, -0.4]])), 'h');
    // an injection that changes between calls: the engine and the reference each ask it once
    let calls = 0;
    h.inject('drift', () => Matrix.from([[0, ++calls]]));
    const result = compareWithReference(sum(h));
    expect(result.ok).toBe(false);
    expect(result.mismatch?.node).toBe(h);
    expect(result.mismatch?.index).toBe(1);
    expect(result.message).toBe(`Tanh 'h' [1×2] element 1: engine 2, reference 3`);
  });

  it('portedNumericGradient matches the engine under injections and stop-gradients, and refuses interceptors', () => {
    const g = new Graph();
    const p = g.param('p', Matrix.from([[0.3, -0.1]]));
    const h = tanh(p, 'h');
    const s = tanh(h, 's').stopGradient();
    const root = sum(mul(mul(s, h), h));
    h.inject('aux', Matrix.from([[0.5, -2]]));
    g.backward(root);
    const numeric = portedNumericGradient(root, p);
    Array.from(p.grad?.data ?? []).forEach((v, i) => expect(Math.abs(v - numeric.data[i])).toBeLessThan(1e-8));
    h.intercept((grad) => grad);
    expect(() => portedNumericGradient(root, p)).toThrow(WiringError);
    expect(() => portedNumericGradient(root, p)).toThrow(/Tanh 'h' \[1×2\] has an interceptor/);
  });

  it('orders a 20000-deep chain without exhausting the call stack', () => {
    const g = new Graph();
    const p = g.param('p', Matrix.scalar(0.5));
    let h: Node = p;
    for (let t = 0; t < 20000; t++) h = add(h, p);
    expect(referenceOrder(h)).toHaveLength(20001);
    expect(referenceBackward(h).get(p)?.[0]).toBe(20001);
  });
});
