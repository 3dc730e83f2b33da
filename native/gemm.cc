// Argument validation and dispatch. Nothing reads or writes a caller's array before every
// argument has been checked: count, types, integer ranges, lengths, leading dimensions, overlap.
// Every failure throws a TypeError (wrong kind of value) or a RangeError (right kind, bad value)
// whose message names the function and the argument, with code E_NATIVE_ARG.
#include "gemm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "args.h"
#include "clones.h"
#include "kernels.h"

#ifdef WIREGRAD_OPENBLAS
#include <cblas.h>
#endif

namespace wiregrad {

namespace {

constexpr double kDimLimit = 2147483648.0;       // 2^31: CBLAS takes dimensions as 32-bit int
constexpr double kOffsetLimit = 9007199254740992.0;  // 2^53: beyond it a JS number is not an exact index
// The arguments: the three arrays, then every number of the call packed as float64 in one
// ArrayBuffer, so that a call costs one N-API call for them instead of one per number.
constexpr int kArgs = 4;
const char* const kNames[kArgs] = {"a", "b", "c", "scalars"};
enum Scalar { kTransA, kTransB, kM, kN, kK, kAlpha, kAOffset, kLda, kBOffset, kLdb, kBeta, kCOffset, kLdc, kScalars };
static_assert(kScalars == kGemmScalars, "gemm.h exports the count");
const char* const kScalarNames[kScalars] = {"transA",  "transB", "m",    "n",       "k",       "alpha", "aOffset",
                                            "lda",     "bOffset", "ldb", "beta",    "cOffset", "ldc"};

std::string typeName(napi_env env, napi_value v) {
  bool isTyped = false;
  if (napi_is_typedarray(env, v, &isTyped) == napi_ok && isTyped) {
    napi_typedarray_type t;
    size_t len;
    void* data;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, v, &t, &len, &data, &ab, &off);
    static const char* const names[] = {"Int8Array",    "Uint8Array",   "Uint8ClampedArray", "Int16Array",
                                        "Uint16Array",  "Int32Array",   "Uint32Array",       "Float32Array",
                                        "Float64Array", "BigInt64Array", "BigUint64Array"};
    return t <= napi_biguint64_array ? names[t] : "a typed array";
  }
  napi_valuetype vt;
  if (napi_typeof(env, v, &vt) != napi_ok) return "unknown";
  switch (vt) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return "object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
  }
  return "unknown";
}

std::string numberText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// GEMM's own checks: unlike the float kernels' they say what they got ("must be a Float64Array,
// got Float32Array") and take the element type the function was called for.
struct Call {
  Args args;
  double scalars[kScalars];

  std::string name(int i) const { return std::string(args.names[i]); }

  bool number(int i, double* out) const {
    if (napi_get_value_double(args.env, args.argv[i], out) == napi_ok) return true;
    return args.fail(true, name(i) + " must be a number, got " + typeName(args.env, args.argv[i]));
  }

  // Copied out before any is checked (memcpy: no alignment assumed): the buffer may be c's, which
  // the product overwrites.
  bool readScalars(int i) {
    void* packed = nullptr;
    size_t bytes = 0;
    // an ArrayBuffer, not a view: N-API reads a view's element type by testing each of the eleven
    // kinds in turn, which costs more than everything else about the numbers
    if (napi_get_arraybuffer_info(args.env, args.argv[i], &packed, &bytes) != napi_ok) [[unlikely]] {
      return args.fail(true, name(i) + " must be an ArrayBuffer, got " + typeName(args.env, args.argv[i]));
    }
    if (bytes != sizeof scalars) [[unlikely]] {
      std::string list;
      for (int j = 0; j < kScalars; j++) list += std::string(j ? ", " : "") + kScalarNames[j];
      return args.fail(false, name(i) + " must hold " + std::to_string(kScalars) + " float64 values (" + list + ") in " +
                                  std::to_string(sizeof scalars) + " bytes, it has " + std::to_string(bytes));
    }
    std::memcpy(scalars, packed, sizeof scalars);
    return true;
  }

  // 0 for false, 1 for true.
  bool flag(int j, bool* out) const {
    const double v = scalars[j];
    *out = v == 1;
    if (v == 0 || v == 1) [[likely]] return true;
    return rejectScalar(j, "0 (false) or 1 (true)", v);
  }

