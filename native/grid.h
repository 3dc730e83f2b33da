// The fused NeuralGrid column transition (src/ops/grid-step.ts is its TypeScript twin).
#pragma once

#include <node_api.h>

namespace wiregrad {

// gridStepForward(a, w, b, z, y, m, h, act): z = w[i−1]·a[:, i−1] + w[i]·a[:, i] + w[i+1]·a[:, i+1] + b[i], y = act(z).
napi_value GridStepForward(napi_env env, napi_callback_info info);

// gridStepBackward(g, a, w, z, y, da, dw, db, m, h, act): da = w ⊙ s (overwritten), dw += Σ_rows a ⊙ s, db += Σ_rows gz.
napi_value GridStepBackward(napi_env env, napi_callback_info info);

}  // namespace wiregrad
