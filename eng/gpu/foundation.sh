#!/usr/bin/env bash
# Runs the foundation issue's GPU item on a machine with PyTorch + CUDA and the ClipUp bundle:
#   here:    eng/gpu-bundle.sh --out .bundle/clipup --data flickr8k,cifar10 && cp configs/flickr8k-s16-96.json .bundle/clipup/
#   device:  bash eng/gpu/foundation.sh .bundle/clipup "$OUT"
# Writes into OUT: doctor.json, config.json, metrics.jsonl, results.json, train.log, gpu-memory.csv (commit them under
# results/foundation/ with this command). Expected: samples/s in metrics.jsonl, Flickr8k val R@1/5/10 both ways and
# CIFAR-10 zero-shot top-1/top-5 in results.json; small-scale.md's CPU reference reached R@1 ≈ 2% and CIFAR-10 ≈ 16%
# with a much smaller model, so expect single-digit R@1 and a model that memorises after ~20 epochs.
set -euo pipefail
bundle=$(cd "$1" && pwd); out=${2:?usage: foundation.sh BUNDLE OUT}
export CLIPUP_PYTHON=${CLIPUP_PYTHON:-/opt/torch/.venv/bin/python}
cd "$bundle"
./run-clipup.sh doctor --json > "$out/doctor.json"
# TorchSharp exposes no CUDA memory statistics: sample the driver's figure once a second for the peak.
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 1 > "$out/gpu-memory.csv" 2>/dev/null &
smi=$!
start=$(date +%s)
./run-clipup.sh train --config flickr8k-s16-96.json --device cuda --resume auto 2>&1 | tee "$out/train.log"
echo "wall seconds: $(( $(date +%s) - start ))" >> "$out/train.log"
kill $smi 2>/dev/null || true
cp runs/flickr8k-s16-96/config.json runs/flickr8k-s16-96/metrics.jsonl runs/flickr8k-s16-96/results.json "$out/"
