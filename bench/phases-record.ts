// The products of a training step, as wiregrad issues them: a recorder that wraps the two backends
// behind src/backend/select.ts's matmul (the addon above the threshold, TypeScript below it) and
// cuts the stream of calls into steps at every Graph.reset(), and the text form of one step's
// products that bench/gemm-openblas.c replays. Nothing in src/ changes: the wrappers go in through
// setLargeBackend and the tsBackend object, and come out again on uninstall.
import { Backend, Graph, resolveBackend, setLargeBackend, tsBackend } from '../src';
import { FloatArray } from '../src/tensor/matrix';

export type DTypeName = 'float32' | 'float64';

/** One gemm call; a, b and c are indices into the step's buffers (distinct typed arrays, first use first). */
export interface Product {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  a: number;
  aOffset: number;
  lda: number;
  b: number;
  bOffset: number;
  ldb: number;
  c: number;
  cOffset: number;
  ldc: number;
  /** Which backend took it: 'ts' below the threshold, else the large backend's name ('native'). */
  backend: string;
}

export interface StepBuffer {
  dtype: DTypeName;
  length: number;
}

/** The products of one step, and the typed arrays they read and write (by index). */
export interface StepProducts {
  buffers: StepBuffer[];
  products: Product[];
}

export interface StepTiming {
  /** Wall seconds from this step's Graph.reset() to the next one (or to stop()). */
  seconds: number;
  /** Seconds spent inside the backends' gemm during the step. */
  gemmSeconds: number;
  calls: number;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Wraps the backends and Graph.prototype.reset. Every step (reset to reset) gets its wall time and
 * its time inside gemm; the step numbered `recordStep` (0 = the first reset) also has its products
 * kept, and `compareStep` (if given) has its shapes compared with them.
 */
export class StepRecorder {
  readonly timings: StepTiming[] = [];
  recorded: StepProducts | null = null;
  /** Whether the compared step issued the same products (shapes, flags, scalars, buffer pattern). */
  sameAsNext: boolean | null = null;
  private step = -1;
  private stepStart = 0;
  private gemmSeconds = 0;
  private calls = 0;
  private current: StepProducts | null = null;
  private arrays = new Map<FloatArray, number>();
  private restore: (() => void)[] = [];

  constructor(private readonly recordStep: number, private readonly compareStep: number | null = null) {}

  install(): void {
    const resolution = resolveBackend();
    const large = resolution.backend;
    const ts = tsBackend.gemm;
    setLargeBackend(this.wrap(large, large.gemm.bind(large)), resolution.threshold);
    tsBackend.gemm = this.wrap(tsBackend, ts).gemm;
    const reset = Graph.prototype.reset;
    const self = this;
    Graph.prototype.reset = function (this: Graph): void {
      self.boundary();
      reset.call(this);
    };
    this.restore = [
      () => setLargeBackend(large, resolution.threshold),
      () => (tsBackend.gemm = ts),
      () => (Graph.prototype.reset = reset),
    ];
  }

  /** Ends the last step and puts the backends and Graph.reset back as they were. */
  stop(): void {
    this.boundary();
    this.step = -1;
    for (const undo of this.restore) undo();
    this.restore = [];
  }

  private boundary(): void {
    const t = now();
    if (this.step >= 0) this.timings.push({ seconds: t - this.stepStart, gemmSeconds: this.gemmSeconds, calls: this.calls });
    if (this.current && this.step === this.recordStep) this.recorded = this.current;
    if (this.current && this.step === this.compareStep && this.recorded) this.sameAsNext = sameProducts(this.recorded, this.current);
    this.step++;
    this.gemmSeconds = 0;
    this.calls = 0;
    this.arrays.clear();
    this.current = this.step === this.recordStep || this.step === this.compareStep ? { buffers: [], products: [] } : null;
    this.stepStart = now();
  }

  private wrap(backend: Backend, gemm: Backend['gemm']): Backend {
    const name = backend.name;
    return {
      ...backend,
      gemm: (transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc) => {
        if (this.current) {
          this.current.products.push({
            transA, transB, m, n, k, alpha, beta,
            a: this.bufferOf(a), aOffset, lda, b: this.bufferOf(b), bOffset, ldb, c: this.bufferOf(c), cOffset, ldc,
            backend: name,
          });
        }
        const t0 = now();
        gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        this.gemmSeconds += now() - t0;
        this.calls++;
      },
    };
  }

