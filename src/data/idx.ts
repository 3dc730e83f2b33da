import { constants as bufferConstants } from 'buffer';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { IdxError, UsageError } from '../errors';
import { DType, Matrix } from '../tensor/matrix';

/**
 * A strict reader (and writer) of the IDX format of MNIST and Fashion-MNIST:
 * `00 00 <type code> <number of dimensions>`, one big-endian uint32 per dimension, then the
 * values, big-endian, row-major, and nothing after them. The whole file may be gzipped.
 */

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  type: IdxType;
  dims: number[];
  data: IdxArray;
}

export interface IdxOptions {
  /** Largest payload accepted, in bytes; checked before anything of that size is allocated. */
  maxBytes?: number;
}

/** 256 MiB: five times the largest Fashion-MNIST file, far below what would exhaust memory. */
export const IDX_MAX_BYTES = 256 * 1024 * 1024;
/** Real IDX files have 1 to 4 dimensions; more is a corrupt header, not a tensor. */
export const IDX_MAX_DIMS = 8;

interface TypeInfo {
  code: number;
  type: IdxType;
  size: number;
}

const TYPES: readonly TypeInfo[] = [
  { code: 0x08, type: 'uint8', size: 1 },
  { code: 0x09, type: 'int8', size: 1 },
  { code: 0x0b, type: 'int16', size: 2 },
  { code: 0x0c, type: 'int32', size: 4 },
  { code: 0x0d, type: 'float32', size: 4 },
  { code: 0x0e, type: 'float64', size: 8 },
];

/** The largest Buffer Node can allocate: a larger gunzip limit is itself an error in zlib. */
const MAX_LENGTH = bufferConstants.MAX_LENGTH;

const hex = (v: number): string => `0x${v.toString(16).padStart(2, '0')}`;

/** Parses IDX bytes, raw or gzipped; `name` (usually the path) is quoted in every error. */
export function parseIdx(bytes: Uint8Array, name: string, options: IdxOptions = {}): IdxTensor {
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new UsageError(`parseIdx: maxBytes must be a positive integer, got ${maxBytes}`);
  let buf = bytes;
  let where = 'byte';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    buf = gunzip(bytes, name, Math.min(maxBytes + 4 + 4 * IDX_MAX_DIMS, MAX_LENGTH));
    // Offsets past this point count in the decompressed stream, which is what a reader can inspect.
    where = 'decompressed byte';
  }
  const at = (offset: number, what: string): never => {
    throw new IdxError(`${name}: ${where} ${offset}: ${what}`);
  };

  if (buf.length === 0) at(0, 'empty file; an IDX file starts with a 4-byte magic number');
  if (buf.length < 4) at(buf.length, `truncated in the magic number (${buf.length} of 4 bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    at(buf[0] !== 0 ? 0 : 1, `bad magic number ${[...buf.subarray(0, 4)].map(hex).join(' ')}: the first two bytes must be 0x00`);
  }
  const info = TYPES.find((t) => t.code === buf[2]);
  if (!info) at(2, `unknown type code ${hex(buf[2])} (known: ${TYPES.map((t) => `${hex(t.code)} ${t.type}`).join(', ')})`);
  const { type, size } = info as TypeInfo;
  const rank = buf[3];
  if (rank === 0) at(3, 'zero dimensions');
  if (rank > IDX_MAX_DIMS) at(3, `${rank} dimensions, at most ${IDX_MAX_DIMS} are accepted`);

  const headerEnd = 4 + 4 * rank;
  if (buf.length < headerEnd) {
    at(buf.length, `truncated in the dimensions: the header needs ${headerEnd} bytes, the data has ${buf.length}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const offset = 4 + 4 * d;
    const n = view.getUint32(offset, false);
    if (n === 0) at(offset, `dimension ${d} is zero`);
    count *= n;
    // Checked per dimension so the product stays an exact integer and nothing huge is allocated.
    if (count * size > maxBytes) {
      at(offset, `dimensions ${[...dims, n].join('×')}… need more than the cap of ${maxBytes} bytes`);
    }
    dims.push(n);
  }

  const payload = count * size;
  const have = buf.length - headerEnd;
  if (have < payload) {
    at(buf.length, `truncated payload: ${dims.join('×')} ${type} needs ${payload} bytes from byte ${headerEnd}, only ${have} present`);
  }
  if (have > payload) at(headerEnd + payload, `${have - payload} trailing bytes after the payload`);

  return { type, dims, data: decode(view, headerEnd, count, info as TypeInfo) };
}

