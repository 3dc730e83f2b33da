import {
  add, Add, concat, DtypeError, EngineError, ErrorCode, gradcheck, gradcheckDirectional, Graph, inner, log, Matrix, mul,
  NumericsError, randomGraph, Ref, Rng, ShapeError, sum, tanh, UsageError, WiringError,
} from '../src';

type ErrorClass = new (message: string) => EngineError;

interface Misuse {
  what: string;
  run: () => unknown;
  cls: ErrorClass;
  code: ErrorCode;
  /** Every fragment must appear in the message, verbatim. */
  says: string[];
}

function f64(rows: number, cols: number, v = 0.5): Matrix {
  return new Matrix(rows, cols).fill(v);
}

const misuses: Misuse[] = [
  {
    what: 'mismatched shapes: the message names the kind, the node and every shape',
    run: () => {
      const g = new Graph();
      add(g.param('a', f64(2, 3)), g.param('b', f64(3, 3)), 'sum_ab');
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["Add 'sum_ab'", "Tensor 'a' [2×3]", "Tensor 'b' [3×3]"],
  },
  {
    what: 'an inner product whose inner sizes differ',
    run: () => {
      const g = new Graph();
      inner(g.input('x', 4, 3), g.param('W', f64(2, 5)), 'layer');
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["Inner 'layer'", '4×3', '2×5', "Tensor 'W' [2×5]"],
  },
  {
    what: 'backward from a non-scalar without a seed',
    run: () => {
      const g = new Graph();
      g.backward(tanh(g.param('w', f64(2, 3)), 'h'));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["Tanh 'h' [2×3] is not a scalar (1×1)", 'give a seed gradient of shape 2×3'],
  },
  {
    what: 'a seed of the wrong shape',
    run: () => {
      const g = new Graph();
      g.backward(tanh(g.param('w', f64(2, 3)), 'h'), f64(3, 2));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ['backward seed', "Tanh 'h' [2×3] needs 2×3, the matrix is 3×2"],
  },
  {
    what: 'feeding an input of the wrong shape',
    run: () => {
      const g = new Graph();
      g.input('x', 2, 3).feed(f64(3, 2));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["feed: Tensor 'x' [2×3] needs 2×3, the matrix is 3×2"],
  },
  {
    what: 'feeding the wrong dtype',
    run: () => {
      const g = new Graph({ dtype: 'float64' });
      g.input('x', 1, 2).feed(new Matrix(1, 2, 'float32'));
    },
    cls: DtypeError, code: 'E_DTYPE',
    says: ["feed: Tensor 'x' [1×2] is float64, the matrix is float32"],
  },
  {
    what: 'a parameter of the other dtype (mixing dtypes in one graph)',
    run: () => {
      const g = new Graph({ dtype: 'float32' });
      g.param('w', f64(2, 2));
    },
    cls: DtypeError, code: 'E_DTYPE',
    says: ["param 'w'", 'the graph is float32, the value is float64', "matrix.to('float32')"],
  },
  {
    what: 'a graph of an unknown dtype',
    run: () => new Graph({ dtype: 'float16' as never }),
    cls: DtypeError, code: 'E_DTYPE',
    says: ['float16'],
  },
  {
    what: 'using a node in two graphs',
    run: () => {
      const g1 = new Graph();
      const g2 = new Graph();
      mul(g1.param('a', f64(1, 1)), g2.param('b', f64(1, 1)), 'm');
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["Mul 'm'", "input 1 Tensor 'b' [1×1] belongs to another graph"],
  },
  {
    what: 'running a node in a graph it does not belong to',
    run: () => {
      const g1 = new Graph();
      new Graph().forward(tanh(g1.param('a', f64(1, 1)), 't'));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["forward: Tanh 't' [1×1] belongs to another graph"],
  },
  {
    what: 'a cycle through ref.bind',
    run: () => {
      const g = new Graph();
      const r = g.ref('h_prev', 1, 2);
      r.bind(tanh(r, 'h'));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["binding Ref 'h_prev' [1×2] to Tanh 'h' [1×2] would close a cycle", 'h_prev → h → h_prev'],
  },
  {
    what: 'binding a reference to a node of another shape',
    run: () => {
      const g = new Graph();
      g.ref('r', 1, 2).bind(g.param('p', f64(2, 2)));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["Ref 'r'", 'the reference is 1×2', "Tensor 'p' [2×2]"],
  },
  {
    what: 'binding a reference twice',
    run: () => {
      const g = new Graph();
      const r = g.ref('r', 1, 1).bind(g.param('p', f64(1, 1)));
      r.bind(g.param('q', f64(1, 1)));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["Ref 'r' [1×1] is already bound to Tensor 'p' [1×1]"],
  },
  {
    what: 'an unbound reference at forward',
    run: () => {
      const g = new Graph();
      g.forward(tanh(g.ref('r', 1, 1), 't'));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["Ref 'r' [1×1] was never bound"],
  },
  {
    what: 'an unbound reference at validate',
    run: () => {
      const g = new Graph();
      g.ref('r', 1, 1);
      g.validate();
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["validate: Ref 'r' [1×1] was never bound"],
  },
  {
    what: 'forward with an unfed input',
    run: () => {
      const g = new Graph();
      g.forward(tanh(g.input('x', 1, 3), 't'));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["input Tensor 'x' [1×3] was not fed since the last reset"],
  },
  {
    what: 'duplicate node names, scopes included',
    run: () => {
      const g = new Graph();
      g.scope('lstm', () => {
        g.param('W', f64(1, 1));
        g.param('W', f64(1, 1));
      });
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["a node named 'lstm.W' already exists"],
  },
  {
    what: 'an empty node name',
    run: () => new Graph().param('', f64(1, 1)),
    cls: WiringError, code: 'E_WIRING',
    says: ['a node name must be a non-empty string'],
  },
  {
    what: 'feeding a parameter',
    run: () => new Graph().param('w', f64(1, 1)).feed(f64(1, 1)),
    cls: WiringError, code: 'E_WIRING',
    says: ["feed: Tensor 'w' [1×1] is a param, only inputs are fed"],
  },
  {
    what: 'assigning to an op node',
    run: () => {
      const g = new Graph();
      tanh(g.param('w', f64(1, 1)), 't').assign(f64(1, 1));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["assign: Tanh 't' [1×1] is an op output"],
  },
  {
    what: 'assigning to an input',
    run: () => new Graph().input('x', 1, 1).assign(f64(1, 1)),
    cls: WiringError, code: 'E_WIRING',
    says: ["assign: Tensor 'x' [1×1] is an input; use feed"],
  },
  {
    what: 'an unknown node name',
    run: () => new Graph().node('decoder.W'),
    cls: WiringError, code: 'E_WIRING',
    says: ["no node named 'decoder.W'"],
  },
  {
    what: 'the wrong number of inputs',
    run: () => {
      const g = new Graph();
      g.apply(Add, [g.param('a', f64(1, 1))], {}, 'lonely');
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["Add 'lonely': takes 2 inputs, got 1"],
  },
  {
    what: 'with checkNumerics, the log of a negative names the node and the index',
    run: () => {
      const g = new Graph({ checkNumerics: true });
      const x = g.input('x', 2, 2);
      x.feed([[1, 2], [-3, 4]]);
      g.forward(sum(log(tanh(x, 'squash'), 'logp')));
    },
    cls: NumericsError, code: 'E_NUMERICS',
    says: ["Log 'logp' [2×2] produced NaN at index 2 (row 1, col 0)"],
  },
  {
    what: 'with checkNumerics, an Inf fed is refused at the feed',
    run: () => {
      const g = new Graph({ checkNumerics: true });
      g.input('x', 1, 3).feed([[0, 1, Infinity]]);
    },
    cls: NumericsError, code: 'E_NUMERICS',
    says: ["Tensor 'x' [1×3] was fed Infinity at index 2 (row 0, col 2)"],
  },
  {
    what: 'with checkNumerics, a non-finite gradient names the first node that received it',
    run: () => {
      const g = new Graph({ checkNumerics: true });
      const w = g.param('w', Matrix.from([[0.5, 1e-320]])); // ln is finite there, 1/w is not
      g.backward(sum(log(w, 'logw')));
    },
    cls: NumericsError, code: 'E_NUMERICS',
    says: ["Tensor 'w' [1×2] received a gradient of Infinity at index 1"],
  },
  {
    what: 'with checkNumerics, a parameter an update broke is named itself, not its consumer',
    run: () => {
      const g = new Graph({ checkNumerics: true });
      const w = g.param('w', f64(1, 2));
      const loss = sum(tanh(w, 'h'));
      g.forward(loss);
      w.value.data[1] = NaN; // an in-place update gone wrong
      g.invalidate();
      g.forward(loss);
    },
    cls: NumericsError, code: 'E_NUMERICS',
    says: ["Tensor 'w' [1×2] holds NaN at index 1 (row 0, col 1)"],
  },
  {
    what: 'a delivered gradient of the wrong shape',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 2));
      const h = tanh(w, 'h');
      g.beginBackward(sum(h)).deliver(w, 'h#0', f64(2, 1));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["deliver from 'h#0': Tensor 'w' [1×2] needs 1×2, the matrix is 2×1"],
  },
  {
    what: 'something that is not a node given as an input',
    run: () => {
      const g = new Graph();
      mul(g.param('w', f64(1, 1)), 3 as never, 'times3');
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["Mul 'times3': input 1 is not a node"],
  },
  {
    what: 'an injected gradient of the wrong shape',
    run: () => {
      const g = new Graph();
      tanh(g.param('w', f64(2, 2)), 'h').inject('kl', f64(1, 2));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["inject 'kl'", "Tanh 'h' [2×2] needs 2×2, the matrix is 1×2"],
  },
  {
    what: 'an injection source named like an engine edge',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 1));
      tanh(w, 't');
      w.inject('t#0', f64(1, 1));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["inject: Tensor 'w' [1×1] cannot take a source named 't#0'"],
  },
  {
    what: 'an injection source named seed',
    run: () => new Graph().param('w', f64(1, 1)).inject('seed', f64(1, 1)),
    cls: WiringError, code: 'E_WIRING',
    says: ["cannot take a source named 'seed'"],
  },
  {
    what: 'an injection function that returns the wrong shape',
    run: () => {
      const g = new Graph();
      const h = tanh(g.param('w', f64(2, 2)), 'h').inject('aux', () => f64(2, 1));
      g.backward(sum(h));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["inject 'aux'", 'needs 2×2, the matrix is 2×1'],
  },
  {
    what: 'an interceptor that returns the wrong shape',
    run: () => {
      const g = new Graph();
      const h = tanh(g.param('w', f64(2, 2)), 'h').intercept(() => f64(1, 1));
      g.backward(sum(h));
    },
    cls: ShapeError, code: 'E_SHAPE',
    says: ["intercept: Tanh 'h' [2×2] needs 2×2, the matrix is 1×1"],
  },
  {
    what: 'a delivered gradient from an unknown source',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 1));
      g.beginBackward(tanh(w, 't')).deliver(w, 'ghost', f64(1, 1));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["deliver: Tensor 'w' [1×1] does not wait for a gradient from 'ghost'"],
  },
  {
    what: 'running a backward pass after a newer one began (they share the nodes\u2019 buffers)',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 2));
      const first = g.beginBackward(sum(tanh(w, 'h'), 'all', 'a'));
      g.backward(sum(mul(w, w), 'all', 'b'));
      first.run();
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["run: the backward pass from Sum 'a' [1×1] is stale: a reset or a newer pass came since it began"],
  },
  {
    what: 'a backward of the same graph started inside an interceptor',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 2));
      const other = sum(mul(w, w), 'all', 'other');
      const h = tanh(w, 'h').intercept((grad) => {
        g.backward(other);
        return grad;
      });
      g.backward(sum(h, 'all', 'loss'));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["deliver: the backward pass from Sum 'loss' [1×1] is stale"],
  },
  {
    what: 'a delivered gradient to a node outside the pass',
    run: () => {
      const g = new Graph();
      const w = g.param('w', f64(1, 1));
      const other = g.param('other', f64(1, 1));
      g.beginBackward(tanh(w, 't')).deliver(other, 't#0', f64(1, 1));
    },
    cls: WiringError, code: 'E_WIRING',
    says: ["deliver: Tensor 'other' [1×1] takes no part in this backward pass"],
  },
  {
    what: 'gradcheck on a float32 graph',
    run: () => {
      const g = new Graph({ dtype: 'float32' });
      gradcheck(sum(tanh(g.param('w', new Matrix(2, 2, 'float32')), 'h')));
    },
    cls: DtypeError, code: 'E_DTYPE',
    says: ['gradient checks run in float64', 'float32'],
  },
  {
    what: 'directional gradcheck on a float32 graph',
    run: () => {
      const g = new Graph({ dtype: 'float32' });
      gradcheckDirectional(sum(g.param('w', new Matrix(2, 2, 'float32'))), new Rng(1));
    },
    cls: DtypeError, code: 'E_DTYPE',
    says: ['float64', 'float32'],
  },
  {
    what: 'gradcheck from a non-scalar root',
    run: () => gradcheck(tanh(new Graph().param('w', f64(2, 2)), 'h')),
    cls: ShapeError, code: 'E_SHAPE',
    says: ["the root Tanh 'h' [2×2] must be a scalar (1×1)"],
  },
  {
    what: 'a random graph from kinds that carry no test metadata',
    run: () => randomGraph(1, { kinds: [Ref] }),
    cls: UsageError, code: 'E_USAGE',
    says: ['randomGraph: none of the given kinds has test metadata'],
  },
  {
    what: 'concatenating nothing',
    run: () => concat([], 'empty'),
    cls: WiringError, code: 'E_WIRING',
    says: ["Concat 'empty': takes one or more inputs, got none"],
  },
  {
    what: 'an input of no rows',
    run: () => new Graph().input('x', 0, 3),
    cls: ShapeError, code: 'E_SHAPE',
    says: ["Tensor 'x'", 'rows and cols must be positive integers, got 0×3'],
  },
  {
    what: 'a matrix of no rows',
    run: () => new Matrix(0, 3),
    cls: ShapeError, code: 'E_SHAPE',
    says: ['0×3'],
  },
  {
    what: 'a seed that is not a finite number',
    run: () => new Rng(NaN),
    cls: UsageError, code: 'E_USAGE',
    says: ['seed must be a finite number, got NaN'],
  },
];

describe('misuse is refused with a clear EngineError', () => {
  it('covers at least 16 cases', () => expect(misuses.length).toBeGreaterThanOrEqual(16));

  it.each(misuses.map((m) => [m.what, m] as const))('%s', (_what, m) => {
    let caught: unknown = null;
    try {
      m.run();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(m.cls);
    expect(caught).toBeInstanceOf(EngineError);
    const err = caught as EngineError;
    expect(err.code).toBe(m.code);
    expect(err.name).toBe(m.cls.name);
    for (const s of m.says) expect(err.message).toContain(s);
  });
});
