import { Rng } from '../src';
import { FASHION_MNIST_FIXTURE_DIR } from '../src/data/fashion-mnist';
import { FASHION_MNIST_PIXELS } from '../src/data/fashion-mnist';
import { trainVaeFmnist, VAE_FMNIST_DEFAULTS, VaeFmnist } from '../src/models/vae-fmnist';

// a small VAE on the shipped subset, so that the test runs in seconds
const small = { dataDir: FASHION_MNIST_FIXTURE_DIR, encoder: [64], latent: 4, decoder: [64], batch: 64, maxSteps: 0, epochs: 3, evalImages: 200 };

describe('vae-fmnist', () => {
  const result = trainVaeFmnist(small);

  it('trains on the shipped subset: the loss per image falls, the held-out loss is measured', () => {
    expect(result.dataSource).toBe('given');
    expect(result.trainImages).toBe(1000);
    // 1000 images in batches of 64: 15 full batches and one of 40, three epochs
    expect(result.steps).toBe(48);
    expect(result.history[47].epoch).toBe(3);
    const first = result.history.slice(0, 5).reduce((s, r) => s + r.loss, 0) / 5;
    const last = result.history.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
    expect(last).toBeLessThan(first * 0.8); // about 550 → 400 per image in 48 small steps
    expect(result.heldOutLoss).toBeGreaterThan(0);
    expect(result.heldOutLoss).toBeLessThan(first);
    expect(result.model.graph.dtype).toBe('float32');
  });

  it('samples from the prior and reconstructs images as matrices of pixels in (0, 1)', () => {
    const samples = result.model.sample(6, new Rng(1));
    expect(samples.shape).toEqual([6, FASHION_MNIST_PIXELS]);
    expect(Array.from(samples.data).every((v) => v > 0 && v < 1)).toBe(true);
    const again = result.model.sample(6, new Rng(1));
    expect(Array.from(again.data)).toEqual(Array.from(samples.data));
    const images = result.model.sample(3, new Rng(2));
    const recon = result.model.reconstruct(images);
    expect(recon.shape).toEqual([3, FASHION_MNIST_PIXELS]);
  });

  it('is deterministic for a seed', () => {
    const again = trainVaeFmnist({ ...small, maxSteps: 3, evalImages: 0 });
    expect(again.history.map((r) => r.loss)).toEqual(result.history.slice(0, 3).map((r) => r.loss));
    expect(again.heldOutLoss).toBeNaN();
  });

  it('defaults to the W4 settings and refuses bad options', () => {
    expect(VAE_FMNIST_DEFAULTS).toMatchObject({ encoder: [400], latent: 20, decoder: [400], batch: 128, lr: 1e-3, seed: 0, dtype: 'float32' });
    expect(() => new VaeFmnist({ latent: 0 })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => result.model.reconstruct(result.model.sample(2, new Rng(0)).to('float64'))).not.toThrow();
    expect(() => result.model.sample(0, new Rng(0))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
