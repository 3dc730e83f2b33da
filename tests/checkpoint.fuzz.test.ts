import { CheckpointError, encodeCheckpoint, Matrix, parseCheckpoint, Rng } from '../src';
import { mutate } from './fixtures/mutate';

describe('checkpoint reader fuzz', () => {
  it('5,000 mutated files each parse or give a CheckpointError, never another exception', () => {
    const seeds = [
      encodeCheckpoint([['w', Matrix.from([[1, 2, 3], [4, 5, 6]])], ['b', Matrix.from([[0.5, -1]], 'float32')]], { epoch: '3', 'wiregrad.fingerprint': 'ab' }),
      encodeCheckpoint([['layer.W', Matrix.from([[7]])], ['optim.layer.W.m', Matrix.from([[8]])]], { 'optim.step': '10' }),
      encodeCheckpoint([], {}),
    ];
    const rng = new Rng(20261127);
    const outcomes = { parsed: 0, refused: 0 };
    const unexpected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const bytes = mutate(rng, seeds);
      try {
        const { tensors } = parseCheckpoint(bytes, `fuzz#${i}`);
        for (const [name, m] of tensors) {
          if (!(m instanceof Matrix) || m.data.length !== m.rows * m.cols) unexpected.push(`case ${i}: tensor '${name}' is inconsistent`);
        }
        outcomes.parsed++;
      } catch (e) {
        if (e instanceof CheckpointError && e.code === 'E_CHECKPOINT' && e.message.startsWith(`fuzz#${i}: `)) outcomes.refused++;
        else unexpected.push(`case ${i}: ${String(e)}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(2500);
  });
});
