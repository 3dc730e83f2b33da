// The profile summary behind bench/results/bench.profile.md: time inside the addon (a frame with
// no script) is charged to the JS caller — OpenBLAS under native.ts's gemm, a kernel under an op.
import * as path from 'node:path';
import { summarise } from '../scripts/bench-profile';

const root = path.resolve(__dirname, '..');
const frame = (functionName: string, file: string) => ({ functionName, url: file ? `file://${path.join(root, file)}` : '', lineNumber: 0 });

it('charges addon frames to their JS caller and keeps V8 pseudo-frames apart', () => {
  const nodes = [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 6, 7] },
    { id: 2, callFrame: frame('gemm', 'src/backend/native.ts'), children: [3] },
    { id: 3, callFrame: frame('sumRows', '') }, // V8 names addon frames after some export
    { id: 4, callFrame: frame('forward', 'src/ops/sigmoid.ts'), children: [5] },
    { id: 5, callFrame: frame('sumRows', '') },
    { id: 6, callFrame: frame('(garbage collector)', '') },
    { id: 7, callFrame: frame('(idle)', '') },
  ];
  const samples = [3, 3, 3, 5, 2, 4, 6, 7];
  const s = summarise({ nodes, samples, timeDeltas: samples.map(() => 1000) });
  const ms = Object.fromEntries(s.categories.map((c) => [c.name, c.ms]));
  expect(ms['GEMM in the native addon (OpenBLAS)']).toBe(4); // three in the addon, one in the JS wrapper
  expect(ms['native kernels in the addon (elementwise, LSTM cell, updates, sums)']).toBe(1);
  expect(ms['elementwise ops and losses (src/ops, src/losses)']).toBe(1);
  expect(ms['garbage collector']).toBe(1);
  expect(s.totalMs).toBe(7); // idle left out
  expect(s.functions.map((f) => f.name)).toContain('forward → addon');
});
