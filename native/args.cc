#include "args.h"

#include <cmath>

namespace wiregrad {

namespace {

constexpr const char* kCode = "E_NATIVE_ARG";

int64_t bytes(const FloatArray& a) { return a.length * (a.isFloat() ? 4 : 8); }

}  // namespace

bool typeError(napi_env env, const std::string& msg) {
  napi_throw_type_error(env, kCode, msg.c_str());
  return false;
}

bool rangeError(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, kCode, msg.c_str());
  return false;
}

bool Args::fail(bool type, const std::string& msg) const {
  const std::string full = std::string(fn) + ": " + msg;
  return type ? typeError(env, full) : rangeError(env, full);
}

bool Args::read(napi_callback_info info, int expected) {
  // napi reports the true count in argc even when it exceeds the slots it fills; slots past the
  // arguments given it fills with undefined, so asking for just `expected` saves that work
  size_t argc = static_cast<size_t>(expected);
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (static_cast<int>(argc) == expected) return true;
  std::string list;
  for (int i = 0; i < expected; i++) list += std::string(i ? ", " : "") + names[i];
  return fail(true, "expected " + std::to_string(expected) + (expected == 1 ? " argument (" : " arguments (") + list +
                        "), got " + std::to_string(argc));
}

bool Args::floatArray(int i, FloatArray* out) const {
  size_t len = 0;
  // fails with napi_invalid_arg, throwing nothing, for anything that is not a typed array
  if (napi_get_typedarray_info(env, argv[i], &out->type, &len, &out->data, nullptr, nullptr) != napi_ok ||
      (out->type != napi_float32_array && out->type != napi_float64_array)) {
    return fail(true, std::string(names[i]) + " must be a Float32Array or Float64Array");
  }
  out->length = static_cast<int64_t>(len);
  return true;
}

bool Args::number(int i, double* out) const {
  if (napi_get_value_double(env, argv[i], out) == napi_ok) return true;
  return fail(true, std::string(names[i]) + " must be a number");
}

bool Args::integer(int i, double lo, double hi, int64_t* out) const {
  double v;
  if (!number(i, &v)) return false;
  if (!(v >= lo && v <= hi && std::floor(v) == v)) {
    return fail(false, std::string(names[i]) + " must be an integer in [" + std::to_string(static_cast<int64_t>(lo)) + ", " +
                           std::to_string(static_cast<int64_t>(hi)) + "], got " + std::to_string(v));
  }
  *out = static_cast<int64_t>(v);
  return true;
}

bool Args::sameType(const FloatArray* arrays, int i) const {
  if (arrays[i].type == arrays[0].type) return true;
  return fail(true, std::string(names[i]) + " must have the element type of " + names[0]);
}

bool Args::holds(const FloatArray* arrays, int i, int64_t factor, int64_t size, const char* dims) const {
  const int64_t want = factor * size;
  if (arrays[i].length == want) return true;
  const std::string unit = factor == 1 ? dims : std::to_string(factor) + "·" + dims;
  return fail(false, std::string(names[i]) + " must hold " + std::to_string(want) + " values (" + unit + "), it holds " +
                         std::to_string(arrays[i].length));
}

bool Args::sameLength(const FloatArray* arrays, int i, int k) const {
  if (arrays[i].length == arrays[k].length) return true;
  return fail(false, std::string(names[i]) + " must hold as many values as " + names[k] + " (" +
                         std::to_string(arrays[k].length) + "), it holds " + std::to_string(arrays[i].length));
}

bool Args::separate(const FloatArray* arrays, int i, int k) const {
  const char* x = static_cast<const char*>(arrays[i].data);
  const char* y = static_cast<const char*>(arrays[k].data);
  if (!(x < y + bytes(arrays[k]) && y < x + bytes(arrays[i]))) return true;
  return fail(false, std::string(names[i]) + " overlaps " + names[k]);
}

bool Args::apart(const FloatArray* arrays, int count, const bool* written) const {
  for (int i = 0; i < count; i++) {
    if (!written[i]) continue;
    for (int k = 0; k < count; k++) {
      if (k != i && !separate(arrays, i, k)) return false;
    }
  }
  return true;
}

}  // namespace wiregrad
