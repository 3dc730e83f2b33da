import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CHECKPOINT_MAX_HEADER,
  CheckpointError,
  encodeCheckpoint,
  FINGERPRINT_KEY,
  Graph,
  graphFingerprint,
  loadCheckpoint,
  Matrix,
  parseCheckpoint,
  readCheckpoint,
  saveCheckpoint,
} from '../src';
import { expectCodedError } from './helpers';

const NAME = 'runs/model.safetensors';

function checkpointError(fn: () => unknown, name: string, pattern?: RegExp): void {
  const message = expectCodedError(fn, CheckpointError, 'E_CHECKPOINT', name);
  if (pattern) expect(message).toMatch(pattern);
}

/** Checkpoint bytes from a header object and a data section, written by hand (not by the encoder). */
function raw(header: unknown, data: Uint8Array | number, headerLength?: number): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = Buffer.alloc(8 + json.length + body.length);
  out.writeBigUInt64LE(BigInt(headerLength ?? json.length), 0);
  json.copy(out, 8);
  out.set(body, 8 + json.length);
  return out;
}

const parse = (bytes: Uint8Array) => () => parseCheckpoint(bytes, NAME);
const entry = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

/** w: 2×3 F64 at [0, 48), b: 1×3 F32 at [48, 60). */
const HEADER = { w: entry('F64', [2, 3], [0, 48]), b: entry('F32', [1, 3], [48, 60]), __metadata__: { note: 'x' } };

function model(dtype: 'float32' | 'float64' = 'float64', wShape: [number, number] = [2, 3], wName = 'w'): Graph {
  const g = new Graph({ dtype });
  g.param(wName, Matrix.from(Array.from({ length: wShape[0] }, (_, i) => Array.from({ length: wShape[1] }, (_, j) => i - j / 4)), dtype));
  g.param('b', Matrix.from([[0.5, -0.5, 2]], dtype));
  return g;
}

