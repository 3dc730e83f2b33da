// The fused LSTM cell update (src/ops/lstm-cell.ts is its TypeScript twin).
#pragma once

#include <node_api.h>

namespace wiregrad {

// lstmCellForward(z, c, act, tc, y, m, h): act = [σ(zi) σ(zf) tanh(zg) σ(zo)], c' = σ(zf)⊙c + σ(zi)⊙tanh(zg),
// tc = tanh(c'), y = [σ(zo)⊙tc | c'].
napi_value LstmCellForward(napi_env env, napi_callback_info info);

// lstmCellBackward(g, c, act, tc, dz, dc, m, h): dz and dc from g = [gh | gc] (both overwritten).
napi_value LstmCellBackward(napi_env env, napi_callback_info info);

}  // namespace wiregrad
