// The fused LSTM cell update, forward and backward, parallel over the batch rows. It mirrors
// lstmCellTs in src/ops/lstm-cell.ts operation for operation. float64 arrays are computed in
// double, so they match the twin bit for bit (fastmath.h's double σ and tanh are the twin's);
// float32 arrays in float, as their products are,
// with fastmath.h's exp and tanh (within 2 ulps): the update loop vectorises, and the results
// stay within a few float32 roundings of the twin, which computes in double and rounds.
// Rows are independent (no sum across the batch), so any thread count gives the same bits.
// Every argument is checked (args.h) before any array is touched.
#include "lstm.h"

#include <cmath>
#include <cstdint>

#include "args.h"
#include "clones.h"
#include "fastmath.h"

namespace wiregrad {

namespace {

// Below this many cells (m·h) one thread does the update: waking a team costs more. The grid
// kernel's threshold, whose per-cell work (a few flops and a transcendental) is of this size.
constexpr int64_t kParallelFrom = 4096;
constexpr int kMaxArrays = 6;

// One call's arguments: `arrays` typed arrays, then m and h. widths[i] is array i's length in
// units of m·h (4 for the gates, 2 for y and g, 1 for the cells); outputs[i] marks written ones.
struct Call {
  napi_env env;
  const char* fn;
  const char* const* names;
  int arrays;
  const int* widths;
  const bool* outputs;
  FloatArray views[kMaxArrays];
  int64_t m = 0, h = 0;

  bool read(napi_callback_info info) {
    Args args{env, fn, names, {}};
    if (!args.read(info, arrays + 2)) return false;
    for (int i = 0; i < arrays; i++) {
      if (!args.floatArray(i, &views[i])) return false;
    }
    if (!args.integer(arrays, 1, 2147483647.0, &m) || !args.integer(arrays + 1, 1, 2147483647.0, &h)) return false;
    for (int i = 0; i < arrays; i++) {
      if (!args.sameType(views, i) || !args.holds(views, i, widths[i], m * h, "m·h")) return false;
    }
    return args.apart(views, arrays, outputs);
  }
};

using fastmath::sigmoid;

using fastmath::tanh;

// One batch row. A function of its own so that the row pointers are __restrict and h a plain
// argument: in the OpenMP body they would be read through the shared-variable block, which the
// stores might alias, and the loop would not vectorise; and so that it can be cloned for wide
// vectors (clones.h).
template <typename T>
WIREGRAD_VECTOR_CLONES void forwardRow(const T* __restrict zr, const T* __restrict cr, T* __restrict ar, T* __restrict tr, T* __restrict yr, int64_t h) {
  for (int64_t j = 0; j < h; j++) {
    const T i = ar[j] = sigmoid(zr[j]);
    const T f = ar[h + j] = sigmoid(zr[h + j]);
    const T g = ar[2 * h + j] = tanh(zr[2 * h + j]);
    const T o = ar[3 * h + j] = sigmoid(zr[3 * h + j]);
    const T cNew = f * cr[j] + i * g;
    const T t = tr[j] = tanh(cNew);
    yr[j] = o * t;
    yr[h + j] = cNew;
  }
}

// Runs row(r) for the m rows: in a static OpenMP loop from kParallelFrom cells, else on the
// calling thread without entering a region (an `if (false)` region still costs a microsecond,
// more than a small cell's whole update).
template <typename Row>
void rows(int64_t m, int64_t h, Row row) {
  if (m * h < kParallelFrom) {
    for (int64_t r = 0; r < m; r++) row(r);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < m; r++) row(r);
}

template <typename T>
void forward(const T* z, const T* c, T* act, T* tc, T* y, int64_t m, int64_t h) {
  rows(m, h, [&](int64_t r) { forwardRow(z + r * 4 * h, c + r * h, act + r * 4 * h, tc + r * h, y + r * 2 * h, h); });
}

template <typename T>
WIREGRAD_VECTOR_CLONES void backwardRow(const T* __restrict gr, const T* __restrict cr, const T* __restrict ar, const T* __restrict tr,
                                        T* __restrict dzr, T* __restrict dcr, int64_t h) {
  for (int64_t j = 0; j < h; j++) {
    const T i = ar[j], f = ar[h + j], g = ar[2 * h + j], o = ar[3 * h + j];
    const T t = tr[j];
    const T gh = gr[j];
    const T dcNew = gr[h + j] + gh * o * (1 - t * t);
    dzr[j] = dcNew * g * (i * (1 - i));
    dzr[h + j] = dcNew * cr[j] * (f * (1 - f));
    dzr[2 * h + j] = dcNew * i * (1 - g * g);
    dzr[3 * h + j] = gh * t * (o * (1 - o));
    dcr[j] = dcNew * f;
  }
}

template <typename T>
void backward(const T* gy, const T* c, const T* act, const T* tc, T* dz, T* dc, int64_t m, int64_t h) {
  rows(m, h, [&](int64_t r) { backwardRow(gy + r * 2 * h, c + r * h, act + r * 4 * h, tc + r * h, dz + r * 4 * h, dc + r * h, h); });
}

}  // namespace

napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"z", "c", "act", "tc", "y", "m", "h"};
  static const int widths[] = {4, 1, 4, 1, 2};
  static const bool outputs[] = {false, false, true, true, true};
  Call call{env, "lstmCellForward", names, 5, widths, outputs, {}};
  if (!call.read(info)) return nullptr;
  const FloatArray* v = call.views;
  if (v[0].isFloat()) {
    forward(static_cast<const float*>(v[0].data), static_cast<const float*>(v[1].data), static_cast<float*>(v[2].data),
            static_cast<float*>(v[3].data), static_cast<float*>(v[4].data), call.m, call.h);
  } else {
    forward(static_cast<const double*>(v[0].data), static_cast<const double*>(v[1].data), static_cast<double*>(v[2].data),
            static_cast<double*>(v[3].data), static_cast<double*>(v[4].data), call.m, call.h);
  }
  return nullptr;
}

napi_value LstmCellBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"g", "c", "act", "tc", "dz", "dc", "m", "h"};
  static const int widths[] = {2, 1, 4, 1, 4, 1};
  static const bool outputs[] = {false, false, false, false, true, true};
  Call call{env, "lstmCellBackward", names, 6, widths, outputs, {}};
  if (!call.read(info)) return nullptr;
  const FloatArray* v = call.views;
  if (v[0].isFloat()) {
    backward(static_cast<const float*>(v[0].data), static_cast<const float*>(v[1].data), static_cast<const float*>(v[2].data),
             static_cast<const float*>(v[3].data), static_cast<float*>(v[4].data), static_cast<float*>(v[5].data), call.m, call.h);
  } else {
    backward(static_cast<const double*>(v[0].data), static_cast<const double*>(v[1].data),
             static_cast<const double*>(v[2].data), static_cast<const double*>(v[3].data), static_cast<double*>(v[4].data),
             static_cast<double*>(v[5].data), call.m, call.h);
  }
  return nullptr;
}

}  // namespace wiregrad
