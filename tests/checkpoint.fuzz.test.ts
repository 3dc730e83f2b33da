import { CheckpointError, encodeCheckpoint, Matrix, parseCheckpoint, Rng } from '../src';
import { fuzzReader } from './helpers';

describe('checkpoint reader fuzz', () => {
  it('5,000 mutated files each parse or give a CheckpointError, never another exception', () => {
    const seeds = [
      encodeCheckpoint([['w', Matrix.from([[1, 2, 3], [4, 5, 6]])], ['b', Matrix.from([[0.5, -1]], 'float32')]], { epoch: '3', 'wiregrad.fingerprint': 'ab' }),
      encodeCheckpoint([['layer.W', Matrix.from([[7]])], ['optim.layer.W.m', Matrix.from([[8]])]], { 'optim.step': '10' }),
      encodeCheckpoint([], {}),
    ];
    const { unexpected, ...outcomes } = fuzzReader({
      seeds,
      rng: new Rng(20261127),
      cases: 5000,
      read: (bytes, file) =>
        [...parseCheckpoint(bytes, file).tensors].filter(([, m]) => !(m instanceof Matrix) || m.data.length !== m.rows * m.cols).map(([name]) => `tensor '${name}' is inconsistent`),
      refusal: [CheckpointError, 'E_CHECKPOINT'],
    });
    expect(unexpected).toEqual([]);
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(2500);
  });
});
