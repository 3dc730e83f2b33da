import { Graph, init, Matrix, Rng } from '../src';
import { Vae } from '../src/blocks/vae';

const arch = { input: 6, encoder: [5], latent: 3, decoder: [4] };

function small(batch = 2, seed = 8) {
  const rng = new Rng(seed);
  const graph = new Graph();
  const vae = new Vae(graph, 'vae', arch, rng);
  const t = vae.training(batch, 'train');
  t.x.feed(init.uniform(rng, batch, arch.input, 0, 1));
  t.eps.feed(init.normal(rng, batch, arch.latent));
  return { rng, graph, vae, t };
}

describe('Vae', () => {
  it('with a fixed ε passes the gradient checker on every parameter', () => {
    const { t, vae, graph } = small();
    graph.backward(t.loss);
    expect(vae.parameters).toHaveLength(10);
    for (const p of vae.parameters) expect(p.grad).not.toBeNull();
    expect(t.loss).toHaveCorrectGradients({ atol: 1e-6, rtol: 1e-5 });
  });

  it('loss = (BCE_sum + KL_sum) / batch with z = μ + ε·exp(½ log σ²)', () => {
    const batch = 3;
    const { t, graph } = small(batch);
    const loss = graph.forward(t.loss).data[0];
    const [x, eps, mu, logvar, z, recon] = [t.x, t.eps, t.mu, t.logvar, t.z, t.reconstruction].map((n) => graph.forward(n));
    let bce = 0;
    for (let i = 0; i < x.size; i++) bce -= x.data[i] * Math.log(recon.data[i]) + (1 - x.data[i]) * Math.log(1 - recon.data[i]);
    let kl = 0;
    for (let i = 0; i < mu.size; i++) {
      kl += -0.5 * (1 + logvar.data[i] - mu.data[i] ** 2 - Math.exp(logvar.data[i]));
      expect(z.data[i]).toBeCloseTo(mu.data[i] + eps.data[i] * Math.exp(0.5 * logvar.data[i]), 14);
    }
    expect(kl).toBeGreaterThan(0);
    expect(graph.forward(t.kl).data[0]).toBeCloseTo(kl / batch, 12);
    expect(graph.forward(t.bce).data[0]).toBeCloseTo(bce / batch, 12);
    expect(loss).toBeCloseTo((bce + kl) / batch, 12);
  });

  it('the default W4 architecture has the expected layer shapes', () => {
    const graph = new Graph({ dtype: 'float32' });
    const vae = new Vae(graph, 'vae', { input: 784, encoder: [400], latent: 20, decoder: [400] }, new Rng(0));
    expect(vae.parameters.map((p) => `${p.name} ${p.rows}×${p.cols}`)).toEqual([
      'vae.enc1.W 784×400', 'vae.enc1.b 1×400',
      'vae.mu.W 400×20', 'vae.mu.b 1×20',
      'vae.logvar.W 400×20', 'vae.logvar.b 1×20',
      'vae.dec1.W 20×400', 'vae.dec1.b 1×400',
      'vae.out.W 400×784', 'vae.out.b 1×784',
    ]);
  });

  it('wirings of other batch sizes, the prior decoder and the reconstructor share the parameters', () => {
    const { rng, graph, vae, t } = small(2);
    const other = vae.training(5, 'train5');
    other.x.feed(init.uniform(rng, 5, arch.input, 0, 1));
    other.feedNoise(rng);
    graph.backward(other.loss);
    expect(vae.parameters.every((p) => p.grad !== null)).toBe(true);
    expect(graph.parameters()).toHaveLength(10);

    // the reconstructor decodes at z = μ: the same as a training wiring fed ε = 0
    const rec = vae.reconstructor(2, 'rec');
    rec.x.feed(t.x.value);
    t.eps.feed(Matrix.zeros(2, arch.latent));
    const viaTraining = graph.forward(t.reconstruction).clone();
    const image = graph.forward(rec.image);
    for (let i = 0; i < image.size; i++) expect(image.data[i]).toBeCloseTo(viaTraining.data[i], 14);

    const prior = vae.decoder(4, 'prior');
    prior.z.feed(init.normal(rng, 4, arch.latent));
    const samples = graph.forward(prior.image);
    expect(samples.shape).toEqual([4, arch.input]);
    expect(Array.from(samples.data).every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('feedNoise draws ε from the seeded generator: same seed, same loss', () => {
    const a = small(2);
    const b = small(2);
    a.t.feedNoise(new Rng(42));
    b.t.feedNoise(new Rng(42));
    expect(a.graph.forward(a.t.loss).data[0]).toBe(b.graph.forward(b.t.loss).data[0]);
    b.t.feedNoise(new Rng(43));
    expect(a.graph.forward(a.t.loss).data[0]).not.toBe(b.graph.forward(b.t.loss).data[0]);
  });

  it('refuses a non-positive layer size', () => {
    expect(() => new Vae(new Graph(), 'v', { ...arch, latent: 0 }, new Rng(0))).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
