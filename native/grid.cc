// The fused NeuralGrid column transition, forward and backward, parallel over the batch rows.
// It mirrors gridStepTs in src/ops/grid-step.ts operation for operation. float64 arrays are
// computed in double, so they match the twin to rounding; float32 arrays in float (sinf, tanhf),
// as their products are: several times faster than double sin, and within float32 rounding
// (about 1e-7 relative per operation) of the twin, which computes in double and rounds. Every argument is checked before any array is touched; failures throw a TypeError
// or RangeError with code E_NATIVE_ARG naming the function and the argument.
#include "grid.h"

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace wiregrad {

namespace {

constexpr const char* kCode = "E_NATIVE_ARG";
// Below this many neurons (m·h) one thread does the step: waking a team costs more.
constexpr int64_t kParallelFrom = 4096;
const double kGeluC = std::sqrt(2.0 / 3.141592653589793);  // Math.sqrt(2 / Math.PI), bit for bit
constexpr double kGeluK = 0.044715;

struct View {
  napi_typedarray_type type;
  void* data;
  int64_t length;
};

struct Args {
  napi_env env;
  const char* fn;
  const char* const* names;
  napi_value* argv;

  bool fail(bool type, const std::string& msg) const {
    const std::string full = std::string(fn) + ": " + msg;
    if (type) napi_throw_type_error(env, kCode, full.c_str());
    else napi_throw_range_error(env, kCode, full.c_str());
    return false;
  }

  bool array(int i, View* out) const {
    bool typed = false;
    size_t len = 0;
    if (napi_is_typedarray(env, argv[i], &typed) != napi_ok || !typed ||
        napi_get_typedarray_info(env, argv[i], &out->type, &len, &out->data, nullptr, nullptr) != napi_ok ||
        (out->type != napi_float32_array && out->type != napi_float64_array)) {
      return fail(true, std::string(names[i]) + " must be a Float32Array or Float64Array");
    }
    out->length = static_cast<int64_t>(len);
    return true;
  }

  bool integer(int i, double lo, double hi, int64_t* out) const {
    double v;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok) return fail(true, std::string(names[i]) + " must be a number");
    if (!(v >= lo && v <= hi && std::floor(v) == v)) {
      return fail(false, std::string(names[i]) + " must be an integer in [" + std::to_string(static_cast<int64_t>(lo)) + ", " +
                             std::to_string(static_cast<int64_t>(hi)) + "], got " + std::to_string(v));
    }
    *out = static_cast<int64_t>(v);
    return true;
  }
};

// Reads argc arrays and the trailing m, h, act; checks one element type, the lengths
// (arrays of `rowLength` hold h values, the others m·h) and that no output overlaps another array.
bool readCall(const Args& args, int arrays, const std::vector<bool>& rowLength, const std::vector<bool>& output,
              std::vector<View>* views, int64_t* m, int64_t* h, int* act) {
  for (int i = 0; i < arrays; i++) {
    View v;
    if (!args.array(i, &v)) return false;
    views->push_back(v);
  }
  int64_t a;
  if (!args.integer(arrays, 1, 2147483647.0, m) || !args.integer(arrays + 1, 1, 2147483647.0, h) ||
      !args.integer(arrays + 2, 0, 2, &a)) {
    return false;
  }
  *act = static_cast<int>(a);
  const View& first = (*views)[0];
  for (int i = 0; i < arrays; i++) {
    const View& v = (*views)[i];
    if (v.type != first.type) return args.fail(true, std::string(args.names[i]) + " must have the element type of " + args.names[0]);
    const int64_t want = rowLength[i] ? *h : *m * *h;
    if (v.length != want) {
      return args.fail(false, std::string(args.names[i]) + " must hold " + std::to_string(want) + " values (" +
                                  (rowLength[i] ? "h" : "m·h") + "), it holds " + std::to_string(v.length));
    }
  }
  const size_t bytes = first.type == napi_float32_array ? 4 : 8;
  for (int i = 0; i < arrays; i++) {
    if (!output[i]) continue;
    for (int k = 0; k < arrays; k++) {
      if (k == i) continue;
      const char* x = static_cast<const char*>((*views)[i].data);
      const char* y = static_cast<const char*>((*views)[k].data);
      if (x < y + (*views)[k].length * bytes && y < x + (*views)[i].length * bytes) {
        return args.fail(false, std::string(args.names[i]) + " overlaps " + args.names[k]);
      }
    }
  }
  return true;
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
                const std::vector<bool>& rowLength, const std::vector<bool>& output, F run) {
  const int expected = arrays + 3;
  size_t argc = 16;
  napi_value argv[16];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Args args{env, fn, names, argv};
  if (static_cast<int>(argc) != expected) {
    std::string list;
    for (int i = 0; i < expected; i++) list += std::string(i ? ", " : "") + names[i];
    args.fail(true, "expected " + std::to_string(expected) + " arguments (" + list + "), got " + std::to_string(argc));
    return nullptr;
  }
  std::vector<View> views;
  int64_t m, h;
  int act;
  if (!readCall(args, arrays, rowLength, output, &views, &m, &h, &act)) return nullptr;
  run(views, m, h, act);
  return nullptr;
}

}  // namespace

napi_value GridStepForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"a", "w", "b", "z", "y", "m", "h", "act"};
  return call(env, info, "gridStepForward", names, 5, {false, true, true, false, false}, {false, false, false, true, true},
              [](const std::vector<View>& v, int64_t m, int64_t h, int act) {
                if (v[0].type == napi_float32_array) {
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
  return call(env, info, "gridStepBackward", names, 8, {false, false, true, false, false, false, true, true},
              {false, false, false, false, false, true, true, true},
              [](const std::vector<View>& v, int64_t m, int64_t h, int act) {
                auto run = [&](auto* tag) {
                  using T = std::remove_pointer_t<decltype(tag)>;
                  backward(static_cast<const T*>(v[0].data), static_cast<const T*>(v[1].data),
                           static_cast<const T*>(v[2].data), static_cast<const T*>(v[3].data),
                           static_cast<const T*>(v[4].data), static_cast<T*>(v[5].data), static_cast<T*>(v[6].data),
                           static_cast<T*>(v[7].data), m, h, act);
                };
                if (v[0].type == napi_float32_array) run(static_cast<float*>(nullptr));
                else run(static_cast<double*>(nullptr));
              });
}

}  // namespace wiregrad
