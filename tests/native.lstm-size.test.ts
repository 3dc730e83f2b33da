// Which kernel an LstmCell node runs: the addon's from NATIVE_LSTM_FROM cell values (m·H) up, the
// TypeScript twin below, where the call into the addon costs more than the cell.
import { Graph, init, loadNative, lstmCell, Rng } from '../src';
import { LstmCellKernel, lstmCellTs } from '../src/ops/lstm-cell';

const load = loadNative();
const addon = load.addon as unknown as { lstmCellForward?: LstmCellKernel['forward'] } | null;
const native = typeof addon?.lstmCellForward === 'function' ? addon.lstmCellForward : null;
if (!native) console.warn('the native LSTM cell kernel is not in the addon, its size tests skipped');

(native ? describe : describe.skip)('LstmCell kernel choice by size', () => {
  // float32, where the addon's float arithmetic and the twin's double arithmetic round differently
  it.each([
    ['1×7 runs the twin', 1, 7, 'ts'],
    ['7×1 runs the twin', 7, 1, 'ts'],
    ['1×8 runs the addon', 1, 8, 'native'],
    ['1×16 (W2\'s cell) runs the addon', 1, 16, 'native'],
    ['8×32 runs the addon', 8, 32, 'native'],
  ] as const)('%s', (_, m, h, expected) => {
    const rng = new Rng(m * h);
    const g = new Graph({ dtype: 'float32' });
    const gates = g.input('gates', m, 4 * h).feed(init.uniform(rng, m, 4 * h, -4, 4, 'float32'));
    const c = g.input('c', m, h).feed(init.uniform(rng, m, h, -2, 2, 'float32'));
    const y = Array.from(g.forward(lstmCell(gates, c)).data);
    const run = (forward: LstmCellKernel['forward']): number[] => {
      const out = new Float32Array(m * 2 * h);
      forward(gates.value.data, c.value.data, new Float32Array(m * 4 * h), new Float32Array(m * h), out, m, h);
      return Array.from(out);
    };
    const [fromNative, fromTs] = [run(native!), run(lstmCellTs.forward)];
    expect(fromNative).not.toEqual(fromTs); // else this test could not tell them apart
    expect(y).toEqual(expected === 'ts' ? fromTs : fromNative);
  });
});