  // An integer in [lo, limit), limit ≤ 2^53; NaN and ±Infinity fail the comparisons. In range,
  // the truncation to int64 is exact, so comparing it back tells whether v was whole.
  bool integer(int j, double lo, double limit, const char* range, int64_t* out) const {
    const double v = scalars[j];
    if (v >= lo && v < limit) [[likely]] {
      *out = static_cast<int64_t>(v);
      if (static_cast<double>(*out) == v) [[likely]] return true;
    }
    return rejectScalar(j, (std::string("an integer in ") + range).c_str(), v);
  }

  // Out of the hot path: the checks above inline into Gemm, the messages do not.
  [[gnu::cold, gnu::noinline]] bool rejectScalar(int j, const char* want, double v) const {
    return args.fail(false, std::string(kScalarNames[j]) + " must be " + want + ", got " + numberText(v));
  }

  bool dimension(int j, int64_t* out) const { return integer(j, 1, kDimLimit, "[1, 2^31)", out); }
  bool offset(int j, int64_t* out) const { return integer(j, 0, kOffsetLimit, "[0, 2^53)", out); }

  template <typename T>
  bool array(int i, napi_typedarray_type want, const char* wantName, T** data, int64_t* length) const {
    napi_typedarray_type t = napi_int8_array;
    size_t len = 0;
    void* ptr = nullptr;
    // fails with napi_invalid_arg for anything that is not a typed array
    if (napi_get_typedarray_info(args.env, args.argv[i], &t, &len, &ptr, nullptr, nullptr) != napi_ok || t != want) {
      return args.fail(true, name(i) + " must be a " + wantName + ", got " + typeName(args.env, args.argv[i]));
    }
    // napi already adds the view's byteOffset: ptr is element 0 of this view.
    *data = static_cast<T*>(ptr);
    *length = static_cast<int64_t>(len);
    return true;
  }
};

// One operand as stored: `rows`×`cols` in row-major order with leading dimension `ld`,
// starting `offset` elements into its array.
template <typename T>
struct Operand {
  T* data;
  int64_t length, offset, ld, rows, cols;
  int64_t end;  // one past the last element touched, relative to data

  // Dimensions and ld are < 2^31 and offset < 2^53, so rows·cols and offset + (rows−1)·ld + cols
  // are below 2^63: the checked arithmetic can only trip if those bounds are ever widened.
  bool check(const Call& call, int arrayArg, int offsetArg, int ldArg, const char* dims) {
    if (ld < cols) {
      return call.args.fail(false, std::string(kScalarNames[ldArg]) + " (" + std::to_string(ld) + ") must be at least the columns of " +
                                       kNames[arrayArg] + " as stored (" + dims + ": " + std::to_string(cols) + ")");
    }
    int64_t span, elements;
    if (__builtin_mul_overflow(rows, cols, &elements) || __builtin_mul_overflow(rows - 1, ld, &span) ||
        __builtin_add_overflow(span, cols, &span) || __builtin_add_overflow(span, offset, &end)) {
      return call.args.fail(false, std::string(kNames[arrayArg]) + ": " + std::to_string(rows) + "×" + std::to_string(cols) +
                                       " with " + kScalarNames[ldArg] + " " + std::to_string(ld) + " overflows 64-bit indexing");
    }
    if (end > length) {
      return call.args.fail(false, std::string(kNames[arrayArg]) + " is too short: " + std::to_string(rows) + "×" +
                                       std::to_string(cols) + " (" + dims + ") with " + kScalarNames[ldArg] + " " +
                                       std::to_string(ld) + " from " + kScalarNames[offsetArg] + " " + std::to_string(offset) +
                                       " needs " + std::to_string(end) + " elements, it has " + std::to_string(length));
    }
    return true;
  }

  const T* begin() const { return data + offset; }
  const T* last() const { return data + end; }
};

template <typename T>
bool overlaps(const Operand<T>& x, const Operand<T>& y) {
  return x.begin() < y.last() && y.begin() < x.last();
}

