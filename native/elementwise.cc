// Elementwise hot loops, each for Float32Array (computed in float: fastmath.h's exp and tanh,
// which vectorise, and log1pf) and
// Float64Array (computed in double, operation for operation as the TypeScript twin, so that a
// loop of + − × ÷ √ gives the twin's bits, and so do σ and tanh through fastmath.h's double exp
// and tanh; the BCE sum's exp and log1p are glibc's, V8's are fdlibm's: the two may differ in
// the last place). -ffp-contract=off (binding.gyp) keeps GCC from fusing a·b + c into an FMA,
// which would change the bits of the optimizer updates.
// Elements are independent, so any thread count gives the same bits; the BCE sum adds fixed
// blocks in a fixed order for the same reason.
// Written arrays never overlap another (checked), hence __restrict: the loops vectorise.
// Every argument is checked (args.h) before any array is touched.
#include "elementwise.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "args.h"
#include "clones.h"
#include "fastmath.h"

namespace wiregrad {

namespace {

// Below these many elements one thread runs the loop: waking a team costs more. At the
// thresholds two threads already pay (measured): float32 tanh of 4096 values 37 → 19 µs, σ
// 11 → 6 µs; Adam of 32768 float32 values 14 → 9 µs. The updates do a few flops per element and
// are bound by memory, so they need longer arrays to gain.
constexpr int64_t kTranscendentalParallelFrom = 4096;
constexpr int64_t kUpdateParallelFrom = 32768;
// The BCE sum adds this many terms per block, then the blocks in order.
constexpr int64_t kSumBlock = 4096;
constexpr int kMaxArgs = 9;

// One call: `arrays` typed arrays of one type and one length (written[i] marks the ones written,
// which must not overlap any other), then `scalars` numbers.
struct Call {
  napi_env env;
  const char* fn;
  const char* const* names;
  int arrays;
  int scalars;
  const bool* written;
  FloatArray views[kMaxArgs];
  double numbers[kMaxArgs];

  bool read(napi_callback_info info) {
    Args args{env, fn, names, {}};
    if (!args.read(info, arrays + scalars)) return false;
    for (int i = 0; i < arrays; i++) {
      if (!args.floatArray(i, &views[i])) return false;
    }
    for (int i = 0; i < scalars; i++) {
      if (!args.number(arrays + i, &numbers[i])) return false;
    }
    for (int i = 1; i < arrays; i++) {
      if (!args.sameType(views, i) || !args.sameLength(views, i, 0)) return false;
    }
    return args.apart(views, arrays, written);
  }

  bool isFloat() const { return views[0].isFloat(); }
  int64_t n() const { return views[0].length; }
  template <typename T>
  T* array(int i) const {
    return static_cast<T*>(views[i].data);
  }
};

using fastmath::sigmoid;

using fastmath::tanh;

// Runs range(begin, end) over [0, n): on the calling thread below parallelFrom, else one static
// block per thread. The loops are in the range functions, which are WIREGRAD_VECTOR_CLONES
// (clones.h: the region's outlined body would be compiled for the baseline only).
template <typename Range>
void split(int64_t n, int64_t parallelFrom, Range range) {
  if (n < parallelFrom) return range(0, n);
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    range(n * t / threads, n * (t + 1) / threads);
  }
}

template <typename T>
WIREGRAD_VECTOR_CLONES void adamRange(T* __restrict value, const T* __restrict grad, T* __restrict m, T* __restrict v, int64_t n, T b1,
                                      T b2, T keep1, T keep2, T step, T unbias, T e) {
  for (int64_t i = 0; i < n; i++) {
    const T g = grad[i];
    const T mi = b1 * m[i] + keep1 * g;
    const T vi = b2 * v[i] + keep2 * g * g;
    m[i] = mi;
    v[i] = vi;
    value[i] -= (step * mi) / (std::sqrt(vi) * unbias + e);
  }
}

template <typename T>
void adam(T* value, const T* grad, T* m, T* v, int64_t n, double stepSize, double unbias2, double beta1, double beta2, double eps) {
  const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2), keep1 = static_cast<T>(1 - beta1),
          keep2 = static_cast<T>(1 - beta2), step = static_cast<T>(stepSize), unbias = static_cast<T>(unbias2),
          e = static_cast<T>(eps);
  split(n, kUpdateParallelFrom, [&](int64_t b, int64_t end) {
    adamRange(value + b, grad + b, m + b, v + b, end - b, b1, b2, keep1, keep2, step, unbias, e);
  });
}

template <typename T>
WIREGRAD_VECTOR_CLONES void sgdRange(T* __restrict value, const T* __restrict grad, int64_t n, T rate) {
  for (int64_t i = 0; i < n; i++) value[i] -= rate * grad[i];
}

template <typename T>
void sgd(T* value, const T* grad, int64_t n, double lr) {
  split(n, kUpdateParallelFrom, [&](int64_t b, int64_t e) { sgdRange(value + b, grad + b, e - b, static_cast<T>(lr)); });
}

