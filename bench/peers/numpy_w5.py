"""W5 in numpy: the seed's own formulation (delta rule written out), timed per epoch."""
import time

t_import = time.perf_counter()
import numpy as np  # noqa: E402  (threads are set by the environment before this import)

from common import args, emit, now, tensor  # noqa: E402


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def main():
    a = args()
    start = now()
    x, y = tensor('w5.x').copy(), tensor('w5.y').copy()
    weights_0_1, weights_1_2, weights_2_3 = tensor('w5.W01').copy(), tensor('w5.W12').copy(), tensor('w5.W23').copy()
    setup = now() - start
    batch_size, alpha = 10, 0.1
    times, errors = [], []
    for epoch in range(a['warmup'] + a['steps']):
        t0 = now()
        error = 0
        for batch_i in range(int(len(x) / batch_size)):
            batch_x = x[(batch_i * batch_size):(batch_i + 1) * batch_size]
            batch_y = y[(batch_i * batch_size):(batch_i + 1) * batch_size]
            layer_0 = batch_x
            layer_1 = sigmoid(layer_0.dot(weights_0_1))
            layer_2 = sigmoid(layer_1.dot(weights_1_2))
            layer_3 = sigmoid(layer_2.dot(weights_2_3))
            layer_3_delta = (layer_3 - batch_y) * layer_3 * (1 - layer_3)
            layer_2_delta = layer_3_delta.dot(weights_2_3.T) * layer_2 * (1 - layer_2)
            layer_1_delta = layer_2_delta.dot(weights_1_2.T) * layer_1 * (1 - layer_1)
            weights_0_1 -= layer_0.T.dot(layer_1_delta) * alpha
            weights_1_2 -= layer_1.T.dot(layer_2_delta) * alpha
            weights_2_3 -= layer_2.T.dot(layer_3_delta) * alpha
            error += (np.sum(np.abs(layer_3_delta)))
        elapsed = now() - t0
        errors.append(float(error))
        if epoch >= a['warmup']:
            times.append(elapsed)
    emit({'system': 'numpy', 'version': np.__version__, 'workload': 'w5', 'dtype': 'float64', 'threads': a['threads'],
          'unit': 'epoch', 'times': times, 'setup': setup, 'check': {'error_epoch1': errors[0], 'errors': errors[:3]}})


main()
