// Row broadcasts, for Float32Array (in float) and Float64Array (in double). Both give the bits
// of their TypeScript twins: a + (−1)·b is a − b exactly, 1·b is b, and the column sums add the
// rows in the twin's order, one rounding per add (no FMA under -ffp-contract=off, no reassociation
// without -ffast-math). The inner loops run along a row, so they vectorise without reordering
// any sum, and are cloned for wide vectors (clones.h). One thread: the bias arrays are a few hundred KB at most and bound by memory.
// Every argument is checked (args.h) before any array is touched.
// copyRows moves a block of rows between two matrices with one memcpy per row: no value changes.
#include "rows.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "args.h"
#include "clones.h"

namespace wiregrad {

namespace {

// Reads `arrays` typed arrays of one element type, then the sign (±1).
bool read(Args& args, napi_callback_info info, int arrays, FloatArray* out, double* sign) {
  if (!args.read(info, arrays + 1)) return false;
  for (int i = 0; i < arrays; i++) {
    if (!args.floatArray(i, &out[i]) || !args.sameType(out, i)) return false;
  }
  if (!args.number(arrays, sign)) return false;
  if (*sign != 1 && *sign != -1) return args.fail(false, std::string(args.names[arrays]) + " must be 1 or -1, got " + std::to_string(*sign));
  return true;
}

// m·n values in arrays[matrix], n in arrays[row]: n ≥ 1 and a whole number of rows.
bool rowsOf(const Args& args, const FloatArray* arrays, int matrix, int row) {
  const int64_t n = arrays[row].length;
  if (n == 0 || arrays[matrix].length % n != 0) {
    return args.fail(false, std::string(args.names[matrix]) + " must hold whole rows of " + args.names[row] + "'s " +
                                std::to_string(n) + " values, it holds " + std::to_string(arrays[matrix].length));
  }
  return true;
}

template <typename T>
WIREGRAD_VECTOR_CLONES void addRow(const T* __restrict a, const T* __restrict row, T* __restrict y, int64_t m, int64_t n, T sign) {
  for (int64_t i = 0; i < m; i++) {
    const T* ar = a + i * n;
    T* yr = y + i * n;
    for (int64_t j = 0; j < n; j++) yr[j] = ar[j] + sign * row[j];
  }
}

template <typename T>
WIREGRAD_VECTOR_CLONES void sumRows(const T* __restrict g, T* __restrict out, int64_t m, int64_t n, T sign) {
  for (int64_t j = 0; j < n; j++) out[j] = 0;
  for (int64_t i = 0; i < m; i++) {
    const T* gr = g + i * n;
    for (int64_t j = 0; j < n; j++) out[j] += gr[j];
  }
  if (sign != 1) for (int64_t j = 0; j < n; j++) out[j] *= sign;
}

// A block of `rows` rows of `cols` values from `offset` on, a row every `stride` values, lies
// inside arrays[i]. Division, not multiplication, so that no product of the checked integers can overflow.
bool blockInside(const Args& args, const FloatArray* arrays, int i, int64_t offset, int64_t stride, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return true;
  const int64_t room = arrays[i].length - offset - cols;  // values after the first row's end
  if (room >= 0 && (rows == 1 || (stride >= cols && (rows - 1) <= room / stride))) return true;
  return args.fail(false, std::string(args.names[i]) + " (" + std::to_string(arrays[i].length) + " values) cannot hold " +
                              std::to_string(rows) + " rows of " + std::to_string(cols) + " values from offset " +
                              std::to_string(offset) + " with stride " + std::to_string(stride));
}

}  // namespace

napi_value CopyRows(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"src", "srcOffset", "srcStride", "dst", "dstOffset", "dstStride", "rows", "cols"};
  Args args{env, "copyRows", names, {}};
  FloatArray v[4];  // src and dst at their argument indices, 0 and 3
  int64_t at[8];
  if (!args.read(info, 8) || !args.floatArray(0, &v[0]) || !args.floatArray(3, &v[3]) || !args.sameType(v, 3)) return nullptr;
  // 2^31 − 1 bounds every integer, so that offset + cols never overflows
  for (int i : {1, 2, 4, 5, 6, 7}) {
    if (!args.integer(i, 0, 2147483647.0, &at[i])) return nullptr;
  }
  const int64_t rows = at[6], cols = at[7];
  if (!blockInside(args, v, 0, at[1], at[2], rows, cols) || !blockInside(args, v, 3, at[4], at[5], rows, cols) || !args.separate(v, 3, 0)) {
    return nullptr;
  }
  const size_t size = v[0].isFloat() ? sizeof(float) : sizeof(double);
  const char* src = static_cast<const char*>(v[0].data) + at[1] * size;
  char* dst = static_cast<char*>(v[3].data) + at[4] * size;
  for (int64_t i = 0; i < rows; i++) std::memcpy(dst + i * at[5] * size, src + i * at[2] * size, cols * size);
  return nullptr;
}

napi_value AddRow(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"a", "row", "y", "sign"};
  Args args{env, "addRow", names, {}};
  FloatArray v[3];
  double sign = 1;
  // y may be a itself (element i reads a[i] before writing y[i]), never a shifted view of it
  if (!read(args, info, 3, v, &sign) || !rowsOf(args, v, 0, 1) || !args.sameLength(v, 2, 0) || !args.separate(v, 2, 1) ||
      (v[2].data != v[0].data && !args.separate(v, 2, 0))) {
    return nullptr;
  }
  const int64_t n = v[1].length, m = v[0].length / n;
  if (v[0].isFloat()) addRow(static_cast<const float*>(v[0].data), static_cast<const float*>(v[1].data), static_cast<float*>(v[2].data), m, n, static_cast<float>(sign));
  else addRow(static_cast<const double*>(v[0].data), static_cast<const double*>(v[1].data), static_cast<double*>(v[2].data), m, n, sign);
  return nullptr;
}

napi_value SumRows(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"g", "out", "sign"};
  Args args{env, "sumRows", names, {}};
  FloatArray v[2];
  double sign = 1;
  if (!read(args, info, 2, v, &sign) || !rowsOf(args, v, 0, 1) || !args.separate(v, 1, 0)) return nullptr;
  const int64_t n = v[1].length, m = v[0].length / n;
  if (v[0].isFloat()) sumRows(static_cast<const float*>(v[0].data), static_cast<float*>(v[1].data), m, n, static_cast<float>(sign));
  else sumRows(static_cast<const double*>(v[0].data), static_cast<double*>(v[1].data), m, n, sign);
  return nullptr;
}

}  // namespace wiregrad
