import { concat, EngineError, Graph, Matrix, mse, Rng, scale, shapeText, ShapeError, slice, WiringError } from '../src';
import { caseSeed, testedKinds } from './ops.cases';

const withBadShapes = testedKinds.filter((k) => k.test?.badShapes !== undefined);

describe.each(withBadShapes.map((k) => [k.kind, k] as const))('%s shape rule', (_name, kind) => {
  it('rejects its bad shapes at construction, naming the kind, the node and every input shape', () => {
    const shapes = kind.test?.badShapes ?? [];
    const graph = new Graph();
    const inputs = shapes.map(([r, c], slot) => graph.constant(`in${slot}`, new Matrix(r, c)));
    const { attrs } = kind.test!.sample(new Rng(caseSeed(kind, 0)));
    let caught: unknown;
    try {
      graph.apply(kind, inputs, attrs, 'bad');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ShapeError);
    const error = caught as EngineError;
    expect(error.code).toBe('E_SHAPE');
    expect(error.message).toContain(kind.kind);
    expect(error.message).toContain("'bad'");
    for (const s of shapes) expect(error.message).toContain(shapeText(s));
    expect(graph.has('bad')).toBe(false);
  });
});

describe('attribute rules', () => {
  const graph = new Graph();
  const x = graph.constant('x', new Matrix(2, 4));

  it('Slice rejects an empty, reversed or fractional column range', () => {
    for (const [from, to] of [[2, 2], [3, 1], [-1, 2], [0.5, 2]]) {
      expect(() => slice(x, from, to)).toThrow(ShapeError);
    }
    expect(slice(x, 1, 4).shape).toEqual([2, 3]);
  });

  it('Scale rejects a constant that is not a finite number', () => {
    expect(() => scale(x, Number.NaN)).toThrow(/finite number/);
    expect(() => scale(x, Infinity)).toThrow(ShapeError);
  });

  it('a loss rejects an unknown reduction', () => {
    expect(() => mse(x, x, 'avg' as never)).toThrow(/reduction must be 'mean', 'sum' or 'batch'/);
  });

  it('Concat needs at least one input', () => {
    expect(() => concat([])).toThrow(WiringError);
  });
});