template <typename T>
WIREGRAD_VECTOR_CLONES void tanhRange(const T* __restrict x, T* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = tanh(x[i]);
}

template <typename T>
void tanhForward(const T* x, T* y, int64_t n) {
  split(n, kTranscendentalParallelFrom, [&](int64_t b, int64_t e) { tanhRange(x + b, y + b, e - b); });
}

// In double for float arrays too, rounded once at the store, as the twin computes: the same bits.
template <typename T>
WIREGRAD_VECTOR_CLONES void tanhBackwardRange(const T* __restrict y, const T* __restrict g, T* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double yi = y[i];
    dx[i] = static_cast<T>(static_cast<double>(g[i]) * (1 - yi * yi));
  }
}

// A few flops per element like the updates, so their threshold for threads.
template <typename T>
void tanhBackward(const T* y, const T* g, T* dx, int64_t n) {
  split(n, kUpdateParallelFrom, [&](int64_t b, int64_t e) { tanhBackwardRange(y + b, g + b, dx + b, e - b); });
}

template <typename T>
WIREGRAD_VECTOR_CLONES void sigmoidRange(const T* __restrict x, T* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = sigmoid(x[i]);
}

template <typename T>
void sigmoidForward(const T* x, T* y, int64_t n) {
  split(n, kTranscendentalParallelFrom, [&](int64_t b, int64_t e) { sigmoidRange(x + b, y + b, e - b); });
}

// In double for float arrays too, rounded once at the store, as the twin computes: the same bits.
template <typename T>
WIREGRAD_VECTOR_CLONES void sigmoidBackwardRange(const T* __restrict y, const T* __restrict g, T* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const double yi = y[i];
    dx[i] = static_cast<T>(static_cast<double>(g[i]) * yi * (1 - yi));
  }
}

// A few flops per element like the updates, so their threshold for threads.
template <typename T>
void sigmoidBackward(const T* y, const T* g, T* dx, int64_t n) {
  split(n, kUpdateParallelFrom, [&](int64_t b, int64_t e) { sigmoidBackwardRange(y + b, g + b, dx + b, e - b); });
}

// One term max(x, 0) − x·t + log1p(e^−|x|): e^−|x| ≤ 1, so nothing overflows, and log1p keeps
// the tail exact when it is tiny. float in fastmath's exp and log1p (which vectorise), double in
// glibc's.
inline double bceTerm(double v, double t) { return (v > 0 ? v : 0.0) - v * t + std::log1p(std::exp(-std::fabs(v))); }
inline double bceTerm(float v, float t) { return (v > 0 ? v : 0.0f) - v * t + fastmath::log1pUnit(fastmath::exp(-std::fabs(v))); }

// The sum of one block's terms in kLanes running sums, lane l taking the terms i ≡ l (mod kLanes),
// then the lanes in order: a fixed order (the same bits on every CPU and thread count) whose
// independent adds vectorise, where one running sum waits on every add before. The terms are
// computed a chunk at a time first, in a loop of their own, which vectorises for float.
constexpr int kLanes = 8;
constexpr int64_t kChunk = 256;

template <typename T>
WIREGRAD_VECTOR_CLONES double bceBlock(const T* __restrict x, const T* __restrict t, int64_t n) {
  double lanes[kLanes] = {};
  double rest = 0;  // the last chunk's terms after its last whole group of kLanes
  double terms[kChunk];
  for (int64_t i = 0; i < n; i += kChunk) {
    const int64_t m = std::min(kChunk, n - i);
    for (int64_t j = 0; j < m; j++) terms[j] = bceTerm(x[i + j], t[i + j]);
    int64_t j = 0;
    for (; j + kLanes <= m; j += kLanes) {
      for (int l = 0; l < kLanes; l++) lanes[l] += terms[j + l];
    }
    for (; j < m; j++) rest += terms[j];
  }
  double s = 0;
  for (const double lane : lanes) s += lane;
  return s + rest;
}

template <typename T>
double bceSum(const T* x, const T* t, int64_t n) {
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  std::vector<double> partial(static_cast<size_t>(blocks));
  const auto block = [&](int64_t b) {
    const int64_t begin = b * kSumBlock;
    partial[static_cast<size_t>(b)] = bceBlock(x + begin, t + begin, std::min(n, begin + kSumBlock) - begin);
  };
  if (n < kTranscendentalParallelFrom) {
    for (int64_t b = 0; b < blocks; b++) block(b);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < blocks; b++) block(b);
  }
  double s = 0;
  for (const double p : partial) s += p;
  return s;
}

template <typename T>
WIREGRAD_VECTOR_CLONES void bceBackwardRange(const T* __restrict x, const T* __restrict t, T* __restrict dx, int64_t n, T scale) {
  for (int64_t i = 0; i < n; i++) dx[i] = scale * (sigmoid(x[i]) - t[i]);
}

