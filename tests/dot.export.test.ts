import { add, EngineError, Graph, inner, Matrix, mul, Node, Rng, sum, tanh, init } from '../src';
import { dotColours, toDot } from '../src/graph/dot';

/** The statement line of one node in DOT text. */
function lineOf(dot: string, name: string): string {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`"${name}" [`));
  if (line === undefined) throw new Error(`no statement for node ${name} in:\n${dot}`);
  return line;
}

/** An unrolled recurrence: one weight read at every step, steps scoped as rnn.t0, rnn.t1, … */
function unrolled(steps: number): { g: Graph; w: Node; loss: Node } {
  const rng = new Rng(3);
  const g = new Graph();
  const w = g.param('W', init.normal(rng, 3, 3));
  let h = g.input('h0', 1, 3).feed(init.normal(rng, 1, 3));
  for (let t = 0; t < steps; t++) h = g.scope('rnn', () => g.scope(`t${t}`, () => tanh(inner(h, w, 'pre'), 'h')));
  const loss = sum(mul(h, h, 'sq'), 'all', 'loss');
  return { g, w, loss };
}

describe('toDot', () => {
  it('labels every node with kind, name and shape, and leaves with their role', () => {
    const g = new Graph();
    const x = g.input('x', 5, 4);
    const w = g.param('W', Matrix.zeros(4, 8));
    const c = g.constant('c', Matrix.zeros(1, 8));
    const dot = toDot(add(inner(x, w, 'xW'), c, 'z'));
    expect(lineOf(dot, 'xW')).toMatch(/<B>Inner<\/B><BR\/>xW<BR\/>.*5×8/);
    expect(lineOf(dot, 'z')).toMatch(/<B>Add<\/B><BR\/>z<BR\/>.*5×8/);
    expect(lineOf(dot, 'x')).toContain('input 5×4');
    expect(lineOf(dot, 'W')).toContain('param 4×8');
    expect(lineOf(dot, 'c')).toContain('const 1×8');
    expect(lineOf(dot, 'W')).toContain(`fillcolor="${dotColours.param.fill}"`);
    expect(lineOf(dot, 'x')).toContain(`fillcolor="${dotColours.input.fill}"`);
    expect(lineOf(dot, 'z')).toContain('peripheries="2"'); // the root
  });

  it('draws only what the roots depend on', () => {
    const g = new Graph();
    const a = g.param('a', Matrix.scalar(1));
    const unused = tanh(a, 'unused');
    const dot = toDot(mul(a, a, 'sq'));
    expect(dot).not.toContain(`"${unused.name}"`);
    expect(toDot([g.node('sq'), unused])).toContain('"unused" [');
  });

  it('nests clusters by the dotted scopes of the names', () => {
    const { loss } = unrolled(2);
    const lines = toDot(loss).split('\n');
    const at = (text: string): number => lines.findIndex((l) => l === text);
    const outer = at('  subgraph "cluster_rnn" {');
    const inner0 = at('    subgraph "cluster_rnn.t0" {');
    const node = lines.findIndex((l) => l.startsWith('      "rnn.t0.pre" ['));
    const inner1 = at('    subgraph "cluster_rnn.t1" {');
    expect(outer).toBeGreaterThan(0);
    expect(inner0).toBeGreaterThan(outer);
    expect(node).toBeGreaterThan(inner0);
    expect(inner1).toBeGreaterThan(node);
    expect(lines).toContain('      graph [label="rnn.t0", labeljust="l", style="rounded,filled", fillcolor="#f6f8fa", color="#c5cdd6", fontcolor="#57606a", fontsize="11"];');
    expect(lines.filter((l) => l.includes('subgraph')).length).toBe(3);
  });

  it('marks a parameter read by several consumers as shared, and only that one', () => {
    const { loss } = unrolled(5);
    const dot = toDot(loss);
    expect(lineOf(dot, 'W')).toContain('shared ×5');
    expect(lineOf(dot, 'W')).toContain(`fillcolor="${dotColours.shared.fill}"`);
    expect(lineOf(dot, 'W')).toContain('penwidth="2.4"');
    expect(dot.match(/shared ×/g)).toHaveLength(1);

    const g = new Graph();
    const x = g.param('x', Matrix.scalar(2));
    expect(toDot(mul(x, x))).not.toContain('shared'); // two slots of one consumer are not sharing
  });

  it('labels the slots only where one input fills two slots of a consumer', () => {
    const g = new Graph();
    const x = g.param('x', Matrix.scalar(2));
    const y = g.param('y', Matrix.scalar(3));
    const dot = toDot(add(mul(x, x, 'xx'), y, 'out'));
    expect(dot).toContain('"x" -> "xx" [xlabel="#0"];');
    expect(dot).toContain('"x" -> "xx" [xlabel="#1"];');
    expect(dot).toContain('"xx" -> "out";');
    expect(dot).toContain('"y" -> "out";');
  });

  it('shows gradient norms only when asked', () => {
    const { g, w, loss } = unrolled(3);
    g.backward(loss);
    const norm = (w.grad as Matrix).norm();
    expect(norm).toBeGreaterThan(0);
    expect(lineOf(toDot(loss, { gradients: true }), 'W')).toContain(`‖g‖ ${norm.toPrecision(3)}`);
    expect(toDot(loss)).not.toContain('‖g‖');
  });

  it('fills nodes with a NaN or Inf in their value or gradient red', () => {
    const g = new Graph();
    const a = g.param('a', Matrix.from([[1, Number.NaN]]));
    const b = g.param('b', Matrix.from([[1, 2]]));
    const s = sum(mul(a, b, 'ab'), 'all', 's');
    const red = `fillcolor="${dotColours.nonFinite.fill}"`;
    expect(lineOf(toDot(s), 'a')).toContain(red);
    expect(lineOf(toDot(s), 'ab')).not.toContain(red); // not computed yet: its buffer means nothing
    g.backward(s);
    const dot = toDot(s);
    expect(lineOf(dot, 'ab')).toContain(red);
    expect(lineOf(dot, 'ab')).toContain('NaN/Inf in value');
    expect(lineOf(dot, 'b')).toContain(red); // its value is fine, its gradient a ⊙ g is not
    expect(lineOf(dot, 'b')).toContain('NaN/Inf in gradient');

    const ok = new Graph();
    const p = ok.param('p', Matrix.from([[1, 2]]));
    const q = sum(mul(p, p));
    ok.backward(q);
    expect(toDot(q)).not.toContain(dotColours.nonFinite.fill);
  });

  it('uses only #rrggbb colours', () => {
    const { g, loss } = unrolled(3);
    g.param('nan', Matrix.scalar(Number.NaN));
    g.backward(loss);
    const dot = toDot([loss, g.node('nan')], { gradients: true, title: 'all styles' });
    const colours = [...dot.matchAll(/(?:color|COLOR|bgcolor)="([^"]*)"/g)].map((m) => m[1]);
    expect(colours.length).toBeGreaterThan(10);
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(dot).not.toMatch(/#[0-9a-fA-F]{3}(?![0-9a-fA-F])/);
  });

  it('quotes ids and escapes quotes, backslashes and line breaks; label text is HTML-escaped', () => {
    const g = new Graph();
    const odd = g.param('say "hi"\\now<&>', Matrix.scalar(1));
    const two = g.param('two\nlines', Matrix.scalar(1));
    const dot = toDot(mul(odd, two, 'm'));
    expect(dot).toContain('"say \\"hi\\"\\\\now<&>" [label=<<B>Tensor</B><BR/>say &quot;hi&quot;\\now&lt;&amp;&gt;<BR/>');
    expect(dot).toContain('"two\\nlines" [');
    expect(dot).toContain('"say \\"hi\\"\\\\now<&>" -> "m";');
  });

  it('draws a forward reference with a dashed edge from the node it is bound to', () => {
    const g = new Graph();
    const prev = g.ref('prev', 1, 2);
    const x = g.param('x', Matrix.from([[1, 2]]));
    const h = tanh(add(x, prev, 'mix'), 'h');
    const target = g.param('target', Matrix.from([[0, 1]]));
    prev.bind(target);
    const dot = toDot(h);
    expect(dot).toContain('"target" -> "prev" [style="dashed", color="#8250df", constraint="false"];');
    expect(lineOf(dot, 'prev')).toContain('style="rounded,filled,dashed"');
  });

  it('is deterministic: two builds, and either root order, give identical text', () => {
    const one = unrolled(4);
    const two = unrolled(4);
    one.g.backward(one.loss);
    two.g.backward(two.loss);
    expect(toDot(one.loss, { gradients: true })).toBe(toDot(two.loss, { gradients: true }));
    const h = one.g.node('rnn.t1.h');
    expect(toDot([one.loss, h])).toBe(toDot([h, one.loss]));
  });

  it('takes a title and a direction, and refuses bad arguments', () => {
    const { loss } = unrolled(1);
    const dot = toDot(loss, { title: 'an "rnn"', rankdir: 'LR' });
    expect(dot.split('\n')[0]).toBe('digraph "an \\"rnn\\"" {');
    expect(dot).toContain('rankdir="LR"');
    expect(dot).toContain('label="an \\"rnn\\"", labelloc="t"');
    expect(toDot(loss)).toContain('rankdir="TB"');
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return e instanceof EngineError ? e.code : 'not an EngineError';
      }
      return undefined;
    };
    expect(codeOf(() => toDot([]))).toBe('E_USAGE');
    expect(codeOf(() => toDot(loss, { rankdir: 'XY' as 'TB' }))).toBe('E_USAGE');
    expect(codeOf(() => toDot([loss, new Graph().param('p', Matrix.scalar(1))]))).toBe('E_USAGE');
  });
});
