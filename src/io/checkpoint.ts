import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { CheckpointError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { DType, Matrix, shapeText } from '../tensor/matrix';
import { writeFileAtomic } from './atomic';

/**
 * Checkpoints in the safetensors layout: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, …, "__metadata__": {…} }`,
 * then the raw little-endian values; offsets count from the start of the data section and
 * tile it exactly. Parameters are stored under their full names, optimizer tensors under
 * `optim.<name>`, optimizer metadata under `optim.<key>`, and the graph fingerprint under
 * `wiregrad.fingerprint`.
 */

/** What an optimizer saves and restores: its moment tensors and small values such as the step count. */
export interface OptimizerState {
  tensors: Record<string, Matrix>;
  meta: Record<string, string>;
}

export interface SaveOptions {
  metadata?: Record<string, string>;
  optimizerState?: OptimizerState;
}

export interface LoadOptions {
  /**
   * Strict (the default): the checkpoint must hold exactly the graph's parameters with their
   * shapes and the graph's fingerprint. Not strict: parameters present in both are loaded
   * (their shapes must still agree) and the rest is left as it is.
   */
  strict?: boolean;
}

export interface LoadResult {
  /** The caller's metadata, without the keys wiregrad reserves. */
  metadata: Record<string, string>;
  optimizerState: OptimizerState | null;
  /** Names of the graph parameters that received a value. */
  loaded: string[];
}

export interface CheckpointContents {
  tensors: Map<string, Matrix>;
  /** The whole `__metadata__` object, reserved keys included. */
  metadata: Record<string, string>;
}

/** The header may not claim more than this (safetensors uses the same 100 MB bound). */
export const CHECKPOINT_MAX_HEADER = 100_000_000;
export const OPTIM_PREFIX = 'optim.';
export const FINGERPRINT_KEY = 'wiregrad.fingerprint';
const METADATA = '__metadata__';

const DTYPES: Record<string, { dtype: DType; size: number }> = {
  F32: { dtype: 'float32', size: 4 },
  F64: { dtype: 'float64', size: 8 },
};
const CODE: Record<DType, string> = { float32: 'F32', float64: 'F64' };

/**
 * A stable hash of what a checkpoint must fit: the graph's dtype and its sorted parameter names
 * with their shapes. Creation order is left out so that rebuilding a model in another order
 * still fits its checkpoints.
 */
export function graphFingerprint(graph: Graph): string {
  const lines = graph
    .parameters()
    .map((p) => `${p.name}\t${p.rows}\t${p.cols}`)
    .sort();
  return createHash('sha256').update(`${graph.dtype}\n${lines.join('\n')}`).digest('hex');
}

/** Saves the graph's parameters (and optimizer state) atomically: an existing file survives any failure. */
export function saveCheckpoint(path: string, graph: Graph, options: SaveOptions = {}): void {
  const fail = (what: string): never => {
    throw new CheckpointError(`${path}: ${what}`);
  };
  const tensors: [string, Matrix][] = [];
  for (const p of graph.parameters()) {
    if (p.name.startsWith(OPTIM_PREFIX)) fail(`parameter name '${p.name}' starts with the reserved prefix '${OPTIM_PREFIX}'`);
    tensors.push([p.name, p.value]);
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (k.startsWith(OPTIM_PREFIX) || k === FINGERPRINT_KEY) fail(`metadata key '${k}' is reserved`);
    if (typeof v !== 'string') fail(`metadata '${k}' must be a string, got ${typeof v}`);
    define(metadata, k, v);
  }
  const optim = options.optimizerState;
  if (optim) {
    for (const [k, m] of Object.entries(optim.tensors)) {
      if (!(m instanceof Matrix)) fail(`optimizer tensor '${k}' is not a Matrix`);
      tensors.push([OPTIM_PREFIX + k, m]);
    }
    for (const [k, v] of Object.entries(optim.meta)) {
      if (typeof v !== 'string') fail(`optimizer metadata '${k}' must be a string, got ${typeof v}`);
      define(metadata, OPTIM_PREFIX + k, v);
    }
  }
  metadata[FINGERPRINT_KEY] = graphFingerprint(graph);
  writeFileAtomic(path, encodeCheckpoint(tensors, metadata, path));
}

/** The bytes of a checkpoint holding `tensors` in the given order; `name` is quoted in errors. */
export function encodeCheckpoint(tensors: readonly (readonly [string, Matrix])[], metadata: Record<string, string>, name = 'checkpoint'): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [tensor, m] of tensors) {
    if (tensor.length === 0 || tensor === METADATA || Object.hasOwn(header, tensor)) {
      const why = tensor.length === 0 ? 'empty' : tensor === METADATA ? 'reserved' : 'used twice';
      throw new CheckpointError(`${name}: tensor name '${tensor}' is ${why}`);
    }
    const end = offset + m.data.byteLength;
    define(header, tensor, { dtype: CODE[m.dtype], shape: [m.rows, m.cols], data_offsets: [offset, end] });
    offset = end;
  }
  header[METADATA] = metadata;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // Padding the header with spaces to a multiple of 8 keeps the data section 8-byte aligned.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + headerLength + offset, 0x20);
  out.writeBigUInt64LE(BigInt(headerLength), 0);
  json.copy(out, 8);
  let at = 8 + headerLength;
  for (const [, m] of tensors) {
    const bytes = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    out.set(bytes, at);
    if (BIG_ENDIAN_HOST) swapBytes(out.subarray(at, at + bytes.length), m.data.BYTES_PER_ELEMENT);
    at += bytes.length;
  }
  return out;
}