template <typename T>
void bceBackward(const T* x, const T* t, T* dx, int64_t n, double k) {
  split(n, kTranscendentalParallelFrom, [&](int64_t b, int64_t e) { bceBackwardRange(x + b, t + b, dx + b, e - b, static_cast<T>(k)); });
}

// One multiply and one add per element, rounded separately (no FMA under -ffp-contract=off): with
// alpha = 1 the multiply is exact, so y + x has the bits of the TypeScript loop.
template <typename T>
WIREGRAD_VECTOR_CLONES void axpyRange(const T* __restrict x, T* __restrict y, int64_t n, T a) {
  for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

template <typename T>
void axpy(const T* x, T* y, int64_t n, double alpha) {
  split(n, kUpdateParallelFrom, [&](int64_t b, int64_t e) { axpyRange(x + b, y + b, e - b, static_cast<T>(alpha)); });
}

}  // namespace

napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"value", "grad", "m", "v", "stepSize", "unbias2", "beta1", "beta2", "eps"};
  static const bool written[] = {true, false, true, true};
  Call call{env, "adamUpdate", names, 4, 5, written, {}, {}};
  if (!call.read(info)) return nullptr;
  const double* s = call.numbers;
  if (call.isFloat()) adam(call.array<float>(0), call.array<float>(1), call.array<float>(2), call.array<float>(3), call.n(), s[0], s[1], s[2], s[3], s[4]);
  else adam(call.array<double>(0), call.array<double>(1), call.array<double>(2), call.array<double>(3), call.n(), s[0], s[1], s[2], s[3], s[4]);
  return nullptr;
}

napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"value", "grad", "lr"};
  static const bool written[] = {true, false};
  Call call{env, "sgdUpdate", names, 2, 1, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) sgd(call.array<float>(0), call.array<float>(1), call.n(), call.numbers[0]);
  else sgd(call.array<double>(0), call.array<double>(1), call.n(), call.numbers[0]);
  return nullptr;
}

napi_value TanhForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "y"};
  static const bool written[] = {false, true};
  Call call{env, "tanhForward", names, 2, 0, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) tanhForward(call.array<float>(0), call.array<float>(1), call.n());
  else tanhForward(call.array<double>(0), call.array<double>(1), call.n());
  return nullptr;
}

napi_value TanhBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"y", "g", "dx"};
  static const bool written[] = {false, false, true};
  Call call{env, "tanhBackward", names, 3, 0, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) tanhBackward(call.array<float>(0), call.array<float>(1), call.array<float>(2), call.n());
  else tanhBackward(call.array<double>(0), call.array<double>(1), call.array<double>(2), call.n());
  return nullptr;
}

napi_value SigmoidForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "y"};
  static const bool written[] = {false, true};
  Call call{env, "sigmoidForward", names, 2, 0, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) sigmoidForward(call.array<float>(0), call.array<float>(1), call.n());
  else sigmoidForward(call.array<double>(0), call.array<double>(1), call.n());
  return nullptr;
}

napi_value SigmoidBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"y", "g", "dx"};
  static const bool written[] = {false, false, true};
  Call call{env, "sigmoidBackward", names, 3, 0, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) sigmoidBackward(call.array<float>(0), call.array<float>(1), call.array<float>(2), call.n());
  else sigmoidBackward(call.array<double>(0), call.array<double>(1), call.array<double>(2), call.n());
  return nullptr;
}

napi_value BceWithLogitsForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "t"};
  static const bool written[] = {false, false};
  Call call{env, "bceWithLogitsForward", names, 2, 0, written, {}, {}};
  if (!call.read(info)) return nullptr;
  const double s = call.isFloat() ? bceSum(call.array<float>(0), call.array<float>(1), call.n())
                                  : bceSum(call.array<double>(0), call.array<double>(1), call.n());
  napi_value out;
  if (napi_create_double(env, s, &out) != napi_ok) return nullptr;
  return out;
}

napi_value BceWithLogitsBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "t", "dx", "k"};
  static const bool written[] = {false, false, true};
  Call call{env, "bceWithLogitsBackward", names, 3, 1, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) bceBackward(call.array<float>(0), call.array<float>(1), call.array<float>(2), call.n(), call.numbers[0]);
  else bceBackward(call.array<double>(0), call.array<double>(1), call.array<double>(2), call.n(), call.numbers[0]);
  return nullptr;
}

napi_value Axpy(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"x", "y", "alpha"};
  static const bool written[] = {false, true};
  Call call{env, "axpy", names, 2, 1, written, {}, {}};
  if (!call.read(info)) return nullptr;
  if (call.isFloat()) axpy(call.array<float>(0), call.array<float>(1), call.n(), call.numbers[0]);
  else axpy(call.array<double>(0), call.array<double>(1), call.n(), call.numbers[0]);
  return nullptr;
}

}  // namespace wiregrad
