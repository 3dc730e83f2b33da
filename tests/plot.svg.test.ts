import { linePlot, niceTicks } from '../src/io/plot';

/** A small check that tags open and close in order (the SVG is XML). */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
}

describe('SVG line plots', () => {
  const loss = Array.from({ length: 50 }, (_, i) => 2 * Math.exp(-i / 10));

  it('is well-formed and draws every series, title, labels and legend', () => {
    const svg = linePlot(
      [
        { name: 'train <loss>', y: loss },
        { name: 'seed points', x: [0, 1, 2], y: [0.1, 0.2, 0.3], points: true, color: '#009e73' },
      ],
      { title: 'A & B', xLabel: 'step', yLabel: 'loss' },
    );
    expect(svg.startsWith('<?xml')).toBe(true);
    expectWellFormed(svg);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('train &lt;loss&gt;');
    const path = svg.match(/<path data-series="train &lt;loss&gt;"[^>]* d="([^"]+)"/);
    expect(path).not.toBeNull();
    expect((path as RegExpMatchArray)[1].split(/[ML]/).filter(Boolean)).toHaveLength(loss.length);
    expect(svg.match(/<circle /g)?.length).toBe(3 + 1); // three points and the legend marker
    expect(svg).not.toMatch(/#[0-9a-fA-F]{3}"/);
  });

  it('breaks the line at NaN and leaves values ≤ 0 off a log axis', () => {
    const svg = linePlot([{ name: 'l', y: [1, NaN, 0.1, 0, 0.01] }], { title: 't', logY: true });
    const d = (svg.match(/ d="([^"]+)"/) as RegExpMatchArray)[1];
    expect(d.match(/M/g)?.length).toBe(3);
    expect(d).not.toContain('NaN');
    expect(svg).toContain('>0.01<');
  });

  it('refuses bad input with a clear message', () => {
    expect(() => linePlot([], { title: 'empty' })).toThrow(/no series/);
    expect(() => linePlot([{ name: 's', x: [1], y: [1, 2] }], { title: 't' })).toThrow(/1 x values and 2 y values/);
    expect(() => linePlot([{ name: 's', y: [1], color: '#abc' }], { title: 't' })).toThrow(/#rrggbb/);
  });

  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 4)).toEqual([0, 50, 100]);
  });
});