  private bufferOf(x: FloatArray): number {
    let id = this.arrays.get(x);
    if (id === undefined) {
      id = this.current!.buffers.length;
      this.arrays.set(x, id);
      this.current!.buffers.push({ dtype: x instanceof Float32Array ? 'float32' : 'float64', length: x.length });
    }
    return id;
  }
}

function sameProducts(x: StepProducts, y: StepProducts): boolean {
  return formatProducts(x) === formatProducts(y);
}

/** 2·m·n·k summed: the floating-point operations of the products. */
export function flopsOf(step: StepProducts): number {
  return step.products.reduce((s, p) => s + 2 * p.m * p.n * p.k, 0);
}

// ---- the text form --------------------------------------------------------------------------------
//   buffer <float32|float64> <length>                      one per buffer, numbered from 0 in order
//   gemm <N|T> <N|T> m n k alpha beta a aOffset lda b bOffset ldb c cOffset ldc backend
// Lines starting with # are comments. alpha and beta are written with 17 significant digits.

const GEMM_FIELDS = 18;

export function formatProducts(step: StepProducts, comment?: string): string {
  const lines = comment ? comment.split('\n').map((l) => `# ${l}`) : [];
  for (const b of step.buffers) lines.push(`buffer ${b.dtype} ${b.length}`);
  for (const p of step.products) {
    lines.push(['gemm', p.transA ? 'T' : 'N', p.transB ? 'T' : 'N', p.m, p.n, p.k, num(p.alpha), num(p.beta),
      p.a, p.aOffset, p.lda, p.b, p.bOffset, p.ldb, p.c, p.cOffset, p.ldc, p.backend].join(' '));
  }
  return lines.join('\n') + '\n';
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(17);
}

/** The inverse of formatProducts; a RangeError naming the line for anything it would not write. */
export function parseProducts(text: string): StepProducts {
  const step: StepProducts = { buffers: [], products: [] };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    const bad = (why: string): never => {
      throw new RangeError(`products, line ${i + 1}: ${why}: '${line}'`);
    };
    const int = (j: number, min: number): number => {
      const v = Number(f[j]);
      if (!/^\d+$/.test(f[j]) || v < min) bad(`field ${j + 1} must be an integer ≥ ${min}`);
      return v;
    };
    const real = (j: number): number => {
      const v = Number(f[j]);
      if (f[j] === '' || !Number.isFinite(v)) bad(`field ${j + 1} must be a finite number`);
      return v;
    };
    const flag = (j: number): boolean => (f[j] === 'T' ? true : f[j] === 'N' ? false : bad(`field ${j + 1} must be N or T`));
    const buffer = (j: number): number => {
      const id = int(j, 0);
      if (id >= step.buffers.length) bad(`buffer ${id} is not declared above`);
      return id;
    };
    if (f[0] === 'buffer') {
      if (f.length !== 3) bad('a buffer line has 3 fields');
      if (f[1] !== 'float32' && f[1] !== 'float64') bad('the dtype must be float32 or float64');
      step.buffers.push({ dtype: f[1] as DTypeName, length: int(2, 1) });
    } else if (f[0] === 'gemm') {
      if (f.length !== GEMM_FIELDS) bad(`a gemm line has ${GEMM_FIELDS} fields`);
      const p: Product = {
        transA: flag(1), transB: flag(2), m: int(3, 1), n: int(4, 1), k: int(5, 1), alpha: real(6), beta: real(7),
        a: buffer(8), aOffset: int(9, 0), lda: int(10, 1), b: buffer(11), bOffset: int(12, 0), ldb: int(13, 1),
        c: buffer(14), cOffset: int(15, 0), ldc: int(16, 1), backend: f[17],
      };
      const fits = (id: number, off: number, ld: number, rows: number, cols: number) =>
        ld >= cols && off + (rows - 1) * ld + cols <= step.buffers[id].length;
      if (!fits(p.a, p.aOffset, p.lda, p.transA ? p.k : p.m, p.transA ? p.m : p.k)) bad('a does not fit its buffer');
      if (!fits(p.b, p.bOffset, p.ldb, p.transB ? p.n : p.k, p.transB ? p.k : p.n)) bad('b does not fit its buffer');
      if (!fits(p.c, p.cOffset, p.ldc, p.m, p.n)) bad('c does not fit its buffer');
      if (new Set([p.a, p.b, p.c].map((id) => step.buffers[id].dtype)).size !== 1) bad('a, b and c must share one dtype');
      step.products.push(p);
    } else {
      bad("a line starts with 'buffer', 'gemm' or '#'");
    }
  });
  return step;
}
