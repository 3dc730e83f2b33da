import { andGate, binaryAddition, circle, Matrix, Rng, sineSeries, UsageError, xorGate } from '../src';

/** The integer written by bits row[at..at+bits), most significant first; NaN unless every entry is 0 or 1. */
const readBits = (m: Matrix, row: number, at: number, bits: number): number => {
  let v = 0;
  for (let k = 0; k < bits; k++) {
    const b = m.get(row, at + k);
    v = b === 0 || b === 1 ? 2 * v + b : NaN;
  }
  return v;
};

describe('synthetic data sets', () => {
  it('sineSeries: rows [sin t, cos t] for t = phase + i·step', () => {
    const m = sineSeries(50, 0.1, { phase: 1 });
    expect(m.shape).toEqual([50, 2]);
    expect(m.get(0, 0)).toBe(Math.sin(1));
    expect(m.get(49, 1)).toBe(Math.cos(1 + 49 * 0.1));
    expect(sineSeries(3, 0.5, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => sineSeries(0, 0.1)).toThrow(UsageError);
  });

  it('binaryAddition: two operands below 2^(bits−1) and their sum, bit vectors MSB first', () => {
    const bits = 12;
    const { x, y } = binaryAddition(new Rng(1), 500, bits);
    expect(x.shape).toEqual([500, 24]);
    expect(y.shape).toEqual([500, 12]);
    let largest = 0;
    const wrong: number[] = [];
    for (let i = 0; i < 500; i++) {
      const a = readBits(x, i, 0, bits);
      const b = readBits(x, i, bits, bits);
      if (!(a < 2 ** (bits - 1) && b < 2 ** (bits - 1) && readBits(y, i, 0, bits) === a + b)) wrong.push(i);
      largest = Math.max(largest, a, b);
    }
    expect(wrong).toEqual([]);
    expect(largest).toBeGreaterThan(2 ** (bits - 1) * 0.9); // the whole range is used
    expect(x.get(0, 0)).toBe(0); // the top bit of an operand is always 0
    expect(binaryAddition(new Rng(1), 500, bits).x.data).toEqual(x.data);
    expect(binaryAddition(new Rng(2), 500, bits).x.data).not.toEqual(x.data);
    expect(() => binaryAddition(new Rng(1), 10, 1)).toThrow(UsageError);
  });

  it('circle: uniform points in [−1, 1]², label 1 inside radius 0.8', () => {
    const n = 20000;
    const { x, y } = circle(new Rng(3), n);
    let inside = 0;
    let sumX = 0;
    const wrong: number[] = [];
    for (let i = 0; i < n; i++) {
      const [u, v] = [x.get(i, 0), x.get(i, 1)];
      if (!(Math.abs(u) <= 1 && Math.abs(v) <= 1 && y.get(i, 0) === (Math.hypot(u, v) <= 0.8 ? 1 : 0))) wrong.push(i);
      inside += y.get(i, 0);
      sumX += u;
    }
    expect(wrong).toEqual([]);
    // area ratio π·0.8²/4 ≈ 0.503; the binomial standard error at n = 20000 is 0.0035
    expect(Math.abs(inside / n - (Math.PI * 0.64) / 4)).toBeLessThan(0.015);
    expect(Math.abs(sumX / n)).toBeLessThan(0.02);
    expect(circle(new Rng(3), 10, 0.5).y.data).toEqual(circle(new Rng(3), 10, 0.5).y.data);
  });

  it('AND and XOR on ±1 inputs with ±1 targets', () => {
    const inputs = [[-1, -1], [-1, 1], [1, -1], [1, 1]];
    expect(andGate().x.toArray()).toEqual(inputs);
    expect(andGate().y.toArray()).toEqual([[-1], [-1], [-1], [1]]);
    expect(xorGate('float32').x.toArray()).toEqual(inputs);
    expect(xorGate('float32').y.toArray()).toEqual([[-1], [1], [1], [-1]]);
  });
});
