import { UsageError } from '../errors';
import type { Graph } from '../graph/graph';
import type { Node } from '../graph/node';
import { bceWithLogits } from '../losses/bce-with-logits';
import { gaussianKL } from '../losses/gaussian-kl';
import { add } from '../ops/add';
import { exp } from '../ops/exp';
import { mul } from '../ops/mul';
import { scale } from '../ops/scale';
import { sigmoid } from '../ops/sigmoid';
import { Matrix } from '../tensor/matrix';
import { Rng } from '../tensor/rng';
import { FeedForward } from './feedforward';

/** Layer sizes of a VAE: input → encoder… (tanh) → μ, log σ² (latent) → decoder… (tanh) → input (sigmoid). */
export interface VaeArchitecture {
  input: number;
  encoder: readonly number[];
  latent: number;
  decoder: readonly number[];
}

/** The nodes of one training wiring of the VAE over a batch. */
export interface VaeTraining {
  /** The images [batch × input], values in [0, 1]; also the reconstruction target. */
  x: Node;
  /** The noise ε [batch × latent], fed from a seeded Rng every step (`feedNoise`). */
  eps: Node;
  mu: Node;
  logvar: Node;
  z: Node;
  /** Decoder output before the sigmoid. */
  logits: Node;
  /** σ(logits): the reconstruction (not on the loss path; computed only when asked for). */
  reconstruction: Node;
  /** Σ BCE over pixels / batch. */
  bce: Node;
  /** Σ KL(N(μ, σ²) ‖ N(0, I)) / batch. */
  kl: Node;
  /** bce + kl: (BCE_sum + KL_sum) / batch. */
  loss: Node;
  /** Fills ε with standard normals from `rng`. */
  feedNoise(rng: Rng): void;
}

/**
 * A variational autoencoder wired from FeedForward layers: tanh encoder layers, linear μ and
 * log σ² heads, z = μ + ε ⊙ exp(½ log σ²), tanh decoder layers and an output layer whose
 * sigmoid gives the image. The parameters are made once; `training`, `decoder` and
 * `reconstructor` wire them onto new inputs of any batch size, all sharing the parameters.
 *
 * The loss is BCE(σ(logits), x) + KL with BCE computed from the logits (BCEWithLogits): the
 * same value, but without ln 0 when a float32 sigmoid rounds to exactly 0 or 1.
 */
export class Vae {
  readonly graph: Graph;
  readonly name: string;
  readonly architecture: VaeArchitecture;
  readonly encoderLayers: FeedForward[];
  readonly muHead: FeedForward;
  readonly logvarHead: FeedForward;
  readonly decoderLayers: FeedForward[];
  /** The last decoder layer, linear; its sigmoid is the image. */
  readonly output: FeedForward;

  constructor(graph: Graph, name: string, architecture: VaeArchitecture, rng: Rng) {
    const { input, encoder, latent, decoder } = architecture;
    for (const n of [input, latent, ...encoder, ...decoder]) {
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`Vae '${name}': every layer size must be a positive integer, got ${n}`);
    }
    this.graph = graph;
    this.name = name;
    this.architecture = { input, encoder: [...encoder], latent, decoder: [...decoder] };
    const chain = (sizes: number[], prefix: string): FeedForward[] =>
      sizes.slice(1).map((size, k) => new FeedForward(graph, `${prefix}${k + 1}`, sizes[k], size, rng, { activation: 'tanh' }));
    [this.encoderLayers, this.muHead, this.logvarHead, this.decoderLayers, this.output] = graph.scope(name, () => {
      const enc = chain([input, ...encoder], 'enc');
      const top = encoder.length > 0 ? encoder[encoder.length - 1] : input;
      const mu = new FeedForward(graph, 'mu', top, latent, rng, { activation: 'none' });
      const logvar = new FeedForward(graph, 'logvar', top, latent, rng, { activation: 'none' });
      const dec = chain([latent, ...decoder], 'dec');
      const last = decoder.length > 0 ? decoder[decoder.length - 1] : latent;
      return [enc, mu, logvar, dec, new FeedForward(graph, 'out', last, input, rng, { activation: 'none' })] as const;
    });
  }

  get parameters(): Node[] {
    return [...this.encoderLayers, this.muHead, this.logvarHead, ...this.decoderLayers, this.output].flatMap((l) => l.parameters);
  }

  /** The training graph for batches of `batch` rows, in scope `<name>.<at>`. */
  training(batch: number, at: string): VaeTraining {
    const { graph } = this;
    return graph.scope(this.name, () =>
      graph.scope(at, () => {
        const x = graph.input('x', batch, this.architecture.input);
        const eps = graph.input('eps', batch, this.architecture.latent);
        const { mu, logvar } = this.encode(x);
        // σ = exp(½ log σ²): the head predicts log σ², so σ is positive without a constraint
        const z = add(mu, mul(eps, exp(scale(logvar, 0.5, 'half_logvar'), 'sigma'), 'noise'), 'z');
        const logits = this.decodeLogits(z);
        const bce = bceWithLogits(logits, x, 'batch', 'bce');
        const kl = gaussianKL(mu, logvar, 'batch', 'kl');
        const noise = new Matrix(batch, this.architecture.latent, graph.dtype);
        const feedNoise = (rng: Rng): void => {
          for (let i = 0; i < noise.data.length; i++) noise.data[i] = rng.normal();
          eps.feed(noise);
        };
        return { x, eps, mu, logvar, z, logits, reconstruction: sigmoid(logits, 'reconstruction'), bce, kl, loss: add(bce, kl, 'loss'), feedNoise };
      }),
    );
  }

  /** Decoder alone, from a fed z [n × latent] to images [n × input] (sampling from the prior). */
  decoder(n: number, at: string): { z: Node; image: Node } {
    const { graph } = this;
    return graph.scope(this.name, () =>
      graph.scope(at, () => {
        const z = graph.input('z', n, this.architecture.latent);
        return { z, image: sigmoid(this.decodeLogits(z), 'image') };
      }),
    );
  }

  /** Encoder then decoder at z = μ (no noise): the mean reconstruction of fed images. */
  reconstructor(n: number, at: string): { x: Node; image: Node } {
    const { graph } = this;
    return graph.scope(this.name, () =>
      graph.scope(at, () => {
        const x = graph.input('x', n, this.architecture.input);
        return { x, image: sigmoid(this.decodeLogits(this.encode(x).mu), 'image') };
      }),
    );
  }

  private encode(x: Node): { mu: Node; logvar: Node } {
    const top = this.encoderLayers.reduce((h, layer) => layer.apply(h), x);
    return { mu: this.muHead.apply(top), logvar: this.logvarHead.apply(top) };
  }

  private decodeLogits(z: Node): Node {
    return this.output.apply(this.decoderLayers.reduce((h, layer) => layer.apply(h), z));
  }
}
