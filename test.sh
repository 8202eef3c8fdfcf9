#!/usr/bin/env bash
# ClipUp's test command (README, .ci/run). Builds the solution and runs `dotnet test` for one profile,
# then prints the plain closing line "N passed, N failed" that CI reads.
#   ./test.sh           default profile: every test not marked Slow or Gpu, every notebook in the smoke profile included (CPU, under 15 minutes)
#   ./test.sh slow      the Slow profile (kill-and-resume, long training, notebook kernel round trips)
#   ./test.sh all       both
set -uo pipefail
cd "$(dirname "$0")"
profile=${1:-default}
case "$profile" in
  default) filter=(--filter-not-trait "Category=Slow" --filter-not-trait "Category=Gpu") ;;
  slow)    filter=(--filter-trait "Category=Slow") ;;
  all)     filter=(--filter-not-trait "Category=Gpu") ;;
  gpu)     filter=(--filter-trait "Category=Gpu") ;;
  *) echo "usage: ./test.sh [default|slow|all|gpu]" >&2; exit 2 ;;
esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Rare collections, as ./clipup sets them (environment.md, "Finalizers"; src/ClipUp/Runtime/Scalars.cs).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x10000000}
log=$(mktemp)
rm -f artifacts/reliability-report.md
dotnet build ClipUp.sln -c Release -nologo -v:q 2>&1 | tee "$log" | grep -E "error|ClipUp:" ; build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then cat "$log"; echo "0 passed, 1 failed"; exit 1; fi
dotnet test --solution ClipUp.sln -c Release --no-build "${filter[@]}" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
# MTP prints one summary per run: "total: N", "failed: N", "succeeded: N", "skipped: N".
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
# The reliability table (tests/ClipUp.Tests/Reliability) : case, expected, observed.
if [ -f artifacts/reliability-report.md ] && [ "$profile" != slow ]; then echo; echo "Reliability report:"; cat artifacts/reliability-report.md; echo; fi
# MTP exits 8 when a filter selects no test (an empty Gpu profile on a CPU machine); that is not a failure.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 8 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
