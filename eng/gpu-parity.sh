#!/usr/bin/env bash
# ClipUp vs Hugging Face transformers, on the GPU machine (torch + transformers + safetensors, no .NET, no network).
# Runs every check of bench/reference/README.md in order and writes all results into one folder (a few MiB plus the
# small reference model, 13 MiB), so it fits into the device's $OUT:
#   eng/gpu-parity.sh [--bundle .bundle/clipup|.bundle/clipup.tar.gz] [--out DIR] [--work DIR] [--python PY]
#                     [--tsv train.tsv --tsv val.tsv] [--configs small,b16]
# The bundle comes from `eng/gpu-bundle.sh --tar` (46 MiB packed); carry .bundle/clipup.tar.gz to the device, and the
# Flickr8k captions (2.8 MiB) if the tokenizer check should run: copy ../shared/data/flickr8k/*.tsv to
# .bundle/data/flickr8k/ and carry that folder too. On the device:
#   eng/gpu-parity.sh --bundle .bundle/clipup.tar.gz --out "$OUT/parity"
# Large files (the B/16 weights, 571 MiB, and ClipUp's re-export) stay in --work. OUT/status.txt has one
# `step exit-code` line per check; the script exits 1 when any check failed. Expected values: bench/reference/README.md,
# section "eng/gpu-parity.sh".
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bundle="$here/.bundle/clipup"; out="$here/.bundle/parity"; work=""; py=${CLIPUP_PYTHON:-/opt/torch/.venv/bin/python}
configs="small,b16"; tsvs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --python) py=$2; shift 2 ;;
    --tsv) tsvs+=("$2"); shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    *) echo "usage: eng/gpu-parity.sh [--bundle DIR|TAR] [--out DIR] [--work DIR] [--python PY] [--tsv FILE]... [--configs small,b16]" >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/clipup-parity.XXXXXX")
mkdir -p "$out" "$work"; out=$(cd "$out" && pwd); work=$(cd "$work" && pwd)
: > "$out/status.txt"

export CLIPUP_PYTHON="$py"
if [ -n "${CLIPUP_CMD:-}" ]; then
  read -ra clipup <<< "$CLIPUP_CMD"   # e.g. CLIPUP_CMD=./clipup: this script against a local build, no bundle
else
  if [[ "$bundle" == *.tar.gz ]]; then
    tar -C "$work" -xzf "$bundle" || { echo "cannot unpack $bundle" >&2; exit 2; }
    bundle="$work/clipup"
  fi
  [ -x "$bundle/run-clipup.sh" ] || { echo "no ClipUp bundle at $bundle: build it with eng/gpu-bundle.sh --tar" >&2; exit 2; }
  clipup=("$bundle/run-clipup.sh")
fi
hf=("$py" "$here/bench/reference/hf_parity.py")

# step NAME LOGFILE CMD...: runs CMD with stdout+stderr into LOGFILE and records its exit code.
step() {
  local name=$1 log=$2; shift 2
  echo "== $name" >&2
  "$@" > "$log" 2>&1
  local rc=$?
  echo "$name $rc" >> "$out/status.txt"
  [ $rc -eq 0 ] || echo "   failed ($rc): see $log" >&2
  return 0
}

# `key [shape] dtype` of a safetensors file, sorted: the same lines as make-reference's hf_keys.txt.
keys() {
  "$py" - "$1" <<'EOF'
import json, struct, sys
names = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "F64": "float64", "I64": "int64", "I32": "int32", "U8": "uint8", "BOOL": "bool"}
with open(sys.argv[1], "rb") as f:
    header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
header.pop("__metadata__", None)
for k in sorted(header):
    e = header[k]
    print(f"{k} [{', '.join(str(d) for d in e['shape'])}] {names.get(e['dtype'], e['dtype'])}")
EOF
}

{
  echo "date: $(date -u +%FT%TZ)"
  "$py" -c 'import sys, torch, transformers; print("python", sys.version.split()[0]); print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available()); print("transformers", transformers.__version__)'
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  git -C "$here" rev-parse HEAD 2>/dev/null | sed 's/^/clipup commit: /'
} > "$out/versions.txt" 2>&1
step doctor "$out/doctor.json" "${clipup[@]}" doctor --json

