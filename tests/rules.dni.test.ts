import { FeedForward } from '../src/blocks/feedforward';
import { Graph, Matrix, Rng, init, EngineError } from '../src';
import { mse } from '../src/losses/mse';
import { Sgd } from '../src/optim/sgd';
import { SyntheticGradient } from '../src/rules/dni';

/** x → tanh layer → h → tanh layer → loss, with a synthetic gradient at h. */
function chain(options: { lambda?: number; context?: number; hidden?: number } = {}) {
  const rng = new Rng(7);
  const g = new Graph();
  const x = g.input('x', 3, 4);
  const y = g.input('y', 3, 2);
  const lower = new FeedForward(g, 'lower', 4, 5, rng);
  const upper = new FeedForward(g, 'upper', 5, 2, rng);
  const h = lower.apply(x);
  const loss = mse(upper.apply(h), y, 'sum');
  x.feed(init.normal(rng, 3, 4));
  y.feed(init.normal(rng, 3, 2));
  const sg = new SyntheticGradient(h, { rng, optimizer: (p) => new Sgd(p, { lr: 0.05 }), ...options });
  return { g, x, y, h, loss, lower, upper, sg };
}

describe('SyntheticGradient', () => {
  it('starts at zero: the layers below get no gradient on the first pass, the layer above its true one', () => {
    const { g, loss, lower, upper, sg } = chain();
    g.backward(loss);
    expect(lower.weight.grad?.norm()).toBe(0);
    expect(upper.weight.grad?.norm()).toBeGreaterThan(0);
    expect(sg.last?.cosine).toBeNull();
    expect(sg.last?.relativeError).toBe(1);
  });

  it('passes the true gradient on with λ = 1 (BP(1) is backprop) and in mode true', () => {
    const bp = chain();
    bp.sg.mode = 'true';
    bp.g.backward(bp.loss);
    const truth = (bp.lower.weight.grad as Matrix).clone();
    const mixed = chain({ lambda: 1 });
    mixed.g.backward(mixed.loss);
    expect(mixed.lower.weight.grad?.toArray()).toEqual(truth.toArray());
    expect(truth.norm()).toBeGreaterThan(0);
  });

  it('learns the gradient at a fixed state: cosine rises toward 1, the error falls', () => {
    const { g, loss, sg } = chain({ hidden: 8 });
    g.backward(loss);
    g.backward(loss);
    const early = sg.last?.relativeError as number;
    for (let i = 0; i < 300; i++) g.backward(loss);
    expect(sg.last?.cosine as number).toBeGreaterThan(0.99);
    expect(sg.last?.relativeError as number).toBeLessThan(0.1 * early);
  });

  it('backwardBelow (seeded at h) gives the lower layer what the single pass gives it', () => {
    const { g, loss, lower, sg } = chain();
    for (let i = 0; i < 20; i++) g.backward(loss); // make ĝ non-zero
    sg.mode = 'frozen';
    g.backward(loss);
    const viaPass = (lower.weight.grad as Matrix).clone();
    sg.backwardBelow();
    expect(viaPass.norm()).toBeGreaterThan(0);
    (lower.weight.grad as Matrix).data.forEach((v, i) => expect(v).toBeCloseTo(viaPass.data[i], 12));
  });

  it('conditions on a context for cDNI and refuses one it was not built for', () => {
    const c = chain({ context: 2 });
    c.sg.condition(Matrix.from([[1, 0], [0, 1], [1, 0]]));
    c.g.backward(c.loss);
    expect(c.sg.last).not.toBeNull();
    const plain = chain();
    expect(() => plain.sg.condition(Matrix.from([[1]]))).toThrow(EngineError);
    expect(() => new SyntheticGradient(plain.h, { rng: new Rng(1), optimizer: (p) => new Sgd(p, { lr: 1 }) })).toThrow(/already has an interceptor/);
  });
});
