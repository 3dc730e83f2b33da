import { concat, Graph, init, Matrix, mse, Rng } from '../src';
import { FeedForward } from '../src/blocks/feedforward';
import { generate, Lstm, LstmWindow } from '../src/blocks/lstm';

const sigma = (v: number): number => 1 / (1 + Math.exp(-v));

/** A small LSTM (in 2, hidden 3, batch 2) with a linear readout to 2, in float64. */
function small(steps: number, seed = 11) {
  const rng = new Rng(seed);
  const graph = new Graph();
  const lstm = new Lstm(graph, 'lstm', 2, 3, rng);
  const readout = new FeedForward(graph, 'readout', 3, 2, rng, { activation: 'none' });
  const window = new LstmWindow(lstm, readout, 2, steps);
  window.xs.forEach((x) => x.feed(init.normal(rng, 2, 2)));
  return { rng, graph, lstm, readout, window };
}

describe('Lstm', () => {
  it('follows PyTorch gate equations (i, f, g, o column blocks) for one step', () => {
    const { rng, graph, lstm, window } = small(1);
    const h0 = init.normal(rng, 2, 3);
    const c0 = init.normal(rng, 2, 3);
    window.h0.feed(h0);
    window.c0.feed(c0);
    const { h, c } = window.states[0];
    graph.forward(h);
    graph.forward(c);
    const x = window.xs[0].value;
    const W = lstm.weight.value;
    const b = lstm.bias.value;
    const H = 3;
    for (let r = 0; r < 2; r++) {
      const xh = [x.get(r, 0), x.get(r, 1), h0.get(r, 0), h0.get(r, 1), h0.get(r, 2)];
      const pre = (col: number): number => xh.reduce((s, v, k) => s + v * W.get(k, col), b.get(0, col));
      for (let j = 0; j < H; j++) {
        const i = sigma(pre(j));
        const f = sigma(pre(H + j));
        const g = Math.tanh(pre(2 * H + j));
        const o = sigma(pre(3 * H + j));
        const cNew = f * c0.get(r, j) + i * g;
        expect(c.value.get(r, j)).toBeCloseTo(cNew, 14);
        expect(h.value.get(r, j)).toBeCloseTo(o * Math.tanh(cNew), 14);
      }
    }
    expect(graph.node('lstm.t1.cell').kind).toBe('LstmCell');
  });

  it('unrolled over 3 steps passes the gradient checker on every parameter', () => {
    const { rng, graph, window, lstm, readout } = small(3);
    window.h0.feed(init.normal(rng, 2, 3));
    window.c0.feed(init.normal(rng, 2, 3));
    const target = graph.input('target', 2, 6).feed(init.normal(rng, 2, 6));
    const loss = mse(concat(window.outputs), target);
    graph.backward(loss);
    for (const p of [...lstm.parameters, ...readout.parameters]) expect(p.grad).not.toBeNull();
    expect(loss).toHaveCorrectGradients({ atol: 1e-6, rtol: 1e-5 });
  });

  it('the shared weight gets exactly one gradient per unrolled step, and its gradient is their sum', () => {
    const T = 4;
    const { rng, graph, window, lstm } = small(T);
    const target = graph.input('target', 2, 2 * T).feed(init.normal(rng, 2, 2 * T));
    const loss = mse(concat(window.outputs), target);
    lstm.weight.recordGradients();
    graph.backward(loss);
    const received = lstm.weight.received;
    expect([...received.keys()].sort()).toEqual(['lstm.t1.xhW#1', 'lstm.t2.xhW#1', 'lstm.t3.xhW#1', 'lstm.t4.xhW#1']);
    const total = new Matrix(lstm.weight.rows, lstm.weight.cols);
    for (const m of received.values()) for (let i = 0; i < m.size; i++) total.data[i] += m.data[i];
    const grad = lstm.weight.grad as Matrix;
    for (let i = 0; i < total.size; i++) expect(grad.data[i]).toBeCloseTo(total.data[i], 14);
    // every step contributes something of its own (not T copies of one gradient)
    const norms = [...received.values()].map((m) => m.norm());
    expect(new Set(norms.map((n) => n.toPrecision(8))).size).toBe(T);
  });

  it('truncated BPTT: two carried windows of 2 steps compute what one window of 4 steps does', () => {
    const rng = new Rng(2);
    const graph = new Graph();
    const lstm = new Lstm(graph, 'lstm', 2, 3, rng);
    const readout = new FeedForward(graph, 'readout', 3, 2, rng, { activation: 'none' });
    const long = new LstmWindow(lstm, readout, 2, 4, 'long');
    const short = new LstmWindow(lstm, readout, 2, 2, 'short');
    const xs = [0, 1, 2, 3].map(() => init.normal(rng, 2, 2));
    xs.forEach((x, k) => long.xs[k].feed(x));
    const wantH = graph.forward(long.states[3].h).clone();
    short.xs.forEach((x, k) => x.feed(xs[k]));
    graph.forward(short.outputs[1]);
    short.carry();
    expect(Array.from(short.h0.value.data)).toEqual(Array.from(graph.forward(long.states[1].h).data));
    short.xs.forEach((x, k) => x.feed(xs[k + 2]));
    const gotH = graph.forward(short.states[1].h);
    for (let i = 0; i < wantH.size; i++) expect(gotH.data[i]).toBeCloseTo(wantH.data[i], 14);

    // the gradient stops at the window's start: h0 and c0 are inputs without a gradient path
    const target = graph.input('target', 2, 2).feed(init.normal(rng, 2, 2));
    graph.backward(mse(short.outputs[1], target));
    expect(short.h0.grad).toBeNull();
    expect(lstm.weight.grad).not.toBeNull();
    short.resetState();
    expect(Array.from(short.c0.value.data).every((v) => v === 0)).toBe(true);
  });

  it('closed-loop generation equals teacher forcing on its own predictions', () => {
    const rng = new Rng(4);
    const graph = new Graph();
    const lstm = new Lstm(graph, 'lstm', 2, 5, rng);
    const readout = new FeedForward(graph, 'readout', 5, 2, rng, { activation: 'tanh' });
    const generator = new LstmWindow(lstm, readout, 1, 1, 'gen');
    const seeds = init.normal(rng, 3, 2);
    const generated = generate(generator, seeds, 4);
    expect(generated.shape).toEqual([4, 2]);
    // teacher-forced run over seeds then generated rows 0..2: its outputs at steps 3..6 are generated rows 0..3
    const forced = new LstmWindow(lstm, readout, 1, 6, 'forced');
    const rows = [...seeds.toArray(), ...generated.toArray().slice(0, 3)];
    rows.forEach((r, k) => forced.xs[k].feed([r]));
    for (let k = 0; k < 4; k++) {
      const y = graph.forward(forced.outputs[k + 2]);
      expect(y.get(0, 0)).toBeCloseTo(generated.get(k, 0), 14);
      expect(y.get(0, 1)).toBeCloseTo(generated.get(k, 1), 14);
    }
    expect(() => generate(forced, seeds, 2)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
