import { sineSeries } from '../src/data/synthetic';
import { sliceRows } from '../src/data/batches';
import { LSTM_SINE_DEFAULTS, trainLstmSine } from '../src/models/lstm-sine';

describe('lstm-sine', () => {
  // one training run with the defaults (hidden 15, windows of 5, 1500 steps: a few seconds)
  const result = trainLstmSine();

  it('reaches a held-out one-step MSE below 1e-3', () => {
    expect(result.history).toHaveLength(LSTM_SINE_DEFAULTS.iterations);
    expect(result.heldOutMse).toBeLessThan(1e-3);
    const early = result.history.slice(0, 50).reduce((s, r) => s + r.loss, 0) / 50;
    const late = result.history.slice(-50).reduce((s, r) => s + r.loss, 0) / 50;
    expect(late).toBeLessThan(early / 100);
  });

  it('generates in closed loop within 0.1 of the true curve for the first 20 points after 5 seeds', () => {
    expect(result.generationError20).toBeLessThan(0.1);
    // the same check done here from the public pieces, on a stretch the model never saw
    const o = result.model.options;
    const truth = sineSeries(25, o.stepSize, { phase: (o.trainPoints + 77) * o.stepSize });
    const generated = result.model.generate(sliceRows(truth, 0, 5), 20);
    for (let k = 0; k < 20; k++) {
      expect(Math.abs(generated.get(k, 0) - truth.get(5 + k, 0))).toBeLessThan(0.1);
      expect(Math.abs(generated.get(k, 1) - truth.get(5 + k, 1))).toBeLessThan(0.1);
    }
  });

  it('is deterministic for a seed and different across seeds', () => {
    const a = trainLstmSine({ iterations: 20 });
    const b = trainLstmSine({ iterations: 20 });
    const c = trainLstmSine({ iterations: 20, seed: 1 });
    expect(a.history.map((r) => r.loss)).toEqual(b.history.map((r) => r.loss));
    expect(c.history[19].loss).not.toBe(a.history[19].loss);
  });

  it('refuses options that cannot work', () => {
    expect(() => trainLstmSine({ hidden: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => trainLstmSine({ trainPoints: 30 })).toThrow(/trainPoints/);
  });
});