describe('checkpoint layout', () => {
  it('reads a hand-written file: little-endian values at their offsets, metadata', () => {
    const data = Buffer.alloc(60);
    [1, 2, 3, 4, 5, -6].forEach((v, i) => data.writeDoubleLE(v, 8 * i));
    [0.5, 1.5, -2].forEach((v, i) => data.writeFloatLE(v, 48 + 4 * i));
    const { tensors, metadata } = parseCheckpoint(raw(HEADER, data), NAME);
    expect(tensors.get('w')?.toArray()).toEqual([[1, 2, 3], [4, 5, -6]]);
    expect(tensors.get('b')?.dtype).toBe('float32');
    expect(tensors.get('b')?.toArray()).toEqual([[0.5, 1.5, -2]]);
    expect(metadata).toEqual({ note: 'x' });
  });

  it('writes what it reads: the header length, 8-byte-aligned data, offsets in order', () => {
    const bytes = Buffer.from(encodeCheckpoint([['w', Matrix.from([[1, 2]])], ['b', Matrix.from([[3]], 'float32')]], { k: 'v' }));
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header).toEqual({ w: entry('F64', [1, 2], [0, 16]), b: entry('F32', [1, 1], [16, 20]), __metadata__: { k: 'v' } });
    expect(bytes.length).toBe(8 + n + 20);
    expect(bytes.readDoubleLE(8 + n + 8)).toBe(2);
    expect(bytes.readFloatLE(8 + n + 16)).toBe(3);
  });

  it('matches the committed file byte for byte (the format does not drift)', () => {
    const golden = fs.readFileSync(path.join(__dirname, 'fixtures', 'model-v1.safetensors'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-ckpt-'));
    try {
      const g = model();
      saveCheckpoint(path.join(dir, 'm.safetensors'), g, { metadata: { epoch: '3' }, optimizerState: { tensors: { 'm.b': Matrix.from([[1, 2, 3]]) }, meta: { step: '7' } } });
      expect(fs.readFileSync(path.join(dir, 'm.safetensors')).equals(golden)).toBe(true);
      expect(loadCheckpoint(path.join(__dirname, 'fixtures', 'model-v1.safetensors'), model()).metadata).toEqual({ epoch: '3' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('malformed checkpoints are CheckpointErrors naming the file', () => {
  const valid = raw(HEADER, 60);

  it('truncated in the 8-byte header length, at every length 0..7', () => {
    for (let n = 0; n < 8; n++) checkpointError(parse(valid.subarray(0, n)), NAME, new RegExp(`byte ${n}: truncated in the 8-byte header length`));
  });

  it('truncated inside the header', () => {
    const headerEnd = 8 + Number(Buffer.from(valid).readBigUInt64LE(0));
    for (const n of [8, 9, headerEnd - 1]) checkpointError(parse(valid.subarray(0, n)), NAME, new RegExp(`byte ${n}: truncated in the header`));
  });

  it('truncated inside the data', () => {
    checkpointError(parse(valid.subarray(0, valid.length - 1)), NAME, /tensor 'b' runs past the end of the file/);
    checkpointError(parse(valid.subarray(0, valid.length - 13)), NAME, /runs past the end of the file/);
  });

  it('a header length that does not fit the JSON', () => {
    const n = JSON.stringify(HEADER).length;
    checkpointError(parse(raw(HEADER, 60, n - 1)), NAME, /byte 8: the header is not UTF-8 JSON/);
    checkpointError(parse(raw(HEADER, 60, n + 4)), NAME, /byte 8: the header is not UTF-8 JSON/);
    checkpointError(parse(raw(HEADER, 60, 1)), NAME, /byte 0: header length 1 cannot hold a JSON object/);
  });

  it('header-size cap exceeded, before anything is allocated', () => {
    checkpointError(parse(raw(HEADER, 60, CHECKPOINT_MAX_HEADER + 1)), NAME, /byte 0: header length 100000001 exceeds the cap/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(0xffffffffffffffffn, 0);
    checkpointError(parse(huge), NAME, /byte 0: header length 18446744073709551615 exceeds the cap/);
  });

  it('a header that is not JSON, not UTF-8 or not an object', () => {
    checkpointError(parse(raw('{"w": ', 0)), NAME, /byte 8: the header is not UTF-8 JSON/);
    checkpointError(parse(raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'), 0)), NAME, /not UTF-8 JSON/);
    for (const h of ['[1, 2]', '42', 'null', '"w"']) checkpointError(parse(raw(h, 0)), NAME, /byte 8: the header must be a JSON object/);
  });

  it('bad dtype', () => {
    for (const dtype of ['F16', 'I32', 'f32', 'toString', '']) {
      checkpointError(parse(raw({ ...HEADER, w: entry(dtype, [2, 3], [0, 48]) }, 60)), NAME, /tensor 'w': dtype .* is not F32 or F64/);
    }
    checkpointError(parse(raw({ w: { shape: [1, 1], data_offsets: [0, 8] } }, 8)), NAME, /dtype undefined is not F32 or F64/);
  });

  it('bad shape', () => {
    for (const shape of [[6], [2, 3, 1], [0, 3], [-2, -3], [1.5, 4], '2x3', null]) {
      checkpointError(parse(raw({ ...HEADER, w: entry('F64', shape, [0, 48]) }, 60)), NAME, /tensor 'w': shape .* is not \[rows, cols\]/);
    }
  });

  it('offsets that are not two non-negative integers, or that do not fit the shape', () => {
    for (const offsets of [[0], [-8, 40], [0, 48.5], ['0', '48'], [48, 0]]) {
      checkpointError(parse(raw({ ...HEADER, w: entry('F64', [2, 3], offsets) }, 60)), NAME, /tensor 'w': data_offsets/);
    }
    checkpointError(parse(raw({ ...HEADER, w: entry('F64', [2, 3], [0, 24]) }, 60)), NAME, /span 24 bytes, 2×3 F64 needs 48/);
  });

  it('overlapping offsets', () => {
    const h = { a: entry('F64', [1, 2], [0, 16]), c: entry('F64', [1, 2], [8, 24]) };
    checkpointError(parse(raw(h, 24)), NAME, /tensor 'c' overlaps the tensor before it/);
  });

  it('a gap between tensors, or before the first', () => {
    checkpointError(parse(raw({ a: entry('F64', [1, 1], [0, 8]), c: entry('F64', [1, 1], [16, 24]) }, 24)), NAME, /gap of 8 bytes before tensor 'c'/);
    checkpointError(parse(raw({ a: entry('F64', [1, 1], [8, 16]) }, 16)), NAME, /gap of 8 bytes before tensor 'a'/);
  });

  it('offsets past the end of the file', () => {
    checkpointError(parse(raw({ a: entry('F64', [1, 1], [0, 8]), c: entry('F64', [1, 1], [64, 72]) }, 16)), NAME, /tensor 'c' runs past the end/);
  });

  it('trailing bytes after the last tensor', () => {
    const headerEnd = 8 + JSON.stringify(HEADER).length;
    checkpointError(parse(raw(HEADER, 61)), NAME, new RegExp(`byte ${headerEnd + 60}: 1 trailing bytes after the last tensor`));
  });

  it('unknown entry fields and malformed metadata', () => {
    checkpointError(parse(raw({ a: { ...entry('F64', [1, 1], [0, 8]), scale: 2 } }, 8)), NAME, /tensor 'a': unknown field 'scale'/);
    checkpointError(parse(raw({ a: 7 }, 0)), NAME, /tensor 'a': entry must be an object/);
    checkpointError(parse(raw({ '': entry('F64', [1, 1], [0, 8]) }, 8)), NAME, /empty name/);
    checkpointError(parse(raw({ __metadata__: ['x'] }, 0)), NAME, /__metadata__ must be an object of strings/);
    checkpointError(parse(raw({ __metadata__: { step: 3 } }, 0)), NAME, /__metadata__.step must be a string/);
  });

  it('names like __proto__ stay plain data', () => {
    const { tensors, metadata } = parseCheckpoint(
      // written as text: in an object literal __proto__ would set the prototype instead of a key
      raw('{"__proto__": {"dtype": "F64", "shape": [1, 1], "data_offsets": [0, 8]}, "__metadata__": {"__proto__": "p"}}', 8),
      NAME,
    );
    expect([...tensors.keys()]).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('p');
  });
});

describe('checkpoints that do not fit the graph', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-ckpt-'));
    file = path.join(dir, 'model.safetensors');
    saveCheckpoint(file, model());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a graph whose parameter has another name', () => {
    checkpointError(() => loadCheckpoint(file, model('float64', [2, 3], 'weights')), file, /no tensor for the graph's parameter 'weights' \[2×3\]/);
  });

  it('a graph whose parameter has another shape', () => {
    checkpointError(() => loadCheckpoint(file, model('float64', [3, 2])), file, /tensor 'w' is 2×3, the graph's parameter is 3×2/);
  });

  it('a graph with fewer parameters', () => {
    const g = new Graph();
    g.param('b', Matrix.from([[1, 2, 3]]));
    checkpointError(() => loadCheckpoint(file, g), file, /tensor 'w' is not a parameter of the graph/);
  });

  it('a graph of the other dtype', () => {
    checkpointError(() => loadCheckpoint(file, model('float32')), file, /tensor 'w' is float64, the graph is float32/);
  });

  it('a fingerprint that does not match, or is missing', () => {
    const { tensors, metadata } = readCheckpoint(file);
    const write = (meta: Record<string, string>): void => fs.writeFileSync(file, encodeCheckpoint([...tensors], meta));
    write({ ...metadata, [FINGERPRINT_KEY]: 'f'.repeat(64) });
    checkpointError(() => loadCheckpoint(file, model()), file, new RegExp(`fingerprint f{64} does not match the graph's ${graphFingerprint(model())}`));
    write({});
    checkpointError(() => loadCheckpoint(file, model()), file, /fingerprint \(none\) does not match/);
  });

  it('a refused checkpoint leaves the graph untouched', () => {
    const g = model('float64', [2, 3]);
    g.param('extra', Matrix.from([[1]]));
    const before = g.parameters().map((p) => p.value.clone());
    checkpointError(() => loadCheckpoint(file, g), file, /no tensor for the graph's parameter 'extra'/);
    g.parameters().forEach((p, i) => expect(p.value.data).toEqual(before[i].data));
  });

  it('a missing file and a folder instead of a file', () => {
    checkpointError(() => loadCheckpoint(path.join(dir, 'absent.safetensors'), model()), 'absent.safetensors', /cannot read \(ENOENT\)/);
    checkpointError(() => readCheckpoint(dir), dir, /not a regular file/);
  });
});
