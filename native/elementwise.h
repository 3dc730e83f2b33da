// Elementwise hot loops: the optimizer updates, two activations, the BCE-with-logits loss and
// the engine's gradient sums. Their TypeScript twins are the loops in src/optim/{adam,sgd}.ts,
// src/ops/{tanh,sigmoid}.ts, src/losses/bce-with-logits.ts and tsBackend.axpy; all arrays of one call have one length and one element type.
#pragma once

#include <node_api.h>

namespace wiregrad {

// adamUpdate(value, grad, m, v, stepSize, unbias2, beta1, beta2, eps):
// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g·g;  value ← value − stepSize·m / (√v·unbias2 + ε).
napi_value AdamUpdate(napi_env env, napi_callback_info info);

// sgdUpdate(value, grad, lr): value ← value − lr·grad.
napi_value SgdUpdate(napi_env env, napi_callback_info info);

// tanhForward(x, y): y = tanh(x).
napi_value TanhForward(napi_env env, napi_callback_info info);

// tanhBackward(y, g, dx): dx = g ⊙ (1 − y²), from tanh's output y.
napi_value TanhBackward(napi_env env, napi_callback_info info);

// sigmoidForward(x, y): y = σ(x), in the two overflow-free branches.
napi_value SigmoidForward(napi_env env, napi_callback_info info);

// sigmoidBackward(y, g, dx): dx = g ⊙ y ⊙ (1 − y), from σ's output y.
napi_value SigmoidBackward(napi_env env, napi_callback_info info);

// bceWithLogitsForward(x, t) → Σ max(x, 0) − x·t + log1p(e^−|x|), accumulated in double.
napi_value BceWithLogitsForward(napi_env env, napi_callback_info info);

// bceWithLogitsBackward(x, t, dx, k): dx = k·(σ(x) − t).
napi_value BceWithLogitsBackward(napi_env env, napi_callback_info info);

// axpy(x, y, alpha): y ← alpha·x + y (a gradient arriving into the sum of the ones before it).
napi_value Axpy(napi_env env, napi_callback_info info);

}  // namespace wiregrad
