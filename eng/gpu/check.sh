#!/usr/bin/env bash
# One short device call that checks the GPU path end to end and measures it (environment.md, "Devices"):
#   here:    eng/gpu-bundle.sh --slim --tar        (.bundle/clipup.tar.xz; the checkout itself travels too, so the
#                                                    bundle must stay under 64 MiB minus the checkout)
#   device:  bash eng/gpu/check.sh .bundle/clipup.tar.xz "$OUT"        (carry .bundle/clipup.tar.xz; about 6 minutes)
# In order of what matters most, each step under its own time limit so one hang cannot eat the call:
#   1. versions + `clipup doctor --json`: TorchSharp 0.107 loads the machine's PyTorch CUDA libtorch;
#   2. eng/gpu-parity.sh --configs small: ClipUp on CUDA embeds like transformers; export round trip;
#   3. `clipup bench trainstep` vs bench/reference/clip_reference.py on the same GPU, fp32 and bf16, dense and MoE;
#      `clipup bench moelayer`, sorted vs grouped dispatch, bf16;
#   4. `clipup experiment run headline --profile smoke --device cuda`: data, training, upcycling, evaluation, report.
# OUT gets status.txt (`step exit-code` per step), summary.md (the throughput table), bench.jsonl and check.tar.gz
# (every log). Commit summary.md and bench.jsonl under bench/results/gpu-<date>-*.
# A dry run of the same path on CPU (no GPU here): CLIPUP_LIBTORCH=<a torch/lib> CLIPUP_CHECK_DEVICE=cpu
#   CLIPUP_CHECK_BENCH="tiny 16 0 0,tiny 16 1 0" CLIPUP_CHECK_TOKENS=256 bash eng/gpu/check.sh .bundle/clipup.tar.xz /tmp/check
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tarball=$(cd "$(dirname "${1:?usage: check.sh BUNDLE.tar.xz OUT}")" && pwd)/$(basename "$1"); out=${2:?usage: check.sh BUNDLE.tar.xz OUT}
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/clipup-check.XXXXXX"); logs="$work/logs"; mkdir -p "$logs"
export CLIPUP_PYTHON=${CLIPUP_PYTHON:-python3}
py=$CLIPUP_PYTHON
device=${CLIPUP_CHECK_DEVICE:-cuda}
# "preset batch moe bf16" rows, comma-separated: bf16 first (what a GPU trains in), then fp32.
bench=${CLIPUP_CHECK_BENCH:-B16 128 0 1,B16 128 1 1,B16 128 0 0,B16 128 1 0,S16-96 256 0 1,S16-96 256 1 1}
: > "$out/status.txt"; : > "$out/bench.jsonl"

# step NAME SECONDS CMD...: CMD's output into logs/NAME.log, its exit code into status.txt (124 = its time ran out).
step() {
  local name=$1 limit=$2; shift 2
  echo "== $name $(date -u +%T)"
  timeout -k 5 "$limit" "$@" > "$logs/$name.log" 2>&1
  local rc=$?
  echo "$name $rc" >> "$out/status.txt"
  [ $rc -eq 0 ] || { echo "   failed ($rc):"; tail -n 8 "$logs/$name.log"; }
  return $rc
}

tar -C "$work" -xJf "$tarball" || { echo "cannot unpack $tarball" >&2; exit 2; }
clipup="$work/clipup/run-clipup.sh"
{
  "$py" -c 'import sys, torch; print("python", sys.version.split()[0]); print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  git -C "$here" rev-parse HEAD 2>/dev/null | sed 's/^/clipup commit: /'
} > "$out/versions.txt" 2>&1
cat "$out/versions.txt"

step doctor 90 "$clipup" doctor --json || { cp "$logs/doctor.log" "$out/"; echo "doctor failed: the bundle does not run here; stopping"; exit 1; }
cp "$logs/doctor.log" "$out/doctor.json"

step parity 240 "$here/eng/gpu-parity.sh" --bundle "$work/clipup" --configs small --out "$work/parity" --work "$work/parity-work" --python "$py"

# ClipUp / PyTorch, each in its own process, same shapes, same GPU, one after the other.
bench_row() {  # preset batch moe bf16
  local tag="$1-b$2-moe$3-bf16$4" flag=""
  [ "$3" = 1 ] && flag="--moe"
  [ "$4" = 1 ] && flag="$flag --bf16"
  step "clipup-$tag" 120 "$clipup" bench trainstep --preset "$1" --batch "$2" --steps 10 --warmup 3 --device "$device" $flag \
    && tail -n 1 "$logs/clipup-$tag.log" >> "$out/bench.jsonl"
  step "pytorch-$tag" 120 "$py" "$here/bench/reference/clip_reference.py" --preset "$1" --batch "$2" --steps 10 --warmup 3 \
      --moe "$3" --bf16 "$4" --device "$device" \
    && tail -n 1 "$logs/pytorch-$tag.log" >> "$out/bench.jsonl"
}
IFS=, read -ra specs <<< "$bench"
for spec in "${specs[@]}"; do bench_row $spec; done
for d in sorted grouped; do
  step "moelayer-$d" 90 "$clipup" bench moelayer --width 768 --tokens "${CLIPUP_CHECK_TOKENS:-16384}" --capacity-factor 1.25 --steps 10 --device "$device" --bf16 --dispatch "$d" \
    && tail -n 1 "$logs/moelayer-$d.log" >> "$out/bench.jsonl"
done

step headline-smoke 240 "$clipup" experiment run headline --profile smoke --seeds 1 --device "$device" --results "$work/results" --runs "$work/runs"
step headline-report 60 "$clipup" experiment report headline --profile smoke --results "$work/results"

"$py" - "$out/bench.jsonl" > "$out/summary.md" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
print("| preset | batch | MoE | bf16 | ClipUp samples/s | PyTorch samples/s | ClipUp / PyTorch |")
print("| --- | --- | --- | --- | --- | --- | --- |")
key = lambda r: (r["preset"], r["batch"], int(r["moe"]), int(r["bf16"]))
ours = {key(r): r for r in rows if r.get("impl") == "clipup"}
for r in rows:
    if r.get("impl") not in ("pytorch", "torch") or key(r) not in ours: continue
    c = ours[key(r)]
    print(f"| {r['preset']} | {r['batch']} | {int(r['moe'])} | {int(r['bf16'])} | {c['samples_per_s']:.0f} | {r['samples_per_s']:.0f} | {c['samples_per_s'] / r['samples_per_s']:.2f} |")
print()
for r in rows:
    if r.get("bench") == "moe_layer":
        print(f"MoE layer (width {r['width']}, {r['tokens']} tokens, E={r['experts']}, top-{r['top_k']}, CF {r['capacity_factor']}, bf16 {r['bf16']}), "
              f"dispatch {r.get('dispatch', '?')}: MoE {r['moe_ms']:.2f} ms / dense {r['dense_ms']:.2f} ms = {r['ratio']:.2f}")
EOF
cat "$out/summary.md"; cat "$out/status.txt"
tar -C "$work" -czf "$out/check.tar.gz" logs parity results 2>/dev/null
ls -l "$out"
! grep -qE ' [1-9][0-9]*$' "$out/status.txt"
