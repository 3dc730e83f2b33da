import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { inflateSync } from 'zlib';
import { EngineError, Graph, Matrix, mul, tanh } from '../src';
import { toDot } from '../src/graph/dot';
import { renderSvg, svgToPng, writeGraph } from '../src/io/render';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width, height and the RGBA of the top-left pixel of an 8-bit RGBA PNG. */
function pngInfo(png: Buffer): { width: number; height: number; firstPixel: number[] } {
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8-bit RGBA
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  // Every filter leaves the first pixel of the first row as it is (its neighbours count as 0).
  const raw = inflateSync(Buffer.concat(idat));
  return { width, height, firstPixel: [...raw.subarray(1, 5)] };
}

function smallGraph(): ReturnType<typeof tanh> {
  const g = new Graph();
  const x = g.param('x', Matrix.from([[1, 2]]));
  return g.scope('block', () => tanh(mul(x, x, 'sq'), 'out'));
}

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return e instanceof EngineError ? e.code : 'not an EngineError';
  }
  return undefined;
}

describe('rendering', () => {
  it('renderSvg lays DOT out as an SVG document', async () => {
    const svg = await renderSvg(toDot(smallGraph(), { title: 'small' }));
    expect(svg).toMatch(/<svg [^>]*width="\d+pt"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>cluster_block</title>');
    expect(svg).toContain('>Tanh</text>');
    expect(await codeOf(() => renderSvg('digraph { a -> '))).toBe('E_USAGE');
  });

  it('svgToPng draws a PNG at the asked scale over an opaque background', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="6"><rect x="5" y="0" width="5" height="6" fill="#000000"/></svg>';
    const png = svgToPng(svg);
    expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
    expect(pngInfo(png)).toEqual({ width: 20, height: 12, firstPixel: [255, 255, 255, 255] });
    expect(pngInfo(svgToPng(svg, { scale: 1, background: '#336699' }))).toEqual({ width: 10, height: 6, firstPixel: [0x33, 0x66, 0x99, 255] });
    expect(() => svgToPng('not svg')).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => svgToPng(svg, { scale: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('writeGraph', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wiregrad-dot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the DOT, and the SVG and PNG beside it, creating the folder', async () => {
    const root = smallGraph();
    const path = join(dir, 'a', 'b', 'small.dot');
    const written = await writeGraph(root, path, { svg: true, png: true, rankdir: 'LR' });
    expect(written).toEqual([path, join(dir, 'a', 'b', 'small.svg'), join(dir, 'a', 'b', 'small.png')]);
    expect(readFileSync(path, 'utf8')).toBe(toDot(root, { rankdir: 'LR' }));
    expect(readFileSync(written[1], 'utf8')).toContain('<svg');
    expect([...readFileSync(written[2]).subarray(0, 8)]).toEqual(PNG_MAGIC);
    expect(readdirSync(join(dir, 'a', 'b')).sort()).toEqual(['small.dot', 'small.png', 'small.svg']); // no temp files left
  });

  it('writes only the DOT unless asked, and names the path when it cannot write', async () => {
    const root = smallGraph();
    await writeGraph(root, join(dir, 'only.dot'));
    expect(readdirSync(dir)).toEqual(['only.dot']);

    writeFileSync(join(dir, 'file'), 'x');
    const blocked = join(dir, 'file', 'g.dot');
    await expect(writeGraph(root, blocked)).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining(join(dir, 'file')) });
    expect(existsSync(blocked)).toBe(false);
    expect(await codeOf(() => writeGraph(root, join(dir, 'g.svg')))).toBe('E_USAGE');
  });
});