#ifdef WIREGRAD_OPENBLAS
// OpenBLAS 0.3.21 (SkylakeX kernels, 1 thread) runs A·Bᵀ with 10 ≤ m ≤ 16 and k ≥ 32 two to
// three times faster per multiply-add while m·n ≤ 1024 than above it: 10×128×64 in float64 takes
// 5.9 µs whole and 2.9 µs as two 10×64 column strips (float32: 3.6 and 1.6 µs). Measured over
// m 1–64, n 72–256, k 16–128: strips of at most 1024/m columns pay in that range; below k = 32
// and for m ≤ 9 they cost up to 20%, for m ≥ 20 they lose or win by shape.
constexpr int64_t kStripArea = 1024;
constexpr int64_t kStripMinRows = 10;
constexpr int64_t kStripMaxRows = 16;
constexpr int64_t kStripMinDepth = 32;
constexpr int64_t kStripMaxProduct = 1 << 20;  // the largest m·n·k measured; beyond it BLAS's threads may pay

// Columns per strip of a product that goes in strips, else n (one call).
int64_t stripColumns(bool transA, bool transB, int64_t m, int64_t n, int64_t k) {
  if (transA || !transB || m < kStripMinRows || m > kStripMaxRows || k < kStripMinDepth || m * n <= kStripArea || m * n * k > kStripMaxProduct) {
    return n;
  }
  const int64_t strips = (m * n + kStripArea - 1) / kStripArea;
  return (n + strips - 1) / strips;
}

template <typename T>
void blasGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
              int64_t ldb, T beta, T* c, int64_t ldc) {
  const CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = transB ? CblasTrans : CblasNoTrans;
  const int width = static_cast<int>(stripColumns(transA, transB, m, n, k));
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  const int ila = static_cast<int>(lda), ilb = static_cast<int>(ldb), ilc = static_cast<int>(ldc);
  // a strip takes columns j0.. of op(B), which are rows j0.. of B when op(B) = Bᵀ
  for (int j0 = 0; j0 < in; j0 += width) {
    const int cols = std::min(width, in - j0);
    const T* bj = b + (transB ? static_cast<int64_t>(j0) * ldb : j0);
    if constexpr (sizeof(T) == 4) {
      cblas_sgemm(CblasRowMajor, ta, tb, im, cols, ik, alpha, a, ila, bj, ilb, beta, c + j0, ilc);
    } else {
      cblas_dgemm(CblasRowMajor, ta, tb, im, cols, ik, alpha, a, ila, bj, ilb, beta, c + j0, ilc);
    }
  }
}
#endif

template <typename T>
void dispatch(bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha, const Operand<T>& a,
              const Operand<T>& b, double beta, Operand<T>& c) {
#ifdef WIREGRAD_OPENBLAS
  blasGemm(transA, transB, m, n, k, static_cast<T>(alpha), a.begin(), a.ld, b.begin(), b.ld, static_cast<T>(beta),
           c.data + c.offset, c.ld);
#else
  ownGemm<T>(transA, transB, m, n, k, static_cast<T>(alpha), a.begin(), a.ld, b.begin(), b.ld, static_cast<T>(beta),
             c.data + c.offset, c.ld);
#endif
}

template <typename T>
napi_value Gemm(napi_env env, napi_callback_info info, const char* fn, napi_typedarray_type want, const char* wantName) {
  Call call{{env, fn, kNames, {}}, {}};
  if (!call.args.read(info, kArgs)) return nullptr;

  bool transA = false, transB = false;
  int64_t m = 0, n = 0, k = 0;
  Operand<T> a{}, b{}, c{};
  if (!call.array(0, want, wantName, &a.data, &a.length) || !call.array(1, want, wantName, &b.data, &b.length) ||
      !call.array(2, want, wantName, &c.data, &c.length) || !call.readScalars(3) || !call.flag(kTransA, &transA) ||
      !call.flag(kTransB, &transB) || !call.dimension(kM, &m) || !call.dimension(kN, &n) || !call.dimension(kK, &k) ||
      !call.offset(kAOffset, &a.offset) || !call.dimension(kLda, &a.ld) || !call.offset(kBOffset, &b.offset) ||
      !call.dimension(kLdb, &b.ld) || !call.offset(kCOffset, &c.offset) || !call.dimension(kLdc, &c.ld)) {
    return nullptr;
  }
  const double alpha = call.scalars[kAlpha], beta = call.scalars[kBeta];
  a.rows = transA ? k : m;
  a.cols = transA ? m : k;
  b.rows = transB ? n : k;
  b.cols = transB ? k : n;
  c.rows = m;
  c.cols = n;
  if (!a.check(call, 0, kAOffset, kLda, transA ? "k×m, transA" : "m×k") ||
      !b.check(call, 1, kBOffset, kLdb, transB ? "n×k, transB" : "k×n") || !c.check(call, 2, kCOffset, kLdc, "m×n")) {
    return nullptr;
  }
  // GEMM reads A and B while it writes C: overlapping memory gives garbage, not an error, in BLAS.
  if (overlaps(c, a)) return call.args.fail(false, "c overlaps a in memory; C must not alias an input"), nullptr;
  if (overlaps(c, b)) return call.args.fail(false, "c overlaps b in memory; C must not alias an input"), nullptr;

  dispatch<T>(transA, transB, m, n, k, alpha, a, b, beta, c);
  return nullptr;
}

