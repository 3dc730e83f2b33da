/**
 * e^x in float64 by one fixed sequence of IEEE-754 double operations, written twice: here and as
 * fastmath::exp(double) in native/fastmath.h, which performs the same operations in the same
 * order (no FMA: the addon is compiled with -ffp-contract=off), so the two give the same bits
 * and float64 results do not depend on whether the addon ran. Math.exp cannot be that twin:
 * glibc's exp and V8's differ in the last place now and then.
 *
 * Within 1 ulp of Math.exp (tests/tensor.fastmath.test.ts holds it over millions of inputs).
 * Exact at the ends: exp(−∞) = 0, exp(+∞) = +∞ (overflow past ln(DBL_MAX) ≈ 709.78),
 * subnormal results from x ≈ −708.4 down, rounded once, 0 below −745.13; NaN stays NaN.
 *
 * e^x = 2^k · e^r with k the nearest integer to x·log2(e) and r = x − k·ln 2 (|r| ≤ ln2/2):
 * - ln 2 is split in two (Cody and Waite): LN2_HI has 32 significant bits, so k·LN2_HI is exact
 *   for |k| ≤ 2^21 and r keeps its low bits.
 * - k is rounded by adding 1.5·2^52 (ties to even), which both languages do alike; the sum's low
 *   bits are k, which the addon reads without a float → int conversion.
 * - e^r = 1 + (r + r²·q(r)), q of degree 9 a Chebyshev fit of (e^r − 1 − r)/r² on
 *   [−ln2/2, ln2/2] (error below 1.1e-16, i.e. ≈ 0.1 ulp of e^r after the r² factor), in Horner
 *   order.
 * - 2^k is applied as two factors 2^⌊k/2⌋ and 2^(k−⌊k/2⌋), both normal for the clamped
 *   |x| ≤ 746: the first product is exact, the second rounds once, also into the subnormals.
 *   Here they come from tables indexed by k + 1076 (a load is cheaper in V8 than building
 *   the bits), the addon builds the same powers in the exponent field.
 */
export function exp64(x: number): number {
  // NaN compares false: it becomes 746 here and is given back at the end, as in the addon
  const high = x < 746 ? x : 746;
  const clamped = high > -746 ? high : -746;
  const k = clamped * LOG2E + ROUND - ROUND;
  const r = clamped - k * LN2_HI - k * LN2_LO;
  const j = k + POW2_BIAS;
  const e = (1 + expm1Reduced(r)) * POW2_HALF[j] * POW2_REST[j];
  return x === x ? e : x;
}

/**
 * tanh(x) in float64 from exp64's reduction and polynomial, written twice like exp64: here and
 * as fastmath::tanh(double) in native/fastmath.h, with the same bits. Within 3 ulps of
 * Math.tanh (tests/tensor.fastmath.test.ts), as close as glibc's tanh is to V8's.
 *
 * tanh|x| = −m / (m + 2) with m = e^(−2|x|) − 1 in (−1, 0]: the denominator is in (1, 2], so no
 * difference cancels, and m = 2^k·(e^r − 1) + (2^k − 1), whose second term is exact, keeps the
 * low bits of small |x| (there k = 0 and r = −2|x|). |x| is clamped to 19.5: tanh rounds to 1
 * from |x| ≈ 19.06 on, and 2^k ≥ 2^−56 stays normal. The sign of x is put back last, so
 * tanh(−0) = −0; NaN stays NaN.
 */
export function tanh64(x: number): number {
  const a = Math.abs(x);
  const clamped = a < 19.5 ? a : 19.5; // NaN too, given back at the end
  const y = -2 * clamped;
  const k = y * LOG2E + ROUND - ROUND;
  const r = y - k * LN2_HI - k * LN2_LO;
  const s = POW2_NEGATIVE[0 - k]; // not −k: k = +0 would index by −0, which V8 loads slowly
  const m = s * expm1Reduced(r) + (s - 1);
  const t = -m / (m + 2);
  return x > 0 ? t : x < 0 ? -t : x;
}

/** e^r − 1 for |r| ≤ ln2/2 as r + r²·q(r): tiny r keeps its bits. */
function expm1Reduced(r: number): number {
  const q = ((((((((Q9 * r + Q8) * r + Q7) * r + Q6) * r + Q5) * r + Q4) * r + Q3) * r + Q2) * r + Q1) * r + Q0;
  return r + r * r * q;
}

// The constants are written digit for digit as in native/fastmath.h: both parse them to the same doubles.
const LOG2E = 1.4426950408889634;
const ROUND = 6755399441055744; // 1.5·2^52
const LN2_HI = 0.6931471803691238; // 0x1.62e42fee00000p-1
const LN2_LO = 1.9082149292705877e-10; // ln 2 − LN2_HI
const Q9 = 2.5100375832561234e-8;
const Q8 = 2.7620075879983367e-7;
const Q7 = 2.7557268480310024e-6;
const Q6 = 2.4801521322368692e-5;
const Q5 = 0.00019841269863040545;
const Q4 = 0.0013888888917196719;
const Q3 = 0.008333333333330065;
const Q2 = 0.041666666666624164;
const Q1 = 0.16666666666666669;
const Q0 = 0.5000000000000001;

/** 2^−n for tanh64's k = −n ∈ [−56, 0]. */
const POW2_NEGATIVE = Float64Array.from({ length: 57 }, (_, n) => 2 ** -n);

/** |k| ≤ 1076 for |x| ≤ 746: the tables hold k = −1076 … 1076 at k + 1076. */
const POW2_BIAS = 1076;
const POW2_HALF = new Float64Array(2 * POW2_BIAS + 1);
const POW2_REST = new Float64Array(2 * POW2_BIAS + 1);
for (let k = -POW2_BIAS; k <= POW2_BIAS; k++) {
  const half = Math.floor(k / 2);
  POW2_HALF[k + POW2_BIAS] = 2 ** half; // exact: a power of two within the normal range
  POW2_REST[k + POW2_BIAS] = 2 ** (k - half);
}