/** Reads a checkpoint without a graph. */
export function readCheckpoint(path: string): CheckpointContents {
  let bytes: Buffer;
  try {
    if (!fs.statSync(path).isFile()) throw new CheckpointError(`${path}: not a regular file`);
    bytes = fs.readFileSync(path);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseCheckpoint(bytes, path);
}

/** Parses and checks checkpoint bytes; `name` (usually the path) is quoted in every error. */
export function parseCheckpoint(bytes: Uint8Array, name: string): CheckpointContents {
  const fail = (what: string): never => {
    throw new CheckpointError(`${name}: ${what}`);
  };
  if (bytes.length < 8) fail(`byte ${bytes.length}: truncated in the 8-byte header length (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(CHECKPOINT_MAX_HEADER)) fail(`byte 0: header length ${claimed} exceeds the cap of ${CHECKPOINT_MAX_HEADER} bytes`);
  const headerLength = Number(claimed);
  if (headerLength < 2) fail(`byte 0: header length ${headerLength} cannot hold a JSON object`);
  const dataStart = 8 + headerLength;
  if (bytes.length < dataStart) fail(`byte ${bytes.length}: truncated in the header (${headerLength} bytes claimed from byte 8)`);

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(text);
  } catch (e) {
    fail(`byte 8: the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail(`byte 8: the header must be a JSON object, got ${describeJson(header)}`);

  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; rows: number; cols: number; begin: number; end: number }[] = [];
  for (const [key, entry] of Object.entries(header as Record<string, unknown>)) {
    if (key === METADATA) {
      if (!isPlainObject(entry)) fail(`${METADATA} must be an object of strings, got ${describeJson(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`${METADATA}.${k} must be a string, got ${describeJson(v)}`);
        define(metadata, k, v as string);
      }
      continue;
    }
    const what = `tensor '${key}'`;
    if (key.length === 0) fail('a tensor has an empty name');
    if (!isPlainObject(entry)) fail(`${what}: entry must be an object, got ${describeJson(entry)}`);
    const { dtype, shape, data_offsets: offsets, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) fail(`${what}: unknown field '${extra[0]}'`);
    const type = typeof dtype === 'string' && Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : null;
    if (!type) fail(`${what}: dtype ${describeJson(dtype)} is not F32 or F64`);
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      fail(`${what}: shape ${describeJson(shape)} is not [rows, cols] of positive integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      fail(`${what}: data_offsets ${describeJson(offsets)} is not [begin, end] of non-negative integers`);
    }
    const [rows, cols] = shape as number[];
    const [begin, end] = offsets as number[];
    const { dtype: dt, size } = type as { dtype: DType; size: number };
    if (end - begin !== rows * cols * size) {
      fail(`${what}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, ${rows}×${cols} ${dtype} needs ${rows * cols * size}`);
    }
    if (end > dataLength) {
      fail(`byte ${dataStart + end}: ${what} runs past the end of the file (the data section has ${dataLength} bytes from byte ${dataStart})`);
    }
    entries.push({ name: key, dtype: dt, rows, cols, begin, end });
  }

  // The tensors must tile the data section: no gap, no overlap, nothing after the last one.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin > expected) fail(`byte ${dataStart + expected}: gap of ${e.begin - expected} bytes before tensor '${e.name}'`);
    if (e.begin < expected) fail(`byte ${dataStart + e.begin}: tensor '${e.name}' overlaps the tensor before it`);
    expected = e.end;
  }
  if (expected < dataLength) fail(`byte ${dataStart + expected}: ${dataLength - expected} trailing bytes after the last tensor`);

  const tensors = new Map<string, Matrix>();
  for (const e of entries) {
    const m = new Matrix(e.rows, e.cols, e.dtype);
    // A byte copy keeps every bit, NaN payloads included, which a float round trip might not.
    const target = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    target.set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (BIG_ENDIAN_HOST) swapBytes(target, m.data.BYTES_PER_ELEMENT);
    tensors.set(e.name, m);
  }
  return { tensors, metadata };
}

/** Loads a checkpoint into the graph's parameters (after checking everything) and returns its metadata. */
export function loadCheckpoint(path: string, graph: Graph, options: LoadOptions = {}): LoadResult {
  const strict = options.strict ?? true;
  const fail = (what: string): never => {
    throw new CheckpointError(`${path}: ${what}`);
  };
  const { tensors, metadata } = readCheckpoint(path);
  const params = graph.parameters();
  const assignments: [Node, Matrix][] = [];
  for (const p of params) {
    const m = tensors.get(p.name);
    if (!m) {
      if (strict) fail(`no tensor for the graph's parameter '${p.name}' [${shapeText(p.shape)}]`);
      continue;
    }
    if (m.rows !== p.rows || m.cols !== p.cols) fail(`tensor '${p.name}' is ${shapeText(m.shape)}, the graph's parameter is ${shapeText(p.shape)}`);
    if (m.dtype !== graph.dtype) fail(`tensor '${p.name}' is ${m.dtype}, the graph is ${graph.dtype}`);
    assignments.push([p, m]);
  }
  if (strict) {
    const names = new Set(params.map((p) => p.name));
    for (const name of tensors.keys()) {
      if (!name.startsWith(OPTIM_PREFIX) && !names.has(name)) {
        fail(`tensor '${name}' is not a parameter of the graph`);
      }
    }
    const fingerprint = graphFingerprint(graph);
    if (metadata[FINGERPRINT_KEY] !== fingerprint) {
      fail(`fingerprint ${metadata[FINGERPRINT_KEY] ?? '(none)'} does not match the graph's ${fingerprint}`);
    }
  }
  // Assigned only now, so a refused checkpoint leaves the graph as it was.
  for (const [p, m] of assignments) p.assign(m);

  const user: Record<string, string> = {};
  const optim: OptimizerState = { tensors: {}, meta: {} };
  for (const [k, v] of Object.entries(metadata)) {
    if (k.startsWith(OPTIM_PREFIX)) define(optim.meta, k.slice(OPTIM_PREFIX.length), v);
    else if (k !== FINGERPRINT_KEY) define(user, k, v);
  }
  for (const [name, m] of tensors) if (name.startsWith(OPTIM_PREFIX)) define(optim.tensors, name.slice(OPTIM_PREFIX.length), m);
  const hasOptim = Object.keys(optim.tensors).length + Object.keys(optim.meta).length > 0;
  return { metadata: user, optimizerState: hasOptim ? optim : null, loaded: assignments.map(([p]) => p.name) };
}

/** Sets an own property even for keys like `__proto__` that plain assignment would treat specially. */
function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeJson(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const BIG_ENDIAN_HOST = os.endianness() === 'BE';

/** Reverses each element's bytes: the file is little-endian whatever the host is. */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}
