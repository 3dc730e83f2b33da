"""Writes the fixed initial weights and data of workloads W2-W5 (shared/WORKLOADS.md) once,
so that wiregrad and every peer start from the same numbers and see the same data order.

Output: bench/.cache/data.json (a manifest) and one raw little-endian array per tensor.
Every array is row-major; weights of dense layers are stored as [in x out] (x . W), LSTM
weights in PyTorch's layout (W_ih [4H x in], W_hh [4H x H], gate order i, f, g, o).
Only numpy is needed: the initial values follow PyTorch's default distributions
(U(+-1/sqrt(fan)) ) drawn from numpy's seeded generator, and W5 is the seed's own code.
"""
import json
import os
import sys

import numpy as np

VERSION = 2
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, '..', 'bench', '.cache')

tensors = {}


def put(name, array, dtype):
    a = np.ascontiguousarray(np.asarray(array, dtype=dtype))
    suffix = 'f64' if dtype == np.float64 else ('f32' if dtype == np.float32 else 'i32')
    file = f'{name}.{suffix}'
    a.astype(a.dtype.newbyteorder('<')).tofile(os.path.join(CACHE, file))
    tensors[name] = {'file': file, 'dtype': {'f64': 'float64', 'f32': 'float32', 'i32': 'int32'}[suffix], 'shape': list(a.shape)}


def uniform(rng, shape, fan):
    bound = 1 / np.sqrt(fan)
    return rng.uniform(-bound, bound, size=shape)


def w2():
    # LSTM input 1, hidden 16; readout Linear(16, 1); U(+-1/sqrt(16)) for all, seed 0; float64
    rng = np.random.RandomState(0)
    H = 16
    for name, shape in [('W_ih', (4 * H, 1)), ('W_hh', (4 * H, H)), ('b_ih', (4 * H,)), ('b_hh', (4 * H,)), ('w_out', (H, 1)), ('b_out', (1,))]:
        put(f'w2.{name}', uniform(rng, shape, H), np.float64)
    put('w2.series', np.sin(0.1 * np.arange(1000)), np.float64)


def w3():
    # LSTM input 32, hidden 256, batch 64, 20 steps; readout Linear(256, 1); float32
    rng = np.random.RandomState(0)
    H, I = 256, 32
    for name, shape in [('W_ih', (4 * H, I)), ('W_hh', (4 * H, H)), ('b_ih', (4 * H,)), ('b_hh', (4 * H,)), ('w_out', (H, 1)), ('b_out', (1,))]:
        put(f'w3.{name}', uniform(rng, shape, H), np.float32)
    put('w3.x', rng.standard_normal((20, 64, I)), np.float32)
    put('w3.y', rng.standard_normal((64, 1)), np.float32)


def w4():
    # VAE 784-400-(20, 20)-400-784, nn.Linear default init (U(+-1/sqrt(in)) for W and b), seed 0;
    # one shuffle (permutation seed 0); the noise eps of every example, in shuffled order
    rng = np.random.RandomState(0)
    for name, n_in, n_out in [('enc1', 784, 400), ('mu', 400, 20), ('logvar', 400, 20), ('dec1', 20, 400), ('out', 400, 784)]:
        put(f'w4.{name}.W', uniform(rng, (n_in, n_out), n_in), np.float32)
        put(f'w4.{name}.b', uniform(rng, (n_out,), n_in), np.float32)
    put('w4.perm', np.random.RandomState(0).permutation(60000), np.int32)
    put('w4.eps', np.random.RandomState(1).standard_normal((60000, 20)), np.float32)


def w5():
    # The seed's generate_dataset(output_dim=12, num_examples=1000) after np.random.seed(1),
    # then the weights (randn * 0.2) - 0.1 from the same stream, exactly as the seed draws them.
    np.random.seed(1)
    output_dim, num_examples = 12, 1000

    def int2vec(x, dim=output_dim):
        out = np.zeros(dim)
        binrep = np.array(list(np.binary_repr(x))).astype('int')
        out[-len(binrep):] = binrep
        return out

    x_left = (np.random.rand(num_examples) * 2 ** (output_dim - 1)).astype('int')
    x_right = (np.random.rand(num_examples) * 2 ** (output_dim - 1)).astype('int')
    y_int = x_left + x_right
    x = np.array([np.concatenate((int2vec(a), int2vec(b))) for a, b in zip(x_left, x_right)])
    y = np.array([int2vec(s) for s in y_int])
    w01 = (np.random.randn(24, 128) * 0.2) - 0.1
    w12 = (np.random.randn(128, 64) * 0.2) - 0.1
    w23 = (np.random.randn(64, 12) * 0.2) - 0.1
    for name, a in [('x', x), ('y', y), ('W01', w01), ('W12', w12), ('W23', w23)]:
        put(f'w5.{name}', a, np.float64)


def main():
    os.makedirs(CACHE, exist_ok=True)
    manifest = os.path.join(CACHE, 'data.json')
    if os.path.exists(manifest) and '--force' not in sys.argv:
        with open(manifest) as f:
            if json.load(f).get('version') == VERSION:
                return
    w2(); w3(); w4(); w5()
    with open(manifest + '.tmp', 'w') as f:
        json.dump({'version': VERSION, 'numpy': np.__version__, 'tensors': tensors}, f, indent=1)
    os.replace(manifest + '.tmp', manifest)
    print(f'bench data: wrote {len(tensors)} arrays to {os.path.normpath(CACHE)}', file=sys.stderr)


main()
