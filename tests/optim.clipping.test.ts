import { add, Graph, Matrix, mul, sum } from '../src';
import { clipGradNorm, clipGradValue } from '../src/optim/clip';
import { cosineLr, stepLr } from '../src/optim/schedule';
import { Sgd } from '../src/optim/sgd';

/** Two parameters a (1×2) and b (1×1) with gradients [3, 4] and [12]: joint norm 13. */
function twoGrads() {
  const graph = new Graph();
  const a = graph.param('a', Matrix.from([[0, 0]]));
  const b = graph.param('b', Matrix.from([[0]]));
  const ca = graph.constant('ca', Matrix.from([[3, 4]]));
  const cb = graph.constant('cb', Matrix.from([[12]]));
  const loss = add(sum(mul(a, ca)), sum(mul(b, cb)));
  graph.backward(loss);
  return { graph, a, b };
}

describe('gradient clipping', () => {
  it('by global norm scales all gradients by one factor and returns the norm before', () => {
    const { a, b } = twoGrads();
    expect(clipGradNorm([a, b], 6.5)).toBeCloseTo(13, 14);
    expect(Array.from(a.grad?.data ?? [])).toEqual([1.5, 2]);
    expect(Array.from(b.grad?.data ?? [])).toEqual([6]);
  });

  it('by global norm leaves gradients below the limit alone', () => {
    const { a, b } = twoGrads();
    expect(clipGradNorm([a, b], 100)).toBeCloseTo(13, 14);
    expect(Array.from(a.grad?.data ?? [])).toEqual([3, 4]);
  });

  it('by value clamps each element and counts the clamped ones', () => {
    const { a, b } = twoGrads();
    expect(clipGradValue([a, b], 3.5)).toBe(2);
    expect(Array.from(a.grad?.data ?? [])).toEqual([3, 3.5]);
    expect(Array.from(b.grad?.data ?? [])).toEqual([3.5]);
  });

  it('feeds the clipped gradient to the optimizer', () => {
    const { a, b } = twoGrads();
    clipGradNorm([a, b], 1.3);
    new Sgd([a, b], { lr: 1 }).step();
    expect(a.value.data[0]).toBeCloseTo(-0.3, 14);
    expect(b.value.data[0]).toBeCloseTo(-1.2, 14);
  });

  it('rejects a non-positive limit', () => {
    const { a } = twoGrads();
    expect(() => clipGradNorm([a], 0)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => clipGradValue([a], -1)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('learning-rate schedules', () => {
  it('step decay halves every 2 steps', () => {
    const lr = stepLr(1, 2, 0.5);
    expect([0, 1, 2, 3, 4].map(lr)).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('cosine goes from base to min over total steps, then stays at min', () => {
    const lr = cosineLr(1, 4, 0.2);
    // min + (base − min)·½(1 + cos(π·s/4)) at s = 0..4: cos = 1, √½, 0, −√½, −1
    const expected = [1, 0.2 + 0.4 * (1 + Math.SQRT1_2), 0.6, 0.2 + 0.4 * (1 - Math.SQRT1_2), 0.2, 0.2];
    [0, 1, 2, 3, 4, 9].forEach((s, i) => expect(lr(s)).toBeCloseTo(expected[i], 15));
  });

  it('drives the optimizer step by step', () => {
    const graph = new Graph();
    const p = graph.param('p', Matrix.from([[0]]));
    const loss = sum(p);
    const opt = new Sgd([p], { lr: stepLr(1, 1, 0.5) });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(opt.lr);
      graph.backward(loss);
      opt.step();
    }
    expect(seen).toEqual([1, 0.5, 0.25]);
    expect(p.value.data[0]).toBe(-1.75);
  });

  it('rejects bad settings', () => {
    expect(() => stepLr(1, 0, 0.5)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => cosineLr(0.1, 10, 0.5)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
