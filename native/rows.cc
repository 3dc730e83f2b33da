// Row broadcasts, for Float32Array (in float) and Float64Array (in double). Both give the bits
// of their TypeScript twins: a + (−1)·b is a − b exactly, 1·b is b, and the column sums add the
// rows in the twin's order, one rounding per add (no FMA under -std=c++17, no reassociation
// without -ffast-math). The inner loops run along a row, so they vectorise without reordering
// any sum. One thread: the bias arrays are a few hundred KB at most and bound by memory.
// Every argument is checked before any array is touched; failures throw a TypeError or
// RangeError with code E_NATIVE_ARG naming the function and the argument.
#include "rows.h"

#include <cstdint>
#include <string>

namespace wiregrad {

namespace {

constexpr const char* kCode = "E_NATIVE_ARG";

struct Array {
  napi_typedarray_type type;
  void* data;
  int64_t length;
};

bool fail(napi_env env, const char* fn, bool type, const std::string& msg) {
  const std::string full = std::string(fn) + ": " + msg;
  if (type) napi_throw_type_error(env, kCode, full.c_str());
  else napi_throw_range_error(env, kCode, full.c_str());
  return false;
}

bool overlap(const Array& x, const Array& y, int64_t bytes) {
  const char* a = static_cast<const char*>(x.data);
  const char* b = static_cast<const char*>(y.data);
  return a < b + y.length * bytes && b < a + x.length * bytes;
}

// Reads `arrays` typed arrays of one element type, then the sign (±1).
bool read(napi_env env, napi_callback_info info, const char* fn, const char* const* names, int arrays, Array* out, double* sign) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (static_cast<int>(argc) != arrays + 1) {
    std::string list;
    for (int i = 0; i <= arrays; i++) list += std::string(i ? ", " : "") + names[i];
    return fail(env, fn, true, "expected " + std::to_string(arrays + 1) + " arguments (" + list + "), got " + std::to_string(argc));
  }
  for (int i = 0; i < arrays; i++) {
    bool typed = false;
    size_t len = 0;
    if (napi_is_typedarray(env, argv[i], &typed) != napi_ok || !typed ||
        napi_get_typedarray_info(env, argv[i], &out[i].type, &len, &out[i].data, nullptr, nullptr) != napi_ok ||
        (out[i].type != napi_float32_array && out[i].type != napi_float64_array)) {
      return fail(env, fn, true, std::string(names[i]) + " must be a Float32Array or Float64Array");
    }
    out[i].length = static_cast<int64_t>(len);
    if (i > 0 && out[i].type != out[0].type) return fail(env, fn, true, std::string(names[i]) + " must have the element type of " + names[0]);
  }
  if (napi_get_value_double(env, argv[arrays], sign) != napi_ok) return fail(env, fn, true, std::string(names[arrays]) + " must be a number");
  if (*sign != 1 && *sign != -1) return fail(env, fn, false, std::string(names[arrays]) + " must be 1 or -1, got " + std::to_string(*sign));
  return true;
}

// m·n values in `matrix`, n in `row`: n ≥ 1 and a whole number of rows.
bool rowsOf(napi_env env, const char* fn, const Array& matrix, const char* matrixName, const Array& row, const char* rowName) {
  if (row.length == 0 || matrix.length % row.length != 0) {
    return fail(env, fn, false, std::string(matrixName) + " must hold whole rows of " + rowName + "'s " + std::to_string(row.length) +
                                    " values, it holds " + std::to_string(matrix.length));
  }
  return true;
}

template <typename T>
void addRow(const T* __restrict a, const T* __restrict row, T* __restrict y, int64_t m, int64_t n, T sign) {
  for (int64_t i = 0; i < m; i++) {
    const T* ar = a + i * n;
    T* yr = y + i * n;
    for (int64_t j = 0; j < n; j++) yr[j] = ar[j] + sign * row[j];
  }
}

template <typename T>
void sumRows(const T* __restrict g, T* __restrict out, int64_t m, int64_t n, T sign) {
  for (int64_t j = 0; j < n; j++) out[j] = 0;
  for (int64_t i = 0; i < m; i++) {
    const T* gr = g + i * n;
    for (int64_t j = 0; j < n; j++) out[j] += gr[j];
  }
  if (sign != 1) for (int64_t j = 0; j < n; j++) out[j] *= sign;
}

}  // namespace

napi_value AddRow(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"a", "row", "y", "sign"};
  Array v[3];
  double sign = 1;
  if (!read(env, info, "addRow", names, 3, v, &sign) || !rowsOf(env, "addRow", v[0], "a", v[1], "row")) return nullptr;
  if (v[2].length != v[0].length) {
    fail(env, "addRow", false, "y must hold as many values as a (" + std::to_string(v[0].length) + "), it holds " + std::to_string(v[2].length));
    return nullptr;
  }
  const int64_t bytes = v[0].type == napi_float32_array ? 4 : 8;
  if (overlap(v[2], v[1], bytes)) {
    fail(env, "addRow", false, "y overlaps row");
    return nullptr;
  }
  // y may be a itself (element i reads a[i] before writing y[i]), never a shifted view of it
  if (overlap(v[2], v[0], bytes) && v[2].data != v[0].data) {
    fail(env, "addRow", false, "y overlaps a");
    return nullptr;
  }
  const int64_t n = v[1].length, m = v[0].length / n;
  if (bytes == 4) addRow(static_cast<const float*>(v[0].data), static_cast<const float*>(v[1].data), static_cast<float*>(v[2].data), m, n, static_cast<float>(sign));
  else addRow(static_cast<const double*>(v[0].data), static_cast<const double*>(v[1].data), static_cast<double*>(v[2].data), m, n, sign);
  return nullptr;
}

napi_value SumRows(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"g", "out", "sign"};
  Array v[2];
  double sign = 1;
  if (!read(env, info, "sumRows", names, 2, v, &sign) || !rowsOf(env, "sumRows", v[0], "g", v[1], "out")) return nullptr;
  const int64_t bytes = v[0].type == napi_float32_array ? 4 : 8;
  if (overlap(v[1], v[0], bytes)) {
    fail(env, "sumRows", false, "out overlaps g");
    return nullptr;
  }
  const int64_t n = v[1].length, m = v[0].length / n;
  if (bytes == 4) sumRows(static_cast<const float*>(v[0].data), static_cast<float*>(v[1].data), m, n, static_cast<float>(sign));
  else sumRows(static_cast<const double*>(v[0].data), static_cast<double*>(v[1].data), m, n, sign);
  return nullptr;
}

}  // namespace wiregrad
