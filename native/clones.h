// Wide vectors without -march: the addon is built for baseline x86-64 (SSE2, 2 doubles a vector),
// so that it loads on any x86-64 CPU. WIREGRAD_VECTOR_CLONES on a hot loop's function makes GCC
// compile it three times, for the baseline, for x86-64-v3 (AVX2, 4 doubles) and for x86-64-v4
// (AVX-512, 8 doubles), and pick the widest the CPU has when the addon loads (an ifunc).
// Values do not depend on the pick: -ffp-contract=off (binding.gyp) keeps v3's and v4's FMA out,
// and every clone performs the same IEEE-754 operations per element.
// An OpenMP region's body is outlined into a function of its own, which the clones do not reach:
// the cloned function must be the one with the loop, called from inside the region.
// Elsewhere (another compiler, GCC before 11, which lacks the x86-64-v3/v4 names, another CPU
// family, no ifunc) the macro is empty: one baseline build.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && defined(__ELF__)
#define WIREGRAD_VECTOR_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
// The clone the loader picks on this CPU, by the same level names the resolver checks.
inline const char* wiregradVectorClone() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
  if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2)";
  return "baseline (SSE2)";
}
#else
#define WIREGRAD_VECTOR_CLONES
inline const char* wiregradVectorClone() { return "none: one baseline build"; }
#endif
