// The JavaScript-facing entry points: GEMM with full argument validation, threads, self-description.
#pragma once

#include <node_api.h>

namespace wiregrad {

// sgemm/dgemm(a, b, c, scalars), scalars the ArrayBuffer of a 13-value Float64Array of
// [transA, transB, m, n, k, alpha, aOffset, lda, bOffset, ldb, beta, cOffset, ldc] (flags 0 or 1):
// C = alpha·op(A)·op(B) + beta·C on row-major typed arrays, in place, without copying.
// The numbers come packed because each napi_get_value_* call costs about 5 ns: thirteen of them
// were a quarter of a small product's overhead.
// Plain N-API callbacks: node-addon-api's CallbackInfo allocates on the heap past six arguments.
napi_value Sgemm(napi_env env, napi_callback_info info);
// The count of packed numbers, exported as gemmScalars: a loader finds a build of another layout.
constexpr int kGemmScalars = 13;
napi_value Dgemm(napi_env env, napi_callback_info info);

// alignmentOffset(buffer): bytes from the start of an ArrayBuffer to its first 64-byte boundary.
// JavaScript cannot see addresses; with this it lays out typed arrays whose data starts on such a
// boundary, which makes OpenBLAS's small products up to 1.5× faster (its vector loads and stores
// no longer straddle cache lines). V8 never moves an ArrayBuffer's data.
napi_value AlignmentOffset(napi_env env, napi_callback_info info);

// setThreads(n): sizes OpenBLAS's pool and our own OpenMP loops alike.
napi_value SetThreads(napi_env env, napi_callback_info info);

// info(): which BLAS, its configuration and kernel, OpenMP, thread counts.
napi_value Info(napi_env env, napi_callback_info info);

}  // namespace wiregrad
