"""W2-W5 in PyTorch (CPU). Threads: OPENBLAS_NUM_THREADS/OMP_NUM_THREADS are set by the runner
before this process starts, and torch.set_num_threads(t) below."""
import gzip

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import args, emit, now, tensor

FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'


def t(name, dtype):
    return torch.from_numpy(np.array(tensor(name))).to(dtype)


def load_lstm(lstm, prefix, dtype):
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(t(f'{prefix}.W_ih', dtype))
        lstm.weight_hh_l0.copy_(t(f'{prefix}.W_hh', dtype))
        lstm.bias_ih_l0.copy_(t(f'{prefix}.b_ih', dtype))
        lstm.bias_hh_l0.copy_(t(f'{prefix}.b_hh', dtype))


def load_linear(linear, w_name, b_name, dtype):
    with torch.no_grad():
        linear.weight.copy_(t(w_name, dtype).T)  # the cache stores [in x out]
        linear.bias.copy_(t(b_name, dtype).reshape(-1))


def timed_steps(a, step):
    """Runs warmup + steps steps of step(it) -> loss; returns the timed per-step seconds and the first losses."""
    times, losses = [], []
    for it in range(a['warmup'] + a['steps']):
        t0 = now()
        loss = step(it)
        elapsed = now() - t0
        if it < 5:
            losses.append(loss)
        if it >= a['warmup']:
            times.append(elapsed)
    return times, losses


def w2(a):
    # LSTM-small, float64; variant nn (nn.LSTM + nn.Linear) or cell (explicit gate matmuls)
    dtype, H, T = torch.float64, 16, 5
    series = t('w2.series', dtype)
    xs = [series[p:p + T].reshape(T, 1, 1) for p in range(994)]
    ys = [series[p + 1:p + 1 + T].reshape(T, 1, 1) for p in range(994)]
    readout = nn.Linear(H, 1).to(dtype)
    load_linear(readout, 'w2.w_out', 'w2.b_out', dtype)
    if a['variant'] == 'nn':
        lstm = nn.LSTM(1, H).to(dtype)
        load_lstm(lstm, 'w2', dtype)
        params = list(lstm.parameters()) + list(readout.parameters())

        def forward(x):
            out, _ = lstm(x)
            return torch.tanh(readout(out))
    else:
        wx = t('w2.W_ih', dtype).T.contiguous().requires_grad_()
        wh = t('w2.W_hh', dtype).T.contiguous().requires_grad_()
        b = (t('w2.b_ih', dtype) + t('w2.b_hh', dtype)).requires_grad_()
        params = [wx, wh, b] + list(readout.parameters())

        def forward(x):
            h = torch.zeros(1, H, dtype=dtype)
            c = torch.zeros(1, H, dtype=dtype)
            outs = []
            for k in range(T):
                i, f, g, o = (x[k] @ wx + h @ wh + b).chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outs.append(torch.tanh(readout(h)))
            return torch.stack(outs)
    opt = torch.optim.SGD(params, lr=0.01)

    def step(it):
        p = it % 994
        opt.zero_grad()
        loss = F.mse_loss(forward(xs[p]), ys[p])
        loss.backward()
        opt.step()
        return loss.item()
    times, losses = timed_steps(a, step)
    return {'dtype': 'float64', 'unit': 'step', 'times': times, 'check': {'losses': losses}}


def w3(a):
    dtype, H = torch.float32, 256
    lstm = nn.LSTM(32, H)
    readout = nn.Linear(H, 1)
    load_lstm(lstm, 'w3', dtype)
    load_linear(readout, 'w3.w_out', 'w3.b_out', dtype)
    x, y = t('w3.x', dtype), t('w3.y', dtype)
    opt = torch.optim.SGD(list(lstm.parameters()) + list(readout.parameters()), lr=0.01)

    def step(it):
        opt.zero_grad()
        out, _ = lstm(x)
        loss = F.mse_loss(readout(out[-1]), y)
        loss.backward()
        opt.step()
        return loss.item()
    times, losses = timed_steps(a, step)
    return {'dtype': 'float32', 'unit': 'step', 'times': times, 'check': {'losses': losses}}


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1, self.mu, self.logvar = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.dec1, self.out = nn.Linear(20, 400), nn.Linear(400, 784)
        for name in ('enc1', 'mu', 'logvar', 'dec1', 'out'):
            load_linear(getattr(self, name), f'w4.{name}.W', f'w4.{name}.b', torch.float32)

    def forward(self, x, eps):
        h = torch.tanh(self.enc1(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + eps * torch.exp(0.5 * logvar)
        logits = self.out(torch.tanh(self.dec1(z)))
        # BCE on the logits: the sum of BCE(sigmoid(logits), x) without log(0) on a saturated sigmoid
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction='sum')
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kl) / x.shape[0]


def w4(a):
    t0 = now()
    with gzip.open(FASHION, 'rb') as f:
        raw = f.read()
    perm = np.array(tensor('w4.perm'))
    images = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(60000, 784)[perm].astype(np.float32) / 255)
    eps = torch.from_numpy(np.array(tensor('w4.eps')))
    batches = [(images[s:s + 128], eps[s:s + 128]) for s in range(0, 60000, 128)]
    setup = now() - t0

    def run(steps):
        model = Vae()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        times, losses, total = [], [], 0.0
        start = now()
        for x, e in batches[:steps]:
            s0 = now()
            opt.zero_grad()
            loss = model(x, e)
            loss.backward()
            opt.step()
            value = loss.item()
            total += value * x.shape[0]
            times.append(now() - s0)
            if len(losses) < 5:
                losses.append(value)
        return times, now() - start, total, losses
    run(a['warmup'])  # warm-up on a throw-away model; the epoch starts again from the shared init
    times, epoch, total, losses = run(a['steps'])
    full = a['steps'] == len(batches)
    return {'dtype': 'float32', 'unit': 'step', 'times': times, 'setup': setup, 'epoch': epoch if full else None,
            'check': {'losses': losses, 'epoch_loss': total / 60000 if full else None}}


def w5(a):
    dtype = torch.float64
    x, y = t('w5.x', dtype), t('w5.y', dtype)
    ws = [t(f'w5.{n}', dtype).requires_grad_() for n in ('W01', 'W12', 'W23')]
    opt = torch.optim.SGD(ws, lr=0.1)
    batches = [(x[i:i + 10], y[i:i + 10]) for i in range(0, 1000, 10)]

    def epoch():
        error = torch.zeros((), dtype=dtype)
        for bx, by in batches:
            opt.zero_grad()
            out = torch.sigmoid(torch.sigmoid(torch.sigmoid(bx @ ws[0]) @ ws[1]) @ ws[2])
            diff = out - by
            loss = 0.5 * (diff * diff).sum()
            loss.backward()
            opt.step()
            with torch.no_grad():
                error += (diff * out * (1 - out)).abs().sum()  # the seed's Σ|layer_3_delta|
        return error.item()
    times, errors = timed_steps(a, lambda it: epoch())
    return {'dtype': 'float64', 'unit': 'epoch', 'times': times, 'check': {'error_epoch1': errors[0], 'errors': errors[:3]}}


def main():
    a = args()
    torch.set_num_threads(a['threads'])
    start = now()
    result = {'w2': w2, 'w3': w3, 'w4': w4, 'w5': w5}[a['workload']](a)
    result.setdefault('setup', 0.0)
    emit({'system': 'pytorch', 'version': torch.__version__, 'workload': a['workload'], 'variant': a.get('variant'),
          'threads': a['threads'], 'torch_threads': torch.get_num_threads(), 'wall': now() - start, **result})


main()
