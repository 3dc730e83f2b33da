import { Matrix, Rng } from '../src';
import { buildCase, caseSeed, inputGrads, isDifferentiable, randomLike, sampleCase, testedKinds } from './ops.cases';

const CASES = 10;

/** ka·a + kb·b elementwise, with the magnitude |ka·a| + |kb·b| that bounds its rounding. */
function combine(a: Matrix, b: Matrix, ka: number, kb: number): { value: Matrix; magnitude: Matrix } {
  const value = a.clone();
  const magnitude = a.clone();
  for (let i = 0; i < a.size; i++) {
    value.data[i] = ka * a.data[i] + kb * b.data[i];
    magnitude.data[i] = Math.abs(ka * a.data[i]) + Math.abs(kb * b.data[i]);
  }
  return { value, magnitude };
}

/** Each element of `actual` within 1e-12 of the expected one, relative to the magnitude of its terms. */
function closeTo(actual: Matrix, expected: { value: Matrix; magnitude: Matrix }): boolean {
  for (let i = 0; i < actual.size; i++) {
    if (!(Math.abs(actual.data[i] - expected.value.data[i]) <= 1e-12 * expected.magnitude.data[i])) return false;
  }
  return true;
}

function bytes(m: Matrix): Uint8Array {
  return new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
}

describe.each(testedKinds.map((k) => [k.kind, k] as const))('%s', (_name, kind) => {
  it('a zero incoming gradient gives exactly zero gradients', () => {
    for (let i = 0; i < CASES; i++) {
      const b = buildCase(kind, sampleCase(kind, new Rng(caseSeed(kind, i))));
      b.graph.backward(b.node, new Matrix(b.node.rows, b.node.cols));
      for (const dx of inputGrads(kind, b)) expect(Array.from(dx.data).filter((v) => v !== 0)).toEqual([]);
    }
  });

  it('backward is linear in the incoming gradient (g1 + g2, and 3·g1)', () => {
    for (let i = 0; i < CASES; i++) {
      const rng = new Rng(caseSeed(kind, i));
      const b = buildCase(kind, sampleCase(kind, rng));
      const g1 = randomLike(rng, b.node.value);
      const g2 = randomLike(rng, b.node.value);
      const gradsFor = (g: Matrix): Matrix[] => {
        b.graph.backward(b.node, g);
        return inputGrads(kind, b);
      };
      const d1 = gradsFor(g1);
      const d2 = gradsFor(g2);
      const dSum = gradsFor(combine(g1, g2, 1, 1).value);
      const dTriple = gradsFor(combine(g1, g1, 3, 0).value);
      d1.forEach((a, s) => {
        expect(closeTo(dSum[s], combine(a, d2[s], 1, 1))).toBe(true);
        expect(closeTo(dTriple[s], combine(a, a, 3, 0))).toBe(true);
      });
    }
  });

  it('a repeated backward is bitwise identical', () => {
    for (let i = 0; i < CASES; i++) {
      const rng = new Rng(caseSeed(kind, i));
      const b = buildCase(kind, sampleCase(kind, rng));
      const g = randomLike(rng, b.node.value);
      b.graph.backward(b.node, g);
      const first = inputGrads(kind, b);
      b.graph.backward(b.node, g);
      const second = inputGrads(kind, b);
      expect(second.length).toBe(first.length);
      second.forEach((m, s) => expect(Buffer.from(bytes(m)).equals(Buffer.from(bytes(first[s])))).toBe(true));
    }
  });

  const special = kind.test?.special ?? [];
  if (special.length > 0) {
    it.each(special.map((v) => [v]))('forward value and gradient stay finite at %p', (v) => {
      for (let i = 0; i < 3; i++) {
        const c = sampleCase(kind, new Rng(caseSeed(kind, i)));
        // the special value in every other element of each differentiable input, next to ordinary values
        c.values.forEach((m, slot) => {
          if (isDifferentiable(kind, slot)) for (let j = 0; j < m.size; j += 2) m.data[j] = v;
        });
        const b = buildCase(kind, c);
        const y = b.graph.forward(b.node);
        expect(Array.from(y.data).filter((x) => !Number.isFinite(x))).toEqual([]);
        b.graph.backward(b.node, new Matrix(b.node.rows, b.node.cols).fill(1));
        for (const dx of inputGrads(kind, b)) expect(Array.from(dx.data).filter((x) => !Number.isFinite(x))).toEqual([]);
      }
    });
  }
});
