import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint } from '../src/io/checkpoint';
import { BuiltinModel, builtinDot, builtinModels } from '../src/models/index';
import { runCli } from './helpers';

describe('train and generate end to end (tiny settings)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('train lstm-sine writes metrics.jsonl, the checkpoint and the loss plot', async () => {
    const out = path.join(dir, 'lstm');
    const r = await runCli('train', 'lstm-sine', '--steps', '24', '--hidden', '4', '--batch', '2', '--seed', '3', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lstm-sine: final loss [\d.e-]+, held-out one-step MSE [\d.e-]+, /);
    expect(r.out).toContain(path.join(out, 'model.safetensors'));
    expect(r.err).toMatch(/lstm-sine: done 24 steps in /);
    const rows = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(rows.map((x) => x.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['elapsed', 'epoch', 'loss', 'lr', 'step']);
      expect(Number.isFinite(row.loss)).toBe(true);
    }
    const { metadata, tensors } = readCheckpoint(path.join(out, 'model.safetensors'));
    expect(metadata.model).toBe('lstm-sine');
    expect(JSON.parse(metadata.options)).toMatchObject({ hidden: 4, batch: 2, iterations: 24, seed: 3 });
    expect(tensors.get('lstm.W')?.shape).toEqual([2 + 4, 16]);
    expect(fs.readFileSync(path.join(out, 'loss.svg'), 'utf8')).toContain('loss per step');
    expect(fs.readFileSync(path.join(out, 'loss.png')).subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('generate --from that checkpoint writes the closed-loop points and plot', async () => {
    const ckpt = path.join(dir, 'lstm', 'model.safetensors');
    const out = path.join(dir, 'gen');
    const r = await runCli('generate', 'lstm-sine', '--from', ckpt, '--steps', '12', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/12 points in closed loop, largest error [\d.e-]+/);
    const csv = fs.readFileSync(path.join(out, 'generated.csv'), 'utf8').trimEnd().split('\n');
    expect(csv).toHaveLength(1 + 5 + 12);
    expect(csv.slice(1).filter((l) => l.endsWith(',1'))).toHaveLength(5);
    expect(fs.readFileSync(path.join(out, 'generated.svg'), 'utf8')).toContain('generated (closed loop)');
    expect(fs.existsSync(path.join(out, 'generated.png'))).toBe(true);
  });

  it('train vae-fmnist and sample from it write checkpoint, plots and PNG grids', async () => {
    const out = path.join(dir, 'vae');
    const fixture = path.join(__dirname, '..', 'data', 'fashion-mnist-mini');
    const t = await runCli('train', 'vae-fmnist', '--data', fixture, '--steps', '3', '--batch', '50', '--hidden', '16', '--latent', '2', '--eval', '10', '--out', out);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^vae-fmnist: final loss [\d.]+, held-out loss per image [\d.]+, mean training loss [\d.]+, steps 3, /);
    expect(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trimEnd().split('\n')).toHaveLength(3);
    expect(JSON.parse(readCheckpoint(path.join(out, 'model.safetensors')).metadata.options)).toMatchObject({ encoder: [16], decoder: [16], latent: 2 });
    const r = await runCli('sample', 'vae-fmnist', '--from', path.join(out, 'model.safetensors'), '--data', fixture, '--count', '4', '--pairs', '5', '--scale', '1');
    expect(r.code).toBe(0);
    const size = (file: string): number[] => {
      const png = fs.readFileSync(path.join(out, file));
      expect(png.toString('ascii', 12, 16)).toBe('IHDR');
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    // 8 tiles of 28 pixels per row with 2-pixel gaps; 5 originals take one row, their reconstructions the next
    expect(size('samples.png')).toEqual([8 * 30 + 2, 30 + 2]);
    expect(size('reconstructions.png')).toEqual([8 * 30 + 2, 2 * 30 + 2]);
  });

  it('a diverged run fails in one line and leaves the earlier checkpoint as it was', async () => {
    const out = path.join(dir, 'vae');
    const fixture = path.join(__dirname, '..', 'data', 'fashion-mnist-mini');
    const checkpoint = path.join(out, 'model.safetensors');
    const before = fs.readFileSync(checkpoint);
    const r = await runCli('train', 'vae-fmnist', '--data', fixture, '--lr', '1e4', '--steps', '5', '--batch', '50', '--hidden', '16', '--latent', '2', '--eval', '0', '--out', out);
    expect(r.code).toBe(1);
    const lines = r.err.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(/training diverged: parameter 'vae\.[\w.]+' holds NaN or Inf .*model\.safetensors was not written/);
    expect(fs.readFileSync(checkpoint).equals(before)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toContain('"loss":null');
  });

  it('demo trains the hand-wired net on XOR, checks its gradients and draws it', async () => {
    const out = path.join(dir, 'demo');
    const r = await runCli('demo', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gradcheck: ok, gradients correct for 4 node\(s\)/);
    const [, before, after] = /loss ([\d.]+) → ([\d.]+)/.exec(r.out) ?? [];
    expect(Number(after)).toBeLessThan(Number(before) / 10);
    expect(fs.readdirSync(out).sort()).toEqual(['demo.dot', 'demo.png', 'demo.svg']);
  });

  it('graph MODEL writes the same DOT as the committed built-in graph, plus SVG and PNG', async () => {
    const out = path.join(dir, 'graphs');
    const r = await runCli('graph', 'mlp-demo', '--svg', '--png', '--out', out);
    expect(r.code).toBe(0);
    const model = builtinModels.find((m) => m.name === 'mlp-demo');
    expect(fs.readFileSync(path.join(out, 'mlp-demo.dot'), 'utf8')).toBe(builtinDot(model as BuiltinModel));
    expect(fs.readdirSync(out).sort()).toEqual(['mlp-demo.dot', 'mlp-demo.png', 'mlp-demo.svg']);
  });

  it('a checkpoint of another model is refused in one line, exit 1', async () => {
    const out = path.join(dir, 'add');
    const t = await runCli('train', 'mlp-addition', '--epochs', '1', '--examples', '20', '--bits', '4', '--hidden', '8', '--out', out);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/mlp-addition: final loss [\d.]+, bit accuracy [\d.]+, epochs 1/);
    const r = await runCli('generate', 'lstm-sine', '--from', path.join(out, 'model.safetensors'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/holds model 'mlp-addition', not lstm-sine/);
    expect(fs.existsSync(path.join(out, 'generated.csv'))).toBe(false);
  });
});
