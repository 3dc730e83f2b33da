// The fused NeuralGrid column transition, forward and backward, parallel over the batch rows.
// It mirrors gridStepTs in src/ops/grid-step.ts operation for operation. float64 arrays are
// computed in double, so they match the twin to rounding; float32 arrays in float (sinf, tanhf),
// as their products are: several times faster than double sin, and within float32 rounding
// (about 1e-7 relative per operation) of the twin, which computes in double and rounds.
// Every argument is checked (args.h) before any array is touched.
#include "grid.h"

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "args.h"

namespace wiregrad {

namespace {

// Below this many neurons (m·h) one thread does the step: waking a team costs more.
constexpr int64_t kParallelFrom = 4096;
const double kGeluC = std::sqrt(2.0 / 3.141592653589793);  // Math.sqrt(2 / Math.PI), bit for bit
constexpr double kGeluK = 0.044715;

// Reads `arrays` arrays and the trailing m, h, act; checks one element type, the lengths
// (arrays of `rowLength` hold h values, the others m·h) and that no output overlaps another array.
bool readCall(const Args& args, int arrays, const bool* rowLength, const bool* output, std::vector<FloatArray>* views,
              int64_t* m, int64_t* h, int* act) {
  views->resize(arrays);
  FloatArray* v = views->data();
  for (int i = 0; i < arrays; i++) {
    if (!args.floatArray(i, &v[i])) return false;
  }
  int64_t a;
  if (!args.integer(arrays, 1, 2147483647.0, m) || !args.integer(arrays + 1, 1, 2147483647.0, h) ||
      !args.integer(arrays + 2, 0, 2, &a)) {
    return false;
  }
  *act = static_cast<int>(a);
  for (int i = 0; i < arrays; i++) {
    if (!args.sameType(v, i) || !args.holds(v, i, 1, rowLength[i] ? *h : *m * *h, rowLength[i] ? "h" : "m·h")) return false;
  }
  return args.apart(v, arrays, output);
}

template <typename T>
inline T activate(T z, int act) {
  const T c = static_cast<T>(kGeluC), k = static_cast<T>(kGeluK);
  if (act == 0) return std::sin(z);
  if (act == 1) return std::tanh(z);
  return T(0.5) * (z * (std::tanh(c * (z + k * ((z * z) * z))) + 1));
}

// act′(z), given y = act(z)
template <typename T>
inline T derivative(T z, T y, int act) {
  const T c = static_cast<T>(kGeluC), k = static_cast<T>(kGeluK);
  if (act == 0) return std::cos(z);
  if (act == 1) return 1 - y * y;
  const T t = std::tanh(c * (z + k * z * z * z));
  return T(0.5) * (1 + t) + T(0.5) * z * (1 - t * t) * c * (1 + 3 * k * z * z);
}

template <typename T>
void forward(const T* a, const T* w, const T* b, T* z, T* y, int64_t m, int64_t h, int act) {
#pragma omp parallel for schedule(static) if (m * h >= kParallelFrom)
  for (int64_t r = 0; r < m; r++) {
    const int64_t o = r * h;
    for (int64_t i = 0; i < h; i++) {
      T s = w[i] * a[o + i];
      if (i > 0) s += w[i - 1] * a[o + i - 1];
      if (i + 1 < h) s += w[i + 1] * a[o + i + 1];
      z[o + i] = s + b[i];
      y[o + i] = activate(z[o + i], act);
    }
  }
}

// Each thread sums its own contiguous block of rows into its own dw and db; the blocks are then
// added in thread order, so a repeated call with the same thread count is bitwise identical.
template <typename T>
void backward(const T* g, const T* a, const T* w, const T* z, const T* y, T* da, T* dw, T* db, int64_t m, int64_t h,
              int act) {
  const bool parallel = m * h >= kParallelFrom;
  const int threads = parallel ? omp_get_max_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(threads) * 2 * h, 0.0);
  int used = 1;
#pragma omp parallel num_threads(threads) if (parallel)
  {
    const int t = omp_get_thread_num();
#pragma omp single
    used = omp_get_num_threads();
    double* pw = partial.data() + static_cast<size_t>(t) * 2 * h;
    double* pb = pw + h;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < m; r++) {
      const int64_t o = r * h;
      T prev = 0;
      T cur = g[o] * derivative(z[o], y[o], act);
      for (int64_t i = 0; i < h; i++) {
        const T next = i + 1 < h ? g[o + i + 1] * derivative(z[o + i + 1], y[o + i + 1], act) : T(0);
        const T s = prev + cur + next;
        da[o + i] = w[i] * s;
        pw[i] += a[o + i] * s;
        pb[i] += cur;
        prev = cur;
        cur = next;
      }
    }
  }
  for (int64_t i = 0; i < h; i++) {
    double sw = dw[i], sb = db[i];
    for (int t = 0; t < used; t++) {
      sw += partial[static_cast<size_t>(t) * 2 * h + i];
      sb += partial[static_cast<size_t>(t) * 2 * h + h + i];
    }
    dw[i] = static_cast<T>(sw);
    db[i] = static_cast<T>(sb);
  }
}

template <typename F>
napi_value call(napi_env env, napi_callback_info info, const char* fn, const char* const* names, int arrays,
                const bool* rowLength, const bool* output, F run) {
  Args args{env, fn, names, {}};
  if (!args.read(info, arrays + 3)) return nullptr;
  std::vector<FloatArray> views;
  int64_t m, h;
  int act;
  if (!readCall(args, arrays, rowLength, output, &views, &m, &h, &act)) return nullptr;
  run(views, m, h, act);
  return nullptr;
}

}  // namespace

napi_value GridStepForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"a", "w", "b", "z", "y", "m", "h", "act"};
  static const bool rowLength[] = {false, true, true, false, false};
  static const bool output[] = {false, false, false, true, true};
  return call(env, info, "gridStepForward", names, 5, rowLength, output,
              [](const std::vector<FloatArray>& v, int64_t m, int64_t h, int act) {
                if (v[0].isFloat()) {
                  forward(static_cast<const float*>(v[0].data), static_cast<const float*>(v[1].data),
                          static_cast<const float*>(v[2].data), static_cast<float*>(v[3].data), static_cast<float*>(v[4].data),
                          m, h, act);
                } else {
                  forward(static_cast<const double*>(v[0].data), static_cast<const double*>(v[1].data),
                          static_cast<const double*>(v[2].data), static_cast<double*>(v[3].data),
                          static_cast<double*>(v[4].data), m, h, act);
                }
              });
}

napi_value GridStepBackward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"g", "a", "w", "z", "y", "da", "dw", "db", "m", "h", "act"};
  static const bool rowLength[] = {false, false, true, false, false, false, true, true};
  static const bool output[] = {false, false, false, false, false, true, true, true};
  return call(env, info, "gridStepBackward", names, 8, rowLength, output,
              [](const std::vector<FloatArray>& v, int64_t m, int64_t h, int act) {
                auto run = [&](auto* tag) {
                  using T = std::remove_pointer_t<decltype(tag)>;
                  backward(static_cast<const T*>(v[0].data), static_cast<const T*>(v[1].data),
                           static_cast<const T*>(v[2].data), static_cast<const T*>(v[3].data),
                           static_cast<const T*>(v[4].data), static_cast<T*>(v[5].data), static_cast<T*>(v[6].data),
                           static_cast<T*>(v[7].data), m, h, act);
                };
                if (v[0].isFloat()) run(static_cast<float*>(nullptr));
                else run(static_cast<double*>(nullptr));
              });
}

}  // namespace wiregrad
