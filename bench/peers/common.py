"""Shared by the python peers: the fixed arrays from bench/.cache, the timer, the result line."""
import json
import os
import resource
import sys
import time

import numpy as np

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '.cache')
_manifest = None


def tensor(name):
    """The array `name` written by scripts/bench-data.py (a read-only view of the file)."""
    global _manifest
    if _manifest is None:
        with open(os.path.join(CACHE, 'data.json')) as f:
            _manifest = json.load(f)['tensors']
    t = _manifest[name]
    return np.fromfile(os.path.join(CACHE, t['file']), dtype='<' + {'float64': 'f8', 'float32': 'f4', 'int32': 'i4'}[t['dtype']]).reshape(t['shape'])


def args():
    """--workload w2 --variant nn --threads 1 --steps 2000 --warmup 20 -> dict"""
    a = sys.argv[1:]
    out = {}
    for i in range(0, len(a), 2):
        out[a[i].lstrip('-')] = a[i + 1]
    for k in ('threads', 'steps', 'warmup'):
        if k in out:
            out[k] = int(out[k])
    return out


now = time.perf_counter


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def emit(result):
    """One JSON line on stdout; the runner reads the last line."""
    result['cpu'] = cpu_seconds()
    result['memory'] = {'peakRssKiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'gc': None}
    sys.stdout.write(json.dumps(result) + '\n')
    sys.stdout.flush()
