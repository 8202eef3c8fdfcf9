#!/usr/bin/env bash
# CPU benchmarks of issue 10, all measured in one run on this machine:
#   1. train-step throughput, ClipUp / PyTorch (Debian's python3-torch with OpenBLAS, best of 1 and all intra-op
#      threads), tiny and S16-96, dense and MoE (E=8, top-2, every other layer, capacity factor 1.25);
#   2. ClipUp's MoE step / its dense step (target <= 1.5);
#   3. one MoE layer, forward + backward, / a dense MLP of equal active FLOPs, padded (sorted) vs grouped dispatch;
#   4. data-loader images/s (Flickr8k JPEGs -> 96 px training batches, 1 and 2 workers);
#   5. quickstart wall time (./clipup quickstart --device cpu).
#   bench/run-cpu.sh [--quick]      writes bench/results/cpu-<date>.json and .md
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd); cd "$here"
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "needs Debian's python3-torch: apt-get install python3-torch libopenblas0-pthread" >&2; exit 2; }
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x10000000}
dotnet build bench/ClipUp.Bench -c Release -nologo -v:q >&2
bench="dotnet bench/ClipUp.Bench/bin/Release/net10.0/ClipUp.Bench.dll"   # the loader benchmark
./clipup --help > /dev/null 2>&1   # builds the CLI if sources changed: `clipup bench` and the quickstart timing below
quick=${1:-}
field() { "$py" -c "import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])['$1'])"; }
stamp=$(date -u +%Y%m%d-%H%M%S); mkdir -p bench/results
json=bench/results/cpu-$stamp.json; md=bench/results/cpu-$stamp.md
rows=(); layers=(); loaders=()
for spec in "tiny 64 20" "S16-96 32 4"; do
  read -r preset batch steps <<<"$spec"
  [ "$quick" = --quick ] && steps=$(( steps / 2 > 2 ? steps / 2 : 2 ))
  for moe in 0 1; do
    best_py=0
    for t in 1 $(nproc); do
      s=$("$py" bench/reference/clip_reference.py --preset "$preset" --moe "$moe" --batch "$batch" --steps "$steps" --threads "$t" | field samples_per_s)
      if "$py" -c "import sys; sys.exit(0 if $s > $best_py else 1)"; then best_py=$s; fi
    done
    moe_flag=(); [ "$moe" = 1 ] && moe_flag=(--moe)
    s_ours=$(./clipup bench trainstep --preset "$preset" "${moe_flag[@]}" --batch "$batch" --steps "$steps" | field samples_per_s)
    rows+=("{\"preset\":\"$preset\",\"moe\":$moe,\"batch\":$batch,\"steps\":$steps,\"clipup_samples_per_s\":$s_ours,\"pytorch_samples_per_s\":$best_py,\"ratio\":$("$py" -c "print($s_ours/$best_py)")}")
  done
done
for width in 384 768; do
  for cf in 1.25 2.0; do
    for d in sorted grouped; do
      r=$(./clipup bench moelayer --width "$width" --tokens 2368 --capacity-factor "$cf" --dispatch "$d" --steps 5 | tail -1)
      layers+=("$("$py" -c "import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({'width':$width,'capacity_factor':$cf,'dispatch':'$d','dense_ms':d['dense_ms'],'moe_ms':d['moe_ms'],'ratio':d['ratio']}))" "$r")")
    done
  done
done
for w in 1 2; do loaders+=("$($bench loader --workers "$w" --batches 40 | tail -1)"); done
start=$(date +%s.%N)
./clipup quickstart --device cpu > /dev/null 2>&1
quickstart=$("$py" -c "print(round($(date +%s.%N) - $start, 1))")
torchv=$("$py" -c 'import torch; print(torch.__version__)')
printf '{"machine":"%s","cores":%s,"pytorch":"%s","command":"bench/run-cpu.sh %s","rows":[%s],"moe_layer":[%s],"loader":[%s],"quickstart_seconds":%s}\n' \
  "$(uname -m) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(nproc)" "$torchv" "$quick" "$(IFS=,; echo "${rows[*]}")" \
  "$(IFS=,; echo "${layers[*]}")" "$(IFS=,; echo "${loaders[*]}")" "$quickstart" > "$json"
"$py" - "$json" > "$md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"# CPU benchmarks\n\n{d['machine']}, {d['cores']} cores, PyTorch {d['pytorch']} (Debian, OpenBLAS). Command: `{d['command']}`.\n")
print("## Train step, ClipUp / PyTorch eager\n")
print("| preset | MoE | batch | steps | ClipUp samples/s | PyTorch samples/s | ratio |\n| --- | --- | --- | --- | --- | --- | --- |")
for r in d["rows"]:
    print(f"| {r['preset']} | {'E=8 top-2' if r['moe'] else 'dense'} | {r['batch']} | {r['steps']} | {r['clipup_samples_per_s']:.1f} | {r['pytorch_samples_per_s']:.1f} | {r['ratio']:.2f} |")
print("\n## MoE step / dense step (same implementation; issue 10 target for ClipUp <= 1.5)\n")
print("| preset | ClipUp | PyTorch |\n| --- | --- | --- |")
for p in dict.fromkeys(r["preset"] for r in d["rows"]):
    dense = next(r for r in d["rows"] if r["preset"] == p and not r["moe"]); moe = next(r for r in d["rows"] if r["preset"] == p and r["moe"])
    print(f"| {p} | {dense['clipup_samples_per_s'] / moe['clipup_samples_per_s']:.2f} | {dense['pytorch_samples_per_s'] / moe['pytorch_samples_per_s']:.2f} |")
print("\n## One MoE layer (E=8, top-2, 2,368 tokens, fp32, forward + backward) / dense MLP of equal active FLOPs\n")
print("| width | capacity factor | dispatch | dense ms | MoE ms | ratio |\n| --- | --- | --- | --- | --- | --- |")
for r in d["moe_layer"]:
    print(f"| {r['width']} | {r['capacity_factor']} | {r['dispatch']} | {r['dense_ms']:.1f} | {r['moe_ms']:.1f} | {r['ratio']:.2f} |")
print("\n## Data loader (Flickr8k JPEG -> 96 px train batches of 64, after the first batch)\n")
print("| workers | images/s |\n| --- | --- |")
for r in d["loader"]:
    print(f"| {r['workers']} | {r['images_per_s']:.0f} |")
print(f"\n## Quickstart\n\n`./clipup quickstart --device cpu` (build up to date): {d['quickstart_seconds']} s wall.")
PY
cat "$md"
