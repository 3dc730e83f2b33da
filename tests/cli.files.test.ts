import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { savePlot, saveFile } from '../src/cli/files';
import { ensureDir } from '../src/io/folder';
import { finalLoss, saveLossPlot } from '../src/cli/train';

describe('CLI output files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes output folders with their parents, and names a folder it cannot make', () => {
    expect(ensureDir(path.join(dir, 'a', 'b'))).toBe(path.join(dir, 'a', 'b'));
    expect(fs.statSync(path.join(dir, 'a', 'b')).isDirectory()).toBe(true);
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(() => ensureDir(path.join(dir, 'file'))).toThrow(/file: the output folder is a file/);
    expect(() => ensureDir(path.join(dir, 'file', 'sub'))).toThrow(/sub: cannot create the output folder \(ENOTDIR\)/);
  });

  it('writes a plot as SVG and PNG', () => {
    const files = savePlot(path.join(dir, 'loss'), [{ name: 'loss', y: [3, 2, 1] }], { title: 'loss' });
    expect(files).toEqual([path.join(dir, 'loss.svg'), path.join(dir, 'loss.png')]);
    expect(fs.readFileSync(files[0], 'utf8')).toContain('<svg');
    expect([...fs.readFileSync(files[1]).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it('a long run is drawn per bin of steps, and a one-step spike still shows', () => {
    const history = Array.from({ length: 6000 }, (_, i) => ({ step: i + 1, epoch: 1, lr: 0.1, loss: i === 4321 ? 50 : 1 + (i % 7) / 10 }));
    const [svgFile] = saveLossPlot(path.join(dir, 'loss'), 'm', history, false);
    const svg = fs.readFileSync(svgFile, 'utf8');
    const d = (svg.match(/data-series="loss per step"[^>]* d="([^"]+)"/) as RegExpMatchArray)[1];
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(2 * 1500);
    expect(svg).toContain('>50<'); // the y axis reaches the spike
    expect(svg).toContain('running median (120 steps)');
    expect(finalLoss(history)).toBeCloseTo(1.3, 10);
  });

  it('a failed save leaves the existing files as they were and no temp file behind', () => {
    const base = path.join(dir, 'loss');
    fs.writeFileSync(`${base}.svg`, 'old svg');
    fs.writeFileSync(`${base}.png`, 'old png');
    expect(() => savePlot(base, [{ name: 'loss', y: [1], color: 'red' }], { title: 'loss' })).toThrow(/#rrggbb/);
    // the target is a folder: the rename fails after the temp file was written
    fs.mkdirSync(path.join(dir, 'taken'));
    expect(() => saveFile(path.join(dir, 'taken'), 'new')).toThrow(/taken: cannot write/);
    expect(fs.readFileSync(`${base}.svg`, 'utf8')).toBe('old svg');
    expect(fs.readFileSync(`${base}.png`, 'utf8')).toBe('old png');
    expect(fs.readdirSync(dir).sort()).toEqual(['loss.png', 'loss.svg', 'taken']);
  });
});
