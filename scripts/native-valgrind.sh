#!/usr/bin/env bash
# Runs the soak workload (valid calls, every transpose pair, rejected calls) and the argument
# fuzz under valgrind memcheck, then sums the bytes lost in leak records whose stack passes
# through the addon, and counts memcheck errors there. Node's own allocations are not counted.
set -uo pipefail
cd "$(dirname "$0")/.."
addon="${WIREGRAD_NATIVE_ADDON:-$PWD/build/Release/wiregrad_native.node}"
[ -f "$addon" ] || { echo "native:valgrind: no addon at $addon (run node scripts/build-native.js)"; exit 1; }
mkdir -p build/valgrind
total_lost=0
total_errors=0
for run in "native-soak.js 3000 1000" "native-fuzz.js 3000"; do
  name=${run%% *}
  log=build/valgrind/${name%.js}.log
  # shellcheck disable=SC2086
  WIREGRAD_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 WIREGRAD_NATIVE_ADDON="$addon" \
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=all --num-callers=40 --log-file="$log" \
    node --expose-gc scripts/$run >build/valgrind/${name%.js}.out 2>&1
  status=$?
  # A loss record is a paragraph starting "N bytes in M blocks are ... lost"; count it when a frame is in the addon.
  lost=$(awk '
    /bytes in .* blocks are (definitely|indirectly|possibly) lost/ { rec = $0; bytes = $2; gsub(",", "", bytes); ours = 0; inrec = 1; next }
    inrec && /wiregrad_native\.node|native\/(gemm|kernels|addon)\.cc/ { ours = 1 }
    inrec && /^==[0-9]+== $/ { if (ours) sum += bytes; inrec = 0 }
    END { print sum + 0 }' "$log")
  errors=$(awk '
    /^==[0-9]+== (Invalid|Conditional|Use of uninit|Mismatched|Syscall param|Source and destination)/ { inrec = 1; ours = 0; next }
    inrec && /wiregrad_native\.node|native\/(gemm|kernels|addon)\.cc/ { ours = 1 }
    inrec && /^==[0-9]+== $/ { if (ours) n++; inrec = 0 }
    END { print n + 0 }' "$log")
  summary=$(grep -E 'definitely lost:|indirectly lost:|possibly lost:' "$log" | sed 's/==[0-9]*== *//' | tr -s ' ' | paste -sd';')
  echo "native:valgrind: $name exit $status, $(cat build/valgrind/${name%.js}.out | tail -1 | cut -c1-120)"
  echo "  addon frames: $lost bytes lost, $errors memcheck errors | whole process: $summary"
  total_lost=$((total_lost + lost))
  total_errors=$((total_errors + errors))
  [ "$status" -eq 0 ] || total_errors=$((total_errors + 1))
done
echo "native:valgrind: $total_lost bytes lost in the addon's frames, $total_errors errors (logs in build/valgrind)"
[ "$total_lost" -eq 0 ] && [ "$total_errors" -eq 0 ]
