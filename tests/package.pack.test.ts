import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '..');
const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const haveNpm = npm.status === 0;
const maybe = haveNpm ? it : it.skip;

/** Newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** dist/ is git-ignored and built by the package's prepare script; build it here when missing or older than src/. */
function ensureBuilt(): void {
  const index = path.join(repo, 'dist', 'index.js');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newest(path.join(repo, 'src'))) return;
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'pipe' });
}

const program = `
const w = require('wiregrad');
const g = new w.Graph();
const p = g.param('p', w.Matrix.from([[0.5, -1]]));
const loss = w.sum(w.mul(w.tanh(p), p));
g.backward(loss);
console.log(JSON.stringify({ loss: loss.value.data[0], grad: Array.from(p.grad.data) }));
`;

const typed = `
import { Graph, Matrix, Node, sum, tanh } from 'wiregrad';
const g: Graph = new Graph({ dtype: 'float64' });
const p: Node = g.param('p', Matrix.scalar(1));
const rows: number = g.forward(sum(tanh(p))).rows;
export { rows };
`;

describe(haveNpm ? 'the npm package' : 'the npm package (skipped: npm is not on PATH)', () => {
  maybe('packs, installs into a fresh project, runs a graph, and its types resolve', () => {
    ensureBuilt();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-pack-'));
    try {
      // the prepare script would rebuild dist; it was built just above
      const packed = JSON.parse(
        execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      ) as { filename: string; files: { path: string }[] }[];
      const files = packed[0].files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/testing/gradcheck.d.ts']));
      expect(files.filter((f) => f.startsWith('src/') || f.startsWith('tests/'))).toEqual([]);

      const app = path.join(scratch, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }));
      execFileSync('npm', ['install', path.join(scratch, packed[0].filename), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, stdio: 'pipe' });

      const out = JSON.parse(execFileSync(process.execPath, ['-e', program], { cwd: app, encoding: 'utf8' })) as { loss: number; grad: number[] };
      const expected = [0.5, -1].map((v) => Math.tanh(v) + v * (1 - Math.tanh(v) ** 2));
      expect(out.loss).toBeCloseTo(0.5 * Math.tanh(0.5) - Math.tanh(-1), 14);
      out.grad.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));

      // types come from the package's index.d.ts: a correct program compiles, a mistyped one does not
      const options = { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', types: [] };
      fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['good.ts', 'bad.ts'] }));
      fs.writeFileSync(path.join(app, 'good.ts'), typed);
      fs.writeFileSync(path.join(app, 'bad.ts'), typed.replace('const rows: number', 'const rows: string'));
      const tsc = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
      const errors = tsc.stdout.split('\n').filter((line) => line.includes('error TS'));
      expect(errors).toEqual([expect.stringMatching(/^bad\.ts\(5,7\): error TS2322: Type 'number' is not assignable to type 'string'/)]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 60000);
});
