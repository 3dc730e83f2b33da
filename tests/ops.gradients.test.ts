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

  it('a float32 graph computes the float64 forward values (relative 1e-4)', () => {
    for (let i = 0; i < 5; i++) {
      const seed = caseSeed(kind, 1000 + i);
      const c = sampleCase(kind, new Rng(seed));
      // both graphs start from the same float32-representable inputs
      const rounded = { ...c, values: c.values.map((v) => v.to('float32').to('float64')) };
      const y64 = (() => {
        const b = buildCase(kind, rounded, 'float64');
        return b.graph.forward(b.node);
      })();
      const b32 = buildCase(kind, rounded, 'float32');
      const y32 = b32.graph.forward(b32.node);
      expect(y32.dtype).toBe('float32');
      for (let j = 0; j < y64.size; j++) {
        const err = Math.abs(y32.data[j] - y64.data[j]);
        if (!(err <= 1e-4 * Math.max(1, Math.abs(y64.data[j])))) {
          throw new Error(`seed ${seed}, element ${j}: float32 ${y32.data[j]} vs float64 ${y64.data[j]}`);
        }
      }
    }
  });
});
