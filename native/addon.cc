// Registration only: the work lives in gemm.cc, kernels.cc, grid.cc, lstm.cc,
// elementwise.cc and rows.cc.
#include <napi.h>

#include "elementwise.h"
#include "gemm.h"
#include "grid.h"
#include "lstm.h"
#include "rows.h"

namespace {

void Export(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn));
  exports.Set(name, fn);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmScalars", Napi::Number::New(env, wiregrad::kGemmScalars));
  Export(env, exports, "sgemm", wiregrad::Sgemm);
  Export(env, exports, "dgemm", wiregrad::Dgemm);
  Export(env, exports, "setThreads", wiregrad::SetThreads);
  Export(env, exports, "info", wiregrad::Info);
  Export(env, exports, "alignmentOffset", wiregrad::AlignmentOffset);
  Export(env, exports, "gridStepForward", wiregrad::GridStepForward);
  Export(env, exports, "gridStepBackward", wiregrad::GridStepBackward);
  Export(env, exports, "lstmCellForward", wiregrad::LstmCellForward);
  Export(env, exports, "lstmCellBackward", wiregrad::LstmCellBackward);
  Export(env, exports, "adamUpdate", wiregrad::AdamUpdate);
  Export(env, exports, "sgdUpdate", wiregrad::SgdUpdate);
  Export(env, exports, "tanhForward", wiregrad::TanhForward);
  Export(env, exports, "tanhBackward", wiregrad::TanhBackward);
  Export(env, exports, "sigmoidForward", wiregrad::SigmoidForward);
  Export(env, exports, "sigmoidBackward", wiregrad::SigmoidBackward);
  Export(env, exports, "bceWithLogitsForward", wiregrad::BceWithLogitsForward);
  Export(env, exports, "bceWithLogitsBackward", wiregrad::BceWithLogitsBackward);
  Export(env, exports, "axpy", wiregrad::Axpy);
  Export(env, exports, "addRow", wiregrad::AddRow);
  Export(env, exports, "sumRows", wiregrad::SumRows);
  Export(env, exports, "copyRows", wiregrad::CopyRows);
  return exports;
}

}  // namespace

NODE_API_MODULE(wiregrad_native, Init)
