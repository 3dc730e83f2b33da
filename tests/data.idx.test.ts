import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, IdxError, loadImages, loadLabels, parseIdx, readIdx } from '../src';
import { expectCodedError } from './helpers';

const NAME = 'samples/images.idx';

/** Runs fn, expects an IdxError whose message names `name` and (if given) matches `pattern`. */
function idxError(fn: () => unknown, name: string, pattern?: RegExp): void {
  const message = expectCodedError(fn, IdxError, 'E_IDX', name);
  expect(message).toMatch(/byte \d+/);
  if (pattern) expect(message).toMatch(pattern);
}

const parse = (bytes: number[] | Uint8Array, options = {}) => () => parseIdx(Uint8Array.from(bytes), NAME, options);

/** A valid uint8 file: 2 images of 2×3 pixels (header 16 bytes, payload 12). */
const VALID = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 255];

describe('IDX reader: well-formed files', () => {
  it('reads the hand-written uint8 file', () => {
    const t = parseIdx(Uint8Array.from(VALID), NAME);
    expect(t.type).toBe('uint8');
    expect(t.dims).toEqual([2, 2, 3]);
    expect(Array.from(t.data)).toEqual(VALID.slice(16));
  });

  it('reads multi-byte types big-endian (hand-written bytes)', () => {
    // int16 [0x0102, -2], int32 [0x01020304], float32 [1.0, -2.5], float64 [0.1]
    expect(Array.from(parseIdx(Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]), NAME).data)).toEqual([258, -2]);
    expect(Array.from(parseIdx(Uint8Array.from([0, 0, 0x0c, 1, 0, 0, 0, 1, 1, 2, 3, 4]), NAME).data)).toEqual([0x01020304]);
    expect(Array.from(parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0]), NAME).data)).toEqual([1, -2.5]);
    const f64 = parseIdx(Uint8Array.from([0, 0, 0x0e, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]), NAME);
    expect(f64.type).toBe('float64');
    expect(f64.data[0]).toBe(0.1);
    expect(Array.from(parseIdx(Uint8Array.from([0, 0, 0x09, 1, 0, 0, 0, 2, 0x7f, 0x80]), NAME).data)).toEqual([127, -128]);
  });

  it('round-trips every type through encodeIdx, raw and gzipped', () => {
    const cases = [
      { type: 'uint8', data: Uint8Array.from([0, 1, 254, 255, 7, 9]) },
      { type: 'int8', data: Int8Array.from([-128, -1, 0, 1, 127, 5]) },
      { type: 'int16', data: Int16Array.from([-32768, -1, 0, 1, 32767, 300]) },
      { type: 'int32', data: Int32Array.from([-2147483648, -1, 0, 1, 2147483647, 70000]) },
      { type: 'float32', data: Float32Array.from([-0, 1.5, -3.25, Infinity, 1e-40, 3.4e38]) },
      { type: 'float64', data: Float64Array.from([-0, Math.PI, -1e308, 5e-324, -Infinity, 1 / 3]) },
    ] as const;
    for (const c of cases) {
      const raw = encodeIdx({ type: c.type, dims: [2, 3], data: c.data });
      for (const bytes of [raw, zlib.gzipSync(raw)]) {
        const t = parseIdx(bytes, NAME);
        expect(t.type).toBe(c.type);
        expect(t.dims).toEqual([2, 3]);
        expect(t.data).toEqual(c.data);
        expect(Object.is(t.data[0], c.data[0])).toBe(true); // -0 stays -0
      }
    }
  });

  it('loadImages scales to [0, 1] in the chosen dtype; loadLabels gives class ids', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-idx-'));
    try {
      fs.writeFileSync(path.join(dir, 'images.gz'), zlib.gzipSync(Uint8Array.from(VALID)));
      fs.writeFileSync(path.join(dir, 'labels'), Uint8Array.from([0, 0, 0x08, 1, 0, 0, 0, 3, 9, 0, 4]));
      const m = loadImages(path.join(dir, 'images.gz'));
      expect([m.rows, m.cols, m.dtype]).toEqual([2, 6, 'float32']);
      expect(m.get(1, 5)).toBe(1);
      expect(m.get(0, 1)).toBe(Math.fround(10 / 255));
      expect(loadImages(path.join(dir, 'images.gz'), { dtype: 'float64' }).get(0, 1)).toBe(10 / 255);
      expect(Array.from(loadLabels(path.join(dir, 'labels')))).toEqual([9, 0, 4]);
      idxError(() => loadImages(path.join(dir, 'labels')), 'labels', /at least 2 dimensions/);
      idxError(() => loadLabels(path.join(dir, 'images.gz')), 'images.gz', /exactly 1 dimension/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('IDX reader: malformed files are IdxErrors naming the file and the byte', () => {
  it('empty file', () => idxError(parse([]), NAME, /byte 0: empty file/));

  it('truncated in the magic number at every length', () => {
    for (const n of [1, 2, 3]) idxError(parse(VALID.slice(0, n)), NAME, new RegExp(`byte ${n}: truncated in the magic`));
  });

  it('nonzero first byte', () => idxError(parse([0x08, ...VALID.slice(1)]), NAME, /byte 0: bad magic number 0x08 0x00 0x08 0x03/));

  it('nonzero second byte', () => idxError(parse([0, 1, ...VALID.slice(2)]), NAME, /byte 1: bad magic number/));

  it('unknown type code', () => {
    for (const code of [0x00, 0x07, 0x0a, 0x0f, 0xff]) idxError(parse([0, 0, code, ...VALID.slice(3)]), NAME, /byte 2: unknown type code/);
  });

  it('zero dimensions', () => idxError(parse([0, 0, 0x08, 0]), NAME, /byte 3: zero dimensions/));

  it('too many dimensions', () => idxError(parse([0, 0, 0x08, 9, ...new Array(36).fill(0)]), NAME, /byte 3: 9 dimensions/));

  it('truncated in the dimensions at every byte boundary', () => {
    for (let n = 4; n < 16; n++) idxError(parse(VALID.slice(0, n)), NAME, new RegExp(`byte ${n}: truncated in the dimensions`));
  });

  it('a dimension of size zero', () => idxError(parse([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 0]), NAME, /byte 8: dimension 1 is zero/));

  it('truncated payload', () => {
    idxError(parse(VALID.slice(0, 16)), NAME, /byte 16: truncated payload: 2×2×3 uint8 needs 12 bytes from byte 16, only 0/);
    idxError(parse(VALID.slice(0, -1)), NAME, /byte 27: truncated payload/);
    // a multi-byte type cut inside its last element
    idxError(parse([0, 0, 0x0e, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), NAME, /byte 15: truncated payload/);
  });

  it('trailing bytes', () => idxError(parse([...VALID, 0, 0, 0]), NAME, /byte 28: 3 trailing bytes/));

  it('huge dimensions fail on the header, before anything is allocated', () => {
    idxError(parse([0, 0, 0x08, 3, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0xff, 0xff, 0xff, 0xff]), NAME, /byte 12: dimensions 4096×4096×4294967295… need more than the cap/);
    idxError(parse([0, 0, 0x0e, 1, 0x10, 0, 0, 0]), NAME, /byte 4: dimensions 268435456… need more than the cap/);
    idxError(parse(VALID, { maxBytes: 11 }), NAME, /byte 12: .*cap of 11 bytes/);
  });

  it('corrupt or truncated gzip stream', () => {
    const gz = zlib.gzipSync(Uint8Array.from(VALID));
    const flipped = Uint8Array.from(gz);
    flipped[12] ^= 0xff;
    idxError(parse(flipped), NAME, /byte 0: corrupt gzip stream/);
    idxError(parse(gz.subarray(0, gz.length - 6)), NAME, /byte 0: corrupt gzip stream/);
    idxError(parse([0x1f, 0x8b]), NAME, /corrupt gzip stream/);
  });

  it('a gzip stream that inflates past the cap stops there', () => {
    const bomb = zlib.gzipSync(new Uint8Array(4 << 20)); // 4 MiB of zeros, a few KiB compressed
    idxError(parse(bomb, { maxBytes: 1 << 20 }), NAME, /byte 0: decompresses to more than/);
  });

  it('malformed IDX inside a valid gzip stream reports decompressed offsets', () => {
    idxError(parse(zlib.gzipSync(Uint8Array.from([...VALID, 1]))), NAME, /decompressed byte 28: 1 trailing bytes/);
  });

  it('missing file and a folder instead of a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-idx-'));
    try {
      idxError(() => readIdx(path.join(dir, 'absent.idx')), 'absent.idx', /cannot read \(ENOENT\)/);
      idxError(() => readIdx(dir), dir, /not a regular file/);
      idxError(() => loadImages(path.join(dir, 'absent.gz')), 'absent.gz');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('images must be uint8 and labels an integer type', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-idx-'));
    try {
      const file = path.join(dir, 'floats');
      fs.writeFileSync(file, encodeIdx({ type: 'float32', dims: [1, 2], data: Float32Array.from([0.5, 1]) }));
      idxError(() => loadImages(file), 'floats', /byte 2: images must be uint8/);
      fs.writeFileSync(file, encodeIdx({ type: 'float64', dims: [2], data: Float64Array.from([0.5, 1]) }));
      idxError(() => loadLabels(file), 'floats', /byte 2: labels must be of an integer type/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