function gunzip(bytes: Uint8Array, name: string, maxOutputLength: number): Uint8Array {
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ERR_BUFFER_TOO_LARGE' ? `decompresses to more than ${maxOutputLength} bytes` : `corrupt gzip stream (${err.message})`;
    // zlib does not say how far it got, so the offset is the start of the compressed stream.
    throw new IdxError(`${name}: byte 0: ${why}`);
  }
}

function decode(view: DataView, start: number, count: number, { type, size }: TypeInfo): IdxArray {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, count * size);
  switch (type) {
    case 'uint8':
      return bytes.slice();
    case 'int8':
      return new Int8Array(bytes.slice().buffer);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/** The IDX bytes (raw, not gzipped) of a tensor; `parseIdx(encodeIdx(t))` gives `t` back. */
export function encodeIdx(tensor: IdxTensor): Uint8Array {
  const info = TYPES.find((t) => t.type === tensor.type);
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (!info || tensor.dims.length === 0 || tensor.dims.length > IDX_MAX_DIMS || count !== tensor.data.length) {
    throw new IdxError(`encodeIdx: ${tensor.type} ${tensor.dims.join('×')} does not describe ${tensor.data.length} values`);
  }
  const headerEnd = 4 + 4 * tensor.dims.length;
  const out = new Uint8Array(headerEnd + count * info.size);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = tensor.dims.length;
  tensor.dims.forEach((n, d) => view.setUint32(4 + 4 * d, n, false));
  const d = tensor.data;
  for (let i = 0; i < count; i++) {
    const at = headerEnd + i * info.size;
    switch (info.type) {
      case 'uint8': view.setUint8(at, d[i]); break;
      case 'int8': view.setInt8(at, d[i]); break;
      case 'int16': view.setInt16(at, d[i], false); break;
      case 'int32': view.setInt32(at, d[i], false); break;
      case 'float32': view.setFloat32(at, d[i], false); break;
      case 'float64': view.setFloat64(at, d[i], false); break;
    }
  }
  return out;
}

/** Reads and parses an IDX file; a missing file or a folder is an IdxError too. */
export function readIdx(path: string, options: IdxOptions = {}): IdxTensor {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(path);
    if (!stat.isFile()) throw new IdxError(`${path}: byte 0: not a regular file`);
    bytes = fs.readFileSync(path);
  } catch (e) {
    if (e instanceof IdxError) throw e;
    throw new IdxError(`${path}: byte 0: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseIdx(bytes, path, options);
}

/** An IDX file of uint8 images (n × rows × cols) as an n×(rows·cols) matrix scaled to [0, 1]. */
export function loadImages(path: string, options: IdxOptions & { dtype?: DType } = {}): Matrix {
  const t = readIdx(path, options);
  if (t.type !== 'uint8') throw new IdxError(`${path}: byte 2: images must be uint8 (0x08), this file holds ${t.type}`);
  if (t.dims.length < 2) throw new IdxError(`${path}: byte 3: images need at least 2 dimensions (count, pixels), this file has ${t.dims.length}`);
  const m = new Matrix(t.dims[0], t.data.length / t.dims[0], options.dtype ?? 'float32');
  for (let i = 0; i < t.data.length; i++) m.data[i] = t.data[i] / 255;
  return m;
}

/** An IDX file of class labels (one dimension, integer type) as class ids. */
export function loadLabels(path: string, options: IdxOptions = {}): Int32Array {
  const t = readIdx(path, options);
  if (t.type === 'float32' || t.type === 'float64') {
    throw new IdxError(`${path}: byte 2: labels must be of an integer type, this file holds ${t.type}`);
  }
  if (t.dims.length !== 1) throw new IdxError(`${path}: byte 3: labels need exactly 1 dimension, this file has ${t.dims.length}`);
  return Int32Array.from(t.data);
}
