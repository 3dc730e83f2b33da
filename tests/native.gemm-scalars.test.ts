// sgemm/dgemm take their thirteen numbers packed as float64 in one ArrayBuffer: a malformed pack
// is refused with E_NATIVE_ARG naming `scalars` or the slot at fault, before C is written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadNative, tsBackend } from '../src';
import { GEMM_SCALARS, nativeBackendOf } from '../src/backend/native';

const load = loadNative();
const addon = load.addon;

type Slot = (typeof GEMM_SCALARS)[number];

/** A buffer of the right size that has been transferred away: it holds 0 bytes now. */
function detached(): ArrayBuffer {
  const buffer = new ArrayBuffer(104);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

/** A valid 2×3·3×2 product with the slots in `change` replaced. */
function values(change: Partial<Record<Slot, number>> = {}): Float64Array<ArrayBuffer> {
  const base: Record<Slot, number> = { transA: 0, transB: 0, m: 2, n: 2, k: 3, alpha: 1, aOffset: 0, lda: 3, bOffset: 0, ldb: 2, beta: 0, cOffset: 0, ldc: 2 };
  const out = new Float64Array(GEMM_SCALARS.length);
  GEMM_SCALARS.forEach((s, i) => (out[i] = change[s] ?? base[s]));
  return out;
}

const pack = (change: Partial<Record<Slot, number>> = {}): ArrayBuffer => values(change).buffer;

function refusal(call: () => void): { name: string; code?: string; message: string } {
  try {
    call();
  } catch (e) {
    return e as { name: string; code?: string; message: string };
  }
  throw new Error('the call was accepted');
}

(addon ? describe : describe.skip)('native GEMM packed scalars', () => {
  const a = Float64Array.from({ length: 6 }, (_, i) => i + 1), b = Float64Array.from({ length: 6 }, (_, i) => 6 - i);

  it('a valid pack computes the product, flags as 0 and 1', () => {
    const c = new Float64Array(4), want = new Float64Array(4);
    addon!.dgemm(a, b, c, pack({ alpha: 2 }));
    tsBackend.gemm(false, false, 2, 2, 3, 2, a, 0, 3, b, 0, 2, 0, want, 0, 2);
    expect(Array.from(c)).toEqual(Array.from(want));
    // a stored 3×2 and b stored 2×3, both used transposed
    const ct = new Float64Array(4), wantT = new Float64Array(4);
    addon!.dgemm(a, b, ct, pack({ transA: 1, transB: 1, lda: 2, ldb: 3, beta: 1 }));
    tsBackend.gemm(true, true, 2, 2, 3, 1, a, 0, 2, b, 0, 3, 1, wantT, 0, 2);
    expect(Array.from(ct)).toEqual(Array.from(wantT));
    expect(Array.from(ct)).not.toEqual(Array.from(want));
  });

  it.each([
    ['the Float64Array itself', values(), 'TypeError', 'dgemm: scalars must be an ArrayBuffer, got Float64Array'],
    ['an Array', new Array<number>(13).fill(1), 'TypeError', 'dgemm: scalars must be an ArrayBuffer, got object'],
    ['a SharedArrayBuffer', new SharedArrayBuffer(104), 'TypeError', 'dgemm: scalars must be an ArrayBuffer, got object'],
    ['undefined', undefined, 'TypeError', 'dgemm: scalars must be an ArrayBuffer, got undefined'],
    ['12 values', new Float64Array(12).buffer, 'RangeError', 'dgemm: scalars must hold 13 float64 values (transA, transB, m, n, k, alpha, aOffset, lda, bOffset, ldb, beta, cOffset, ldc) in 104 bytes, it has 96'],
    ['a detached buffer', detached(), 'RangeError', 'dgemm: scalars must hold 13 float64 values'],
  ])('scalars as %s is refused', (_what, scalars, type, message) => {
    const c = new Float64Array(4).fill(7);
    const e = refusal(() => (addon!.dgemm as (...args: unknown[]) => void)(a, b, c, scalars));
    expect([e.name, e.code]).toEqual([type, 'E_NATIVE_ARG']);
    expect(e.message).toContain(message);
    expect(Array.from(c)).toEqual([7, 7, 7, 7]);
  });

  it.each([
    [{ transA: 2 }, 'dgemm: transA must be 0 (false) or 1 (true), got 2'],
    [{ transB: NaN }, 'dgemm: transB must be 0 (false) or 1 (true), got nan'],
    [{ m: 0 }, 'dgemm: m must be an integer in [1, 2^31), got 0'],
    [{ k: 2.5 }, 'dgemm: k must be an integer in [1, 2^31), got 2.5'],
    [{ n: 2 ** 31 }, 'dgemm: n must be an integer in [1, 2^31), got 2147483648'],
    [{ lda: Infinity }, 'dgemm: lda must be an integer in [1, 2^31), got inf'],
    [{ bOffset: -1 }, 'dgemm: bOffset must be an integer in [0, 2^53), got -1'],
    [{ cOffset: 2 ** 53 }, 'dgemm: cOffset must be an integer in [0, 2^53), got 9007199254740992'],
    [{ cOffset: 1 }, 'dgemm: c is too short: 2×2 (m×n) with ldc 2 from cOffset 1 needs 5 elements, it has 4'],
    [{ ldb: 1 }, 'dgemm: ldb (1) must be at least the columns of b as stored (k×n: 2)'],
  ] as [Partial<Record<Slot, number>>, string][])('%o is a RangeError naming the slot', (change, message) => {
    const c = new Float64Array(4).fill(7);
    const e = refusal(() => addon!.dgemm(a, b, c, pack(change)));
    expect([e.name, e.code, e.message]).toEqual(['RangeError', 'E_NATIVE_ARG', message]);
    expect(Array.from(c)).toEqual([7, 7, 7, 7]);
  });

  it('the count of arguments is checked and listed', () => {
    const e = refusal(() => (addon!.sgemm as (...args: unknown[]) => void)(a, b, new Float64Array(4)));
    expect([e.name, e.message]).toEqual(['TypeError', 'sgemm: expected 4 arguments (a, b, c, scalars), got 3']);
  });

  it('a pack in the buffer of c is read before C is written', () => {
    // c is the first value of the 13 packed: transA's slot, 0 until the product 3·2·2 lands there
    const shared = values({ m: 1, n: 1, k: 1, lda: 1, ldb: 1, ldc: 1, alpha: 3 });
    const two = Float64Array.of(2);
    addon!.dgemm(two, two, shared.subarray(0, 1), shared.buffer);
    expect(shared[0]).toBe(12);
  });

  it('the native backend packs every call anew: a refused call leaves nothing behind for the next', () => {
    const native = nativeBackendOf(addon!);
    const c = new Float64Array(4), want = new Float64Array(4);
    expect(() => native.gemm(false, false, 2, 2, 3, 1, a, 5, 3, b, 0, 2, 0, c, 0, 2)).toThrow(expect.objectContaining({ code: 'E_NATIVE_ARG', name: 'RangeError' }));
    native.gemm(true, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2);
    tsBackend.gemm(true, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, want, 0, 2);
    expect(Array.from(c)).toEqual(Array.from(want));
  });
});
describe('an addon built for the sixteen-argument GEMM', () => {
  const saved = process.env.WIREGRAD_NATIVE_ADDON;
  afterAll(() => {
    if (saved === undefined) delete process.env.WIREGRAD_NATIVE_ADDON;
    else process.env.WIREGRAD_NATIVE_ADDON = saved;
  });

  // the functions alone suffice: the layout check comes before any call
  it.each([['without gemmScalars', ''], ['with another count', 'gemmScalars: 16, ']])('%s is not loaded, and the reason says to rebuild', (_what, extra) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-old-layout-'));
    const file = path.join(dir, 'old-addon.js');
    const fn = 'function () {}';
    fs.writeFileSync(file, `module.exports = { ${extra}sgemm: ${fn}, dgemm: ${fn}, setThreads: ${fn}, info: ${fn} };\n`);
    process.env.WIREGRAD_NATIVE_ADDON = file;
    let nativeModule!: typeof import('../src/backend/native');
    jest.isolateModules(() => {
      nativeModule = require('../src/backend/native');
    });
    const attempt = nativeModule.loadNative();
    expect(attempt.addon).toBeNull();
    expect(attempt.tried).toEqual([{ path: file, error: expect.stringContaining('built for another GEMM argument layout') }]);
    expect(attempt.tried[0].error).toContain('rebuild it with `node scripts/build-native.js`');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

if (!addon) process.stderr.write(`native packed-scalar tests skipped: the addon did not load (${load.tried.map((t) => t.path).join(', ')})\n`);
