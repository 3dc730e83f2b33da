// The JavaScript-facing entry points: GEMM with full argument validation, threads, self-description.
#pragma once

#include <node_api.h>

namespace wiregrad {

// sgemm/dgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc)
// C = alpha·op(A)·op(B) + beta·C on row-major typed arrays, in place, without copying.
// Plain N-API callbacks: node-addon-api's CallbackInfo allocates on the heap past six arguments.
napi_value Sgemm(napi_env env, napi_callback_info info);
napi_value Dgemm(napi_env env, napi_callback_info info);

// setThreads(n): sizes OpenBLAS's pool and our own OpenMP loops alike.
napi_value SetThreads(napi_env env, napi_callback_info info);

// info(): which BLAS, its configuration and kernel, OpenMP, thread counts.
napi_value Info(napi_env env, napi_callback_info info);

}  // namespace wiregrad
