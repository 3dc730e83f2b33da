# Built by scripts/build-native.js, which fills these variables in (see the -D flags there).
{
  "variables": {
    "napi_include%": "",
    "openblas_lib%": "",
    "openblas_include%": "",
    "march%": "",
    "sanitize%": "",
  },
  "targets": [
    {
      "target_name": "wiregrad_native",
      "sources": ["native/addon.cc", "native/args.cc", "native/gemm.cc", "native/kernels.cc", "native/grid.cc", "native/lstm.cc", "native/elementwise.cc", "native/rows.cc"],
      "include_dirs": ["<(napi_include)"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "WIREGRAD_MARCH=\"<(march)\"",
        "WIREGRAD_SANITIZERS=\"<(sanitize)\"",
      ],
      # -fno-math-errno: sqrt need not set errno, so the optimizer loops vectorise; no value changes.
      # -ffp-contract=off: a·b + c is never fused into an FMA (GCC fuses by default where the target
      # has one), so float64 loops keep the bits of their TypeScript twins on every CPU.
      # -fno-trapping-math: a float compare may be evaluated unconditionally, so selects such as
      # the clamps in fastmath.h become blends and their loops vectorise; no value changes.
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=off", "-fno-trapping-math", "-fopenmp", "-Wall", "-Wextra", "-Werror"],
      "ldflags": ["-fopenmp"],
      "conditions": [
        ["openblas_lib != ''", {
          "defines": ["WIREGRAD_OPENBLAS", "WIREGRAD_OPENBLAS_LIB=\"<(openblas_lib)/libopenblas.so.0\""],
          "include_dirs": ["<(openblas_include)"],
          # By explicit path with an rpath: when the pthread build is installed too it is the
          # system default, and its spinning pool fights our OpenMP loops for the cores.
          "libraries": ["<(openblas_lib)/libopenblas.so.0", "-Wl,-rpath,<(openblas_lib)"],
        }],
        ["march != ''", {"cflags_cc": ["-march=<(march)"]}],
        ["sanitize != ''", {
          "cflags_cc": ["-fsanitize=<(sanitize)", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"],
          "ldflags": ["-fsanitize=<(sanitize)"],
        }],
      ],
    },
  ],
}
