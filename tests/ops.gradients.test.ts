import { gradcheck, init, mul, Rng, sum } from '../src';
import { buildCase, caseSeed, sampleCase, testedKinds } from './ops.cases';

const CASES = 25;

describe.each(testedKinds.map((k) => [k.kind, k] as const))('%s', (_name, kind) => {
  it(`backward matches central differences on ${CASES} random float64 cases`, () => {
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const seed = caseSeed(kind, i);
      const rng = new Rng(seed);
      const { graph, node } = buildCase(kind, sampleCase(kind, rng));
      // a fixed random weighting R makes every output element matter with its own factor
      const r = graph.constant('R', init.normal(rng, node.rows, node.cols));
      const report = gradcheck(sum(mul(node, r)));
      if (!report.ok) failures.push(`seed ${seed}: ${report.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('a float32 graph computes the float64 forward values (relative 1e-4, absolute below 1)', () => {
    const misses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const seed = caseSeed(kind, 1000 + i);
      const c = sampleCase(kind, new Rng(seed));
      // both graphs start from the same float32-representable inputs
      const rounded = { ...c, values: c.values.map((v) => v.to('float32').to('float64')) };
      const b64 = buildCase(kind, rounded, 'float64');
      const b32 = buildCase(kind, rounded, 'float32');
      const y64 = b64.graph.forward(b64.node);
      const y32 = b32.graph.forward(b32.node);
      expect(y32.dtype).toBe('float32');
      y64.data.forEach((want, j) => {
        if (!(Math.abs(y32.data[j] - want) <= 1e-4 * Math.max(1, Math.abs(want)))) misses.push(`seed ${seed}, element ${j}: float32 ${y32.data[j]}, float64 ${want}`);
      });
    }
    expect(misses).toEqual([]);
  });
});
