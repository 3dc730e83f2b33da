// Argument checks shared by every entry point. Nothing reads or writes a caller's array before
// every argument has been checked. Each failure throws a TypeError (wrong kind of value) or a
// RangeError (right kind, bad value) with code E_NATIVE_ARG, whose message starts with the
// function's name and names the argument.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>

namespace wiregrad {

// Throws, then returns false, so that checks chain as `if (!ok) return nullptr`.
bool typeError(napi_env env, const std::string& msg);
bool rangeError(napi_env env, const std::string& msg);

// A Float32Array or Float64Array as a kernel sees it: data is element 0 of the view.
struct FloatArray {
  napi_typedarray_type type;
  void* data;
  int64_t length;

  bool isFloat() const { return type == napi_float32_array; }
};

// The arguments of one call of `fn`; names[i] is argument i's name in the messages.
struct Args {
  static constexpr int kMaxArgs = 16;

  napi_env env;
  const char* fn;
  const char* const* names;
  napi_value argv[kMaxArgs];

  // Throws "fn: msg" as a TypeError (type) or a RangeError.
  bool fail(bool type, const std::string& msg) const;

  // Fetches the arguments: exactly `expected` (at most kMaxArgs) of them.
  bool read(napi_callback_info info, int expected);

  bool floatArray(int i, FloatArray* out) const;
  bool number(int i, double* out) const;
  // An integer in [lo, hi]; NaN and ±Infinity fail the comparisons.
  bool integer(int i, double lo, double hi, int64_t* out) const;

  // The checks below take the arrays indexed as their arguments.
  // arrays[i] has the element type of arrays[0].
  bool sameType(const FloatArray* arrays, int i) const;
  // arrays[i] holds factor·size values, which the message calls "factor·dims".
  bool holds(const FloatArray* arrays, int i, int64_t factor, int64_t size, const char* dims) const;
  // arrays[i] holds as many values as arrays[k].
  bool sameLength(const FloatArray* arrays, int i, int k) const;
  // arrays[i] shares no byte with arrays[k].
  bool separate(const FloatArray* arrays, int i, int k) const;
  // No array marked in `written` shares a byte with another of the first `count`.
  bool apart(const FloatArray* arrays, int count, const bool* written) const;
};

}  // namespace wiregrad
