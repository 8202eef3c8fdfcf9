#!/usr/bin/env bash
# CPU benchmark: ClipUp / PyTorch training-step throughput on this machine, in one run (issue "GPU backend and
# performance", CPU targets). The reference is Debian's python3-torch with OpenBLAS
# (apt-get install python3-torch libopenblas0-pthread), run at 1 and at all intra-op threads, keeping the faster.
#   bench/run-cpu.sh [--quick]      writes bench/results/cpu-<date>.json and .md
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd); cd "$here"
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "needs Debian's python3-torch: apt-get install python3-torch libopenblas0-pthread" >&2; exit 2; }
dotnet build bench/ClipUp.Bench -c Release -nologo -v:q >&2
bench="dotnet bench/ClipUp.Bench/bin/Release/net10.0/ClipUp.Bench.dll"
quick=${1:-}
stamp=$(date -u +%Y%m%d-%H%M%S); mkdir -p bench/results
json=bench/results/cpu-$stamp.json; md=bench/results/cpu-$stamp.md
rows=()
for spec in "tiny 64 20" "S16-96 32 4"; do
  read -r preset batch steps <<<"$spec"
  [ "$quick" = --quick ] && steps=$(( steps / 2 > 2 ? steps / 2 : 2 ))
  for moe in 0 1; do
    best_py=0
    for t in 1 $(nproc); do
      r=$("$py" bench/reference/clip_reference.py --preset "$preset" --moe "$moe" --batch "$batch" --steps "$steps" --threads "$t" | tail -1)
      s=$(echo "$r" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
      if "$py" -c "import sys; sys.exit(0 if $s > $best_py else 1)"; then best_py=$s; fi
    done
    ours=$($bench trainstep --preset "$preset" --moe "$moe" --batch "$batch" --steps "$steps" | tail -1)
    s_ours=$(echo "$ours" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["samples_per_s"])')
    rows+=("{\"preset\":\"$preset\",\"moe\":$moe,\"batch\":$batch,\"steps\":$steps,\"clipup_samples_per_s\":$s_ours,\"pytorch_samples_per_s\":$best_py,\"ratio\":$("$py" -c "print($s_ours/$best_py)")}")
  done
done
torchv=$("$py" -c 'import torch; print(torch.__version__)')
printf '{"machine":"%s","cores":%s,"pytorch":"%s","command":"bench/run-cpu.sh %s","rows":[%s]}\n' \
  "$(uname -m) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(nproc)" "$torchv" "$quick" "$(IFS=,; echo "${rows[*]}")" > "$json"
"$py" - "$json" > "$md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"# CPU train-step throughput, ClipUp / PyTorch\n\n{d['machine']}, {d['cores']} cores, PyTorch {d['pytorch']} (Debian). Command: `{d['command']}`.\n")
print("| preset | MoE | batch | ClipUp samples/s | PyTorch samples/s | ratio |\n| --- | --- | --- | --- | --- | --- |")
for r in d["rows"]:
    print(f"| {r['preset']} | {'E=8 top-2' if r['moe'] else 'dense'} | {r['batch']} | {r['clipup_samples_per_s']:.1f} | {r['pytorch_samples_per_s']:.1f} | {r['ratio']:.2f} |")
PY
cat "$md"
