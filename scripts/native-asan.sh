#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (in build/asan, beside the
# normal build) and runs the native conformance and fuzz tests against it. Any report fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
out=build/asan
log=$out/asan.log
node scripts/build-native.js --strict --dest "$out" --sanitize address,undefined || exit 1
mkdir -p "$out"
# Node itself is not instrumented: the ASan runtime must be loaded first, and Node's own
# allocations at exit are not ours to judge (detect_leaks=0; valgrind covers leaks).
preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
addon="$PWD/$out/build/Release/wiregrad_native.node"
# the tests below must run this instrumented build, not the normal one
LD_PRELOAD="$preload" ASAN_OPTIONS=detect_leaks=0 node -e '
  const s = require(process.argv[1]).info().sanitizers;
  if (s !== "address,undefined") { console.error(`native:asan: the addon reports sanitizers "${s}"`); process.exit(1); }
' "$addon" || exit 1
LD_PRELOAD="$preload" \
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  WIREGRAD_NATIVE_ADDON="$addon" WIREGRAD_THREADS=1 \
  npx jest --runInBand tests/native.conformance.test.ts tests/native.fuzz.test.ts >"$log" 2>&1
status=$?
reports=$(grep -cE 'ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$log")
tests=$(grep -E '^Tests:' "$log" | tail -1)
echo "native:asan: ${tests:-no test summary}; sanitizer reports: $reports (log: $log)"
grep -E 'ERROR: AddressSanitizer|runtime error:' "$log" | head -5
[ "$status" -eq 0 ] && [ "$reports" -eq 0 ]
