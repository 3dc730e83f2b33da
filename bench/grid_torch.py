"""NeuralGrid in PyTorch with unfold, as the reference implements the grid columns: the
training step (forward, backward, Adam update) timed per batch size on Fashion-MNIST.

  /usr/bin/python3 bench/grid_torch.py --height 128 --width 16 --batches 64,256 --seconds 2 --threads 1

Prints one JSON object: per batch size, the number of timed steps and their seconds.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_fmnist(folder):
    with gzip.open(os.path.join(folder, 'train-images-idx3-ubyte.gz')) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
    with gzip.open(os.path.join(folder, 'train-labels-idx1-ubyte.gz')) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


class NeuralGrid(torch.nn.Module):
    """Dense in (+ sin), `width` grid columns, dense out. A column: p = a ⊙ w, zero-padded,
    unfolded into windows of 3 and summed, plus the bias, through sin."""

    def __init__(self, height, width):
        super().__init__()
        self.inp = torch.nn.Linear(784, height)
        bound = (6 / (3 + 1)) ** 0.5  # Xavier-uniform with fan-in 3 and fan-out 1
        self.w = torch.nn.Parameter(torch.empty(width, height).uniform_(-bound, bound))
        self.b = torch.nn.Parameter(torch.zeros(width, height))
        self.out = torch.nn.Linear(height, 10)

    def forward(self, x):
        a = torch.sin(self.inp(x))
        for j in range(self.w.shape[0]):
            p = F.pad(a * self.w[j], (1, 1))
            a = torch.sin(p.unfold(1, 3, 1).sum(-1) + self.b[j])
        return self.out(a)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--height', type=int, default=128)
    ap.add_argument('--width', type=int, default=16)
    ap.add_argument('--batches', default='64,256')
    ap.add_argument('--seconds', type=float, default=2.0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--lr', type=float, default=1e-3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images, labels = load_fmnist(args.data)
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'runs': {}}
    for batch in [int(b) for b in args.batches.split(',')]:
        model = NeuralGrid(args.height, args.width)
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        order = torch.randperm(images.shape[0])
        count = images.shape[0] // batch

        def step(i):
            idx = order[(i % count) * batch:(i % count + 1) * batch]
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        step(0)
        step(1)  # warm-up
        steps, start = 0, time.perf_counter()
        while steps < 3 or time.perf_counter() - start < args.seconds:
            step(2 + steps)
            steps += 1
        result['runs'][str(batch)] = {'steps': steps, 'seconds': time.perf_counter() - start}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
