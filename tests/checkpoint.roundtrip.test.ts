import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckpointError, DType, encodeCheckpoint, Graph, graphFingerprint, init, IoError, loadCheckpoint, Matrix, readCheckpoint, Rng, saveCheckpoint } from '../src';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-ckpt-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Values whose bits a lossy path would change: signed zero, NaN payloads, subnormals, extremes. */
function awkward(dtype: DType, rows: number, cols: number, rng: Rng): Matrix {
  const m = init.normal(rng, rows, cols, 0, 1e3, dtype);
  const bits = dtype === 'float64' ? new BigUint64Array(m.data.buffer) : new Uint32Array(m.data.buffer);
  const special =
    dtype === 'float64'
      ? [0x8000000000000000n, 0x7ff8000000000001n, 0xfff0000000abcdefn, 0x0000000000000001n, 0x7fefffffffffffffn, 0x7ff0000000000000n]
      : [0x80000000, 0x7fc00001, 0xff800abc, 0x00000001, 0x7f7fffff, 0xff800000];
  special.forEach((v, i) => {
    if (i < bits.length) bits[i] = v as never;
  });
  return m;
}

const bytesOf = (m: Matrix): Buffer => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);

function model(dtype: DType, rng: Rng): Graph {
  const g = new Graph({ dtype });
  g.scope('layer1', () => {
    g.param('W', awkward(dtype, 4, 3, rng));
    g.param('b', awkward(dtype, 1, 3, rng));
  });
  g.param('out.W', awkward(dtype, 3, 2, rng));
  return g;
}

describe('checkpoint round trip', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`restores every bit of every parameter (${dtype})`, () => {
      const file = path.join(dir, `${dtype}.safetensors`);
      const source = model(dtype, new Rng(1));
      saveCheckpoint(file, source);
      const target = model(dtype, new Rng(2));
      expect(bytesOf(target.node('layer1.W').value).equals(bytesOf(source.node('layer1.W').value))).toBe(false);
      const result = loadCheckpoint(file, target);
      expect(result.loaded).toEqual(['layer1.W', 'layer1.b', 'out.W']);
      source.parameters().forEach((p) => expect(bytesOf(target.node(p.name).value).equals(bytesOf(p.value))).toBe(true));
    });
  }

  it('carries user metadata and optimizer state (tensors and values) through', () => {
    const file = path.join(dir, 'm.safetensors');
    const g = model('float64', new Rng(3));
    const moment = init.normal(new Rng(4), 4, 3);
    saveCheckpoint(file, g, {
      metadata: { epoch: '12', note: 'ünïcødé ✓' },
      optimizerState: { tensors: { 'layer1.W.m': moment, 'layer1.W.v': moment.to('float32') }, meta: { step: '1200', kind: 'adam' } },
    });
    const result = loadCheckpoint(file, model('float64', new Rng(5)));
    expect(result.metadata).toEqual({ epoch: '12', note: 'ünïcødé ✓' });
    expect(result.optimizerState?.meta).toEqual({ step: '1200', kind: 'adam' });
    expect(Object.keys(result.optimizerState?.tensors ?? {})).toEqual(['layer1.W.m', 'layer1.W.v']);
    expect(bytesOf(result.optimizerState!.tensors['layer1.W.m']).equals(bytesOf(moment))).toBe(true);
    expect(result.optimizerState!.tensors['layer1.W.v'].dtype).toBe('float32');
    // without optimizer state there is none to restore
    saveCheckpoint(file, g);
    expect(loadCheckpoint(file, g).optimizerState).toBeNull();
  });

  it('readCheckpoint needs no graph and reports the fingerprint', () => {
    const file = path.join(dir, 'm.safetensors');
    const g = model('float32', new Rng(6));
    saveCheckpoint(file, g);
    const { tensors, metadata } = readCheckpoint(file);
    expect([...tensors.keys()]).toEqual(['layer1.W', 'layer1.b', 'out.W']);
    expect(metadata['wiregrad.fingerprint']).toBe(graphFingerprint(g));
  });

  it('the fingerprint depends on names, shapes and dtype, not on creation order', () => {
    const make = (order: string[], dtype: DType = 'float64', bRows = 1): Graph => {
      const g = new Graph({ dtype });
      for (const n of order) g.param(n, new Matrix(n === 'b' ? bRows : 2, 2, dtype));
      return g;
    };
    const base = graphFingerprint(make(['a', 'b']));
    expect(graphFingerprint(make(['b', 'a']))).toBe(base);
    expect(graphFingerprint(make(['a', 'c']))).not.toBe(base);
    expect(graphFingerprint(make(['a', 'b'], 'float32'))).not.toBe(base);
    expect(graphFingerprint(make(['a', 'b'], 'float64', 3))).not.toBe(base);
  });

  it('not strict: loads the parameters both share, leaves the others', () => {
    const file = path.join(dir, 'm.safetensors');
    const source = model('float64', new Rng(7));
    saveCheckpoint(file, source);
    const g = new Graph();
    g.param('out.W', new Matrix(3, 2));
    const extra = g.param('head', Matrix.from([[9]]));
    expect(loadCheckpoint(file, g, { strict: false }).loaded).toEqual(['out.W']);
    expect(bytesOf(g.node('out.W').value).equals(bytesOf(source.node('out.W').value))).toBe(true);
    expect(extra.value.data[0]).toBe(9);
  });

  it('refuses reserved names before writing anything', () => {
    const file = path.join(dir, 'm.safetensors');
    const g = new Graph();
    g.param('optim.x', new Matrix(1, 1));
    expect(() => saveCheckpoint(file, g)).toThrow(CheckpointError);
    expect(() => saveCheckpoint(file, model('float64', new Rng(8)), { metadata: { 'wiregrad.fingerprint': 'x' } })).toThrow(/reserved/);
    const h = new Graph();
    h.param('__metadata__', new Matrix(1, 1));
    expect(() => saveCheckpoint(file, h)).toThrow(`${file}: tensor name '__metadata__' is reserved`);
    expect(() => encodeCheckpoint([['a', new Matrix(1, 1)], ['a', new Matrix(1, 1)]], {}, 'x.safetensors')).toThrow("x.safetensors: tensor name 'a' is used twice");
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a failed save leaves the existing file byte-identical and no temp file behind', () => {
    const file = path.join(dir, 'm.safetensors');
    saveCheckpoint(file, model('float64', new Rng(9)));
    const before = fs.readFileSync(file);
    // fails before writing: a reserved metadata key
    expect(() => saveCheckpoint(file, model('float64', new Rng(10)), { metadata: { 'optim.step': '1' } })).toThrow(CheckpointError);
    // fails while writing: the target folder does not exist, or the target is a folder
    expect(() => saveCheckpoint(path.join(dir, 'absent', 'm.safetensors'), model('float64', new Rng(10)))).toThrow(IoError);
    fs.mkdirSync(path.join(dir, 'taken'));
    fs.writeFileSync(path.join(dir, 'taken', 'inside'), 'kept');
    expect(() => saveCheckpoint(path.join(dir, 'taken'), model('float64', new Rng(10)))).toThrow(/taken: cannot write/);
    expect(fs.readFileSync(path.join(dir, 'taken', 'inside'), 'utf8')).toBe('kept');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['m.safetensors', 'taken']);
  });
});