napi_value setString(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value v;
  napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
  return obj;
}

napi_value setNumber(napi_env env, napi_value obj, const char* key, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, key, v);
  return obj;
}

}  // namespace

napi_value Sgemm(napi_env env, napi_callback_info info) {
  return Gemm<float>(env, info, "sgemm", napi_float32_array, "Float32Array");
}

napi_value Dgemm(napi_env env, napi_callback_info info) {
  return Gemm<double>(env, info, "dgemm", napi_float64_array, "Float64Array");
}

napi_value AlignmentOffset(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"buffer"};
  Call call{{env, "alignmentOffset", names, {}}, {}};
  if (!call.args.read(info, 1)) return nullptr;
  bool isBuffer = false;
  void* data = nullptr;
  size_t length = 0;
  if (napi_is_arraybuffer(env, call.args.argv[0], &isBuffer) != napi_ok || !isBuffer ||
      napi_get_arraybuffer_info(env, call.args.argv[0], &data, &length) != napi_ok) {
    return call.args.fail(true, "buffer must be an ArrayBuffer, got " + typeName(env, call.args.argv[0])), nullptr;
  }
  constexpr uintptr_t kAlign = 64;
  napi_value offset;
  napi_create_uint32(env, static_cast<uint32_t>((kAlign - reinterpret_cast<uintptr_t>(data) % kAlign) % kAlign), &offset);
  return offset;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  static const char* const names[] = {"threads"};
  Call call{{env, "setThreads", names, {}}, {}};
  if (!call.args.read(info, 1)) return nullptr;
  double v;
  if (!call.number(0, &v)) return nullptr;
  if (!(v >= 1 && v <= 1024 && std::floor(v) == v)) {
    return call.args.fail(false, "threads must be an integer in [1, 1024], got " + numberText(v)), nullptr;
  }
#ifdef WIREGRAD_OPENBLAS
  openblas_set_num_threads(static_cast<int>(v));
#endif
  ownSetThreads(static_cast<int>(v));
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok) return nullptr;
#ifdef WIREGRAD_OPENBLAS
  setString(env, obj, "blas", "OpenBLAS");
  setString(env, obj, "blasConfig", openblas_get_config());
  setString(env, obj, "blasCore", openblas_get_corename());
  const int parallel = openblas_get_parallel();  // 0 sequential, 1 pthreads, 2 OpenMP
  setString(env, obj, "blasParallel", parallel == 2 ? "OpenMP" : parallel == 1 ? "pthreads" : "sequential");
  setNumber(env, obj, "blasThreads", openblas_get_num_threads());
  setString(env, obj, "blasLibrary", WIREGRAD_OPENBLAS_LIB);
#else
  setString(env, obj, "blas", "none (own cache-blocked OpenMP kernel)");
#endif
  setNumber(env, obj, "openmp", _OPENMP);
  setNumber(env, obj, "ompThreads", ownThreads());
  setString(env, obj, "march", WIREGRAD_MARCH);
  setString(env, obj, "sanitizers", WIREGRAD_SANITIZERS);
  setString(env, obj, "vectorClone", wiregradVectorClone());
  return obj;
}

}  // namespace wiregrad