# (a) Reference models, inputs and transformers' outputs. --max-weights-mib 0 keeps the B/16 weights (in --work only).
step make-reference "$out/make-reference.json" "${hf[@]}" make-reference "$work/ref" --configs "$configs" --max-weights-mib 0

IFS=, read -ra names <<< "$configs"
for c in "${names[@]}"; do
  ref="$work/ref/$c"; o="$out/$c"; mkdir -p "$o"
  for f in config.json hf_keys.txt inputs.safetensors outputs.safetensors; do [ -f "$ref/$f" ] && cp "$ref/$f" "$o/"; done
  [ "$c" = small ] && [ -f "$ref/model.safetensors" ] && cp "$ref/model.safetensors" "$o/"
  step "$c.inspect" "$o/inspect.txt" "${clipup[@]}" inspect "$ref"
  # ClipUp loads the HF folder and embeds the same inputs; fp32 throughout. On CUDA, cuDNN may run the patch
  # convolution in TF32 (libtorch's default), so the GPU run gets a looser tolerance than the CPU run.
  step "$c.embed-cpu" "$o/embed-cpu.txt" "${clipup[@]}" parity embed --model "$ref" --inputs "$ref/inputs.safetensors" \
    --out "$o/clipup_outputs.cpu.safetensors" --reference "$ref/outputs.safetensors" --atol 1e-4 --device cpu
  step "$c.embed-cuda" "$o/embed-cuda.txt" "${clipup[@]}" parity embed --model "$ref" --inputs "$ref/inputs.safetensors" \
    --out "$o/clipup_outputs.cuda.safetensors" --reference "$ref/outputs.safetensors" --atol 1e-3 --device cuda
  # (b) The reverse direction: ClipUp re-exports the model, transformers loads the export and recomputes.
  step "$c.export" "$o/export.txt" "${clipup[@]}" parity export --model "$ref" --out "$work/export/$c" --inputs "$ref/inputs.safetensors"
  step "$c.compare-embeddings" "$o/compare-embeddings.json" "${hf[@]}" compare-embeddings "$work/export/$c" --atol 1e-4
  cp "$work/export/$c/config.json" "$o/export_config.json" 2>/dev/null
  keys "$work/export/$c/model.safetensors" > "$o/export_keys.txt" 2>&1
  step "$c.export-keys" "$o/export_keys.diff" diff "$o/hf_keys.txt" "$o/export_keys.txt"
done

# (c) Tokenizer: ClipUp's ids for every Flickr8k caption against CLIPTokenizer's.
if [ ${#tsvs[@]} -eq 0 ]; then
  for d in "$here/.bundle/data/flickr8k" "$bundle/data/flickr8k" "$here/../shared/data/flickr8k"; do
    [ -f "$d/train.tsv" ] && [ -f "$d/val.tsv" ] && { tsvs=("$d/train.tsv" "$d/val.tsv"); break; }
  done
fi
if [ ${#tsvs[@]} -gt 0 ]; then
  tsv_args=(); for t in "${tsvs[@]}"; do tsv_args+=(--tsv "$t"); done
  step tokens "$out/tokens.txt" "${clipup[@]}" parity tokens "${tsv_args[@]}" --out "$work/clipup_ids.txt"
  step tokenizer-parity "$out/tokenizer-parity.json" "${hf[@]}" tokenizer-parity \
    --bpe "$here/src/ClipUp/Text/bpe_simple_vocab_16e6.txt.gz" "${tsv_args[@]}" --ids "$work/clipup_ids.txt" --work "$work/tok"
else
  echo "tokenizer-parity skipped (no Flickr8k train.tsv/val.tsv found; pass --tsv)" | tee -a "$out/status.txt" >&2
fi

cat "$out/status.txt" >&2
if grep -qE ' [1-9][0-9]*$' "$out/status.txt"; then exit 1; fi
