// float exp and tanh that GCC vectorises with the baseline SSE2 flags: straight-line code,
// selects instead of branches, no libm call (a call to expf or tanhf keeps a loop scalar).
// Accuracy against the double functions rounded to float: exp within 1 ulp (every 7th float),
// tanh and σ = 1/(1 + e^−x) built on exp within 2 ulps (every 3rd float; held by
// tests/native.fastmath.test.ts). Exact at the ends: exp(−∞) = 0, exp(+∞) = +∞ (overflow past
// 88.72), tanh(±∞) = ±1 (reached at |x| ≈ 9), tanh(±0) = ±0, NaN stays NaN. Subnormal exp
// results are rounded once, like expf's.
// The double exp and tanh are the twins of exp64 and tanh64 in src/tensor/fastmath.ts (see
// there for the method and the accuracy): the same IEEE-754 operations in the same order, so the
// same bits. That relies on -ffp-contract=off (binding.gyp): a fused a·b + c rounds once.
#ifndef WIREGRAD_FASTMATH_H
#define WIREGRAD_FASTMATH_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace wiregrad {
namespace fastmath {

// ln 2 split in two: kLn2Hi has few enough bits that k·kLn2Hi is exact for |k| ≤ 2^8, so the
// reduced argument x − k·ln 2 keeps its low bits (Cody and Waite's reduction).
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693145751953125f;
constexpr float kLn2Lo = 1.42860682030941723e-6f;
// Adding 1.5·2^23 to a float of magnitude < 2^22 rounds it to an integer k (ties to even) and
// leaves k in the low mantissa bits: the sum's bits are kRoundBits + k. Reading k from there
// needs no float → int conversion, which is undefined for NaN, and GCC keeps the loop
// straight-line (a NaN test before a conversion splits it into paths and stops vectorisation).
constexpr float kRound = 12582912.0f;
constexpr uint32_t kRoundBits = 0x4b400000u;

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// 2^k for an integer k in [−126, 127], built in the exponent bits (unsigned: a NaN's garbage k
// must not overflow; its result is discarded by the NaN that travels through r).
inline float pow2(uint32_t k) { return floatOf((k + 127u) << 23); }

// Clamps and the NaN test work on the bits of |x|, whose integer order is the order of the
// magnitudes (NaNs above +∞): an integer min is a plain select, while a float compare
// against a constant lets GCC split the loop into paths that it then cannot vectorise.
constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kInfBits = 0x7f800000u;
constexpr uint32_t kQuietNan = 0x7fc00000u;

inline uint32_t clampMagnitude(uint32_t magnitude, float limit) {
  const uint32_t top = bitsOf(limit);
  return magnitude < top ? magnitude : top;
}

// All ones of a quiet NaN when |x| is a NaN, else 0: or-ed into a result, it makes it NaN.
inline uint32_t nanBits(uint32_t magnitude) { return (0u - static_cast<uint32_t>(magnitude > kInfBits)) & kQuietNan; }

// e^r − 1 for |r| ≤ ln2/2 by its Taylor series to r^7: the first omitted term, r^8/8!, is below
// 0.15 ulp of the result there. The r + r²·(…) form keeps tiny r exact.
inline float expm1Reduced(float r) {
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  return r + (r * r) * p;
}

// x = k·ln 2 + r with k the nearest integer to x·log2(e), as a float and as its bits, and
// |r| ≤ ln2/2.
struct Reduced {
  float k;
  uint32_t kBits;
  float r;
};

inline Reduced reduce(float x) {
  const float shifted = x * kLog2e + kRound;
  const float k = shifted - kRound;
  return {k, bitsOf(shifted) - kRoundBits, (x - k * kLn2Hi) - k * kLn2Lo};
}

// e^x = 2^k · e^r. |x| is clamped to 104 (e^−104 is below half the least subnormal, e^104
// overflows), so k is in [−150, 150]; 2^k is applied as two factors of at most 2^75, both
// normal floats: the first product is exact and the second rounds once, overflowing to +∞
// above ln(FLT_MAX) and rounding to a subnormal or 0 below ln(FLT_MIN).
inline float exp(float x) {
  const uint32_t bits = bitsOf(x);
  const uint32_t magnitude = bits & ~kSign;
  const Reduced v = reduce(floatOf(clampMagnitude(magnitude, 104.0f) | (bits & kSign)));
  const uint32_t half = static_cast<uint32_t>(static_cast<int32_t>(v.kBits) >> 1);
  const float e = ((1.0f + expm1Reduced(v.r)) * pow2(half)) * pow2(v.kBits - half);
  return floatOf(bitsOf(e) | nanBits(magnitude));
}

// tanh|x| = −m / (m + 2) with m = e^(−2|x|) − 1 in (−1, 0]: the denominator is in (1, 2], so no
// difference cancels, and for small |x| m comes from the series, so tanh keeps x's low bits.
// m = 2^k·(e^r − 1) + (2^k − 1), whose second term is exact. Clamping |x| to 43.5 keeps 2^k
// normal; m is already −1 in float from |x| > 8.7, and tanh rounds to 1 from |x| ≈ 9.01 on.
// x's sign bit is put back last, so tanh(−0) = −0.
inline float tanh(float x) {
  const uint32_t bits = bitsOf(x);
  const uint32_t magnitude = bits & ~kSign;
  const Reduced v = reduce(-2.0f * floatOf(clampMagnitude(magnitude, 43.5f)));
  const float s = pow2(v.kBits);
  const float m = s * expm1Reduced(v.r) + (s - 1.0f);
  return floatOf((bitsOf(-m / (m + 2.0f)) & ~kSign) | (bits & kSign) | nanBits(magnitude));
}

// log(1 + u) for u in [0, 1] (the tail e^−|x| of BCE with logits), in float, from
// log(1 + f) = 2s·(1 + s²/3 + s⁴/5 + … + s¹⁰/11) with s = f/(2 + f): below 1/2 f = u, from 1/2 on
// log(1 + u) = ln 2 + log(1 + f) with f = (u − 1)/2 in [−1/4, 0]. Both f are exact (the
// subtraction by Sterbenz's lemma), so tiny u keep their bits; |s| ≤ 1/5 and the first omitted
// term, s¹²/13, is below 0.01 ulp. The BCE tail log1p(e^−|x|) through fastmath's exp is within
// 3 ulps of the double value rounded (tests/native.fastmath.test.ts); NaN stays NaN.
constexpr float kLn2 = 0.693147180559945309f;

inline float log1pUnit(float u) {
  const bool upper = u >= 0.5f;
  const float f = upper ? (u - 1.0f) * 0.5f : u;
  const float twoS = (2.0f * f) / (2.0f + f);  // 2s in one rounding: a subnormal f is not halved first
  const float z = (twoS * twoS) * 0.25f;
  const float p = 1.0f + z * (1.0f / 3 + z * (1.0f / 5 + z * (1.0f / 7 + z * (1.0f / 9 + z * (1.0f / 11)))));
  return (upper ? kLn2 : 0.0f) + twoS * p;
}

// The double exp, operation for operation exp64 in src/tensor/fastmath.ts, whose comment
// explains the method; the constants are spelled as there.
constexpr double kLog2e64 = 1.4426950408889634;
constexpr double kRound64 = 6755399441055744.0;  // 1.5·2^52
constexpr double kLn2Hi64 = 0.6931471803691238;
constexpr double kLn2Lo64 = 1.9082149292705877e-10;
constexpr double kQ9 = 2.5100375832561234e-8, kQ8 = 2.7620075879983367e-7, kQ7 = 2.7557268480310024e-6,
                 kQ6 = 2.4801521322368692e-5, kQ5 = 0.00019841269863040545, kQ4 = 0.0013888888917196719,
                 kQ3 = 0.008333333333330065, kQ2 = 0.041666666666624164, kQ1 = 0.16666666666666669,
                 kQ0 = 0.5000000000000001;
constexpr double kExpClamp64 = 746.0;
constexpr uint64_t kPow2Bias64 = 1076;  // |k| ≤ 1076 for |x| ≤ 746

inline uint64_t bitsOf(double f) {
  uint64_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline double doubleOf(uint64_t u) {
  double f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// 2^n for n + 1023 = biased in [1, 2046], built in the exponent bits.
inline double pow2Biased(uint64_t biased) { return doubleOf(biased << 52); }

// e^r − 1 for |r| ≤ ln2/2 as r + r²·q(r) (expm1Reduced in src/tensor/fastmath.ts).
inline double expm1Reduced(double r) {
  const double q = ((((((((kQ9 * r + kQ8) * r + kQ7) * r + kQ6) * r + kQ5) * r + kQ4) * r + kQ3) * r + kQ2) * r + kQ1) * r + kQ0;
  return r + (r * r) * q;
}

// The float compares are selects (min and max), the NaN test a blend: the loops vectorise.
// j = k + 1076 is read from the rounded sum's low bits; 2^⌊k/2⌋ = 2^((j >> 1) − 538) and
// 2^(k − ⌊k/2⌋) = 2^(j − (j >> 1) − 538), both with exponents in [−538, 538].
inline double exp(double x) {
  const double high = x < kExpClamp64 ? x : kExpClamp64;
  const double clamped = high > -kExpClamp64 ? high : -kExpClamp64;
  const double shifted = clamped * kLog2e64 + kRound64;
  const double k = shifted - kRound64;
  const double r = (clamped - k * kLn2Hi64) - k * kLn2Lo64;
  const uint64_t j = bitsOf(shifted) - bitsOf(kRound64) + kPow2Bias64;
  const uint64_t half = j >> 1;
  const double e = ((1 + expm1Reduced(r)) * pow2Biased(half + 1023 - 538)) * pow2Biased(j - half + 1023 - 538);
  return x == x ? e : x;
}

// tanh, operation for operation tanh64 in src/tensor/fastmath.ts (see there): |x| clamped to
// 19.5, so k ∈ [−56, 0] and 2^k = 2^(k + 1023 − 1023) is built in the exponent bits.
constexpr double kTanhClamp64 = 19.5;

inline double tanh(double x) {
  const double a = std::fabs(x);
  const double clamped = a < kTanhClamp64 ? a : kTanhClamp64;
  const double y = -2 * clamped;
  const double shifted = y * kLog2e64 + kRound64;
  const double k = shifted - kRound64;
  const double r = (y - k * kLn2Hi64) - k * kLn2Lo64;
  const double s = pow2Biased(bitsOf(shifted) - bitsOf(kRound64) + 1023);
  const double m = s * expm1Reduced(r) + (s - 1);
  const double t = -m / (m + 2);
  return x == x ? std::copysign(t, x) : x;
}

// σ(x) = 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below: no intermediate overflows. The two
// branches are one division whose numerator is selected, so the loops vectorise; sigmoidOf in
// src/ops/sigmoid.ts computes the same operations.
template <typename T>
inline T sigmoid(T x) {
  const T e = exp(-std::fabs(x));
  return (x >= 0 ? T(1) : e) / (1 + e);
}

}  // namespace fastmath
}  // namespace wiregrad

#endif  // WIREGRAD_FASTMATH_H
