// The fused LSTM cell update, forward and backward, parallel over the batch rows. It mirrors
// lstmCellTs in src/ops/lstm-cell.ts operation for operation. float64 arrays are computed in
// double, so they match the twin to rounding; float32 arrays in float (expf, tanhf), as their
// products are: within float32 rounding of the twin, which computes in double and rounds.
// Rows are independent (no sum across the batch), so any thread count gives the same bits.
// Every argument is checked before any array is touched; failures throw a TypeError or
// RangeError with code E_NATIVE_ARG naming the function and the argument.
#include "lstm.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace wiregrad {

namespace {

constexpr const char* kCode = "E_NATIVE_ARG";
// Below this many cells (m·h) one thread does the update: waking a team costs more. The grid
// kernel's threshold, whose per-cell work (a few flops and a transcendental) is of this size.
constexpr int64_t kParallelFrom = 4096;
constexpr int kMaxArrays = 6;

struct View {
  napi_typedarray_type type;
  void* data;
  int64_t length;
};

// One call's arguments: `arrays` typed arrays, then m and h. widths[i] is array i's length in
// units of m·h (4 for the gates, 2 for y and g, 1 for the cells); outputs[i] marks written ones.
struct Call {
  napi_env env;
  const char* fn;
  const char* const* names;
  int arrays;
  const int* widths;
  const bool* outputs;
  View views[kMaxArrays];
  int64_t m = 0, h = 0;

  bool fail(bool type, const std::string& msg) const {
    const std::string full = std::string(fn) + ": " + msg;
    if (type) napi_throw_type_error(env, kCode, full.c_str());
    else napi_throw_range_error(env, kCode, full.c_str());
    return false;
  }

  bool dimension(napi_value v, const char* name, int64_t* out) const {
    double d;
    if (napi_get_value_double(env, v, &d) != napi_ok) return fail(true, std::string(name) + " must be a number");
    if (!(d >= 1 && d <= 2147483647.0 && std::floor(d) == d)) {
      return fail(false, std::string(name) + " must be an integer in [1, 2147483647], got " + std::to_string(d));
    }
    *out = static_cast<int64_t>(d);
    return true;
  }

  bool read(napi_callback_info info) {
    size_t argc = 10;
    napi_value argv[10];
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
    const int expected = arrays + 2;
    if (static_cast<int>(argc) != expected) {
      std::string list;
      for (int i = 0; i < expected; i++) list += std::string(i ? ", " : "") + names[i];
      return fail(true, "expected " + std::to_string(expected) + " arguments (" + list + "), got " + std::to_string(argc));
    }
    for (int i = 0; i < arrays; i++) {
      bool typed = false;
      size_t len = 0;
      View& v = views[i];
      if (napi_is_typedarray(env, argv[i], &typed) != napi_ok || !typed ||
          napi_get_typedarray_info(env, argv[i], &v.type, &len, &v.data, nullptr, nullptr) != napi_ok ||
          (v.type != napi_float32_array && v.type != napi_float64_array)) {
        return fail(true, std::string(names[i]) + " must be a Float32Array or Float64Array");
      }
      v.length = static_cast<int64_t>(len);
    }
    if (!dimension(argv[arrays], names[arrays], &m) || !dimension(argv[arrays + 1], names[arrays + 1], &h)) return false;
    for (int i = 0; i < arrays; i++) {
      if (views[i].type != views[0].type) return fail(true, std::string(names[i]) + " must have the element type of " + names[0]);
      const int64_t want = widths[i] * m * h;
      if (views[i].length != want) {
        const std::string unit = widths[i] == 1 ? "m·h" : std::to_string(widths[i]) + "·m·h";
        return fail(false, std::string(names[i]) + " must hold " + std::to_string(want) + " values (" + unit + "), it holds " +
                               std::to_string(views[i].length));
      }
    }
    const int64_t bytes = views[0].type == napi_float32_array ? 4 : 8;
    for (int i = 0; i < arrays; i++) {
      if (!outputs[i]) continue;
      for (int k = 0; k < arrays; k++) {
        if (k == i) continue;
        const char* x = static_cast<const char*>(views[i].data);
        const char* y = static_cast<const char*>(views[k].data);
        if (x < y + views[k].length * bytes && y < x + views[i].length * bytes) {
          return fail(false, std::string(names[i]) + " overlaps " + names[k]);
        }
      }
    }
    return true;
  }
};

// σ in two branches so that no intermediate overflows (sigmoidOf in src/ops/sigmoid.ts).
inline double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

inline float sigmoid(float x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const float e = std::exp(x);
  return e / (1 + e);
}

template <typename T>
void forward(const T* z, const T* c, T* act, T* tc, T* y, int64_t m, int64_t h) {
#pragma omp parallel for schedule(static) if (m * h >= kParallelFrom)
  for (int64_t r = 0; r < m; r++) {
    const T* zr = z + r * 4 * h;
    const T* cr = c + r * h;
    T* ar = act + r * 4 * h;
    T* tr = tc + r * h;
    T* yr = y + r * 2 * h;
    for (int64_t j = 0; j < h; j++) {
      const T i = ar[j] = sigmoid(zr[j]);
      const T f = ar[h + j] = sigmoid(zr[h + j]);
      const T g = ar[2 * h + j] = std::tanh(zr[2 * h + j]);
      const T o = ar[3 * h + j] = sigmoid(zr[3 * h + j]);
      const T cNew = f * cr[j] + i * g;
      const T t = tr[j] = std::tanh(cNew);
      yr[j] = o * t;
      yr[h + j] = cNew;
    }
  }
}

template <typename T>
void backward(const T* gy, const T* c, const T* act, const T* tc, T* dz, T* dc, int64_t m, int64_t h) {
#pragma omp parallel for schedule(static) if (m * h >= kParallelFrom)
  for (int64_t r = 0; r < m; r++) {
    const T* gr = gy + r * 2 * h;
    const T* cr = c + r * h;
    const T* ar = act + r * 4 * h;
    const T* tr = tc + r * h;
    T* dzr = dz + r * 4 * h;
    T* dcr = dc + r * h;
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
}

}  // namespace

napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"z", "c", "act", "tc", "y", "m", "h"};
  static const int widths[] = {4, 1, 4, 1, 2};
  static const bool outputs[] = {false, false, true, true, true};
  Call call{env, "lstmCellForward", names, 5, widths, outputs, {}};
  if (!call.read(info)) return nullptr;
  const View* v = call.views;
  if (v[0].type == napi_float32_array) {
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
  const View* v = call.views;
  if (v[0].type == napi_float32_array) {
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
