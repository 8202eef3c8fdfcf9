#!/usr/bin/env bash
# Runs named experiments' full profile on a GPU machine with the ClipUp bundle, in the background, across calls:
#   here:    eng/gpu-bundle.sh --out .bundle/clipup --data flickr8k,fashion,cifar10   (carry .bundle; keep it < 64 MiB)
#   device:  bash eng/gpu/reproduce.sh start .bundle/clipup headline:1 scale:1     (returns at once; name:seeds)
#            bash eng/gpu/reproduce.sh status .bundle/clipup                        (progress lines, GPU memory)
#            bash eng/gpu/reproduce.sh collect .bundle/clipup "$OUT"               (packs results + logs into OUT)
# `start` detaches with setsid, so a device call may return while training goes on; later calls poll it. Results land
# in BUNDLE/results/<experiment>/full/*.json, one file per finished variant and seed: the runner skips those on the
# next start, so commit results/ back into the repository (from collect's tarball) and carry it into the next
# session's bundle to continue. Runs in flight when the machine goes back are lost (their checkpoints stay on it).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
verb=${1:?usage: reproduce.sh start|status|collect BUNDLE [...]}; bundle=$(cd "${2:?bundle folder}" && pwd); shift 2
export CLIPUP_PYTHON=${CLIPUP_PYTHON:-/opt/torch/.venv/bin/python}
profile=${CLIPUP_PROFILE:-full}   # smoke runs the same path on CPU (a check of the bundle without a GPU)
cd "$bundle"
case "$verb" in
  start)
    [ $# -gt 0 ] || { echo "name experiments to run, e.g. headline:3 capacity-factor:1 (clipup experiment list)" >&2; exit 2; }
    mkdir -p logs results
    ./run-clipup.sh doctor --json > logs/doctor.json
    # A new process session survives the device call that started it (the device kills the rest when a call returns).
    setsid nohup bash "$self" run "$bundle" "$@" > logs/reproduce.log 2>&1 < /dev/null &
    # TorchSharp exposes no CUDA memory statistics: the driver's figure every 5 s gives the peak and its flatness.
    setsid nohup nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 5 > logs/gpu-memory.csv 2>/dev/null < /dev/null &
    echo "started; poll with: bash $self status $bundle"
    ;;
  run)
    for item in "$@"; do
      name=${item%%:*}; seeds=${item#*:}; [ "$seeds" = "$item" ] && seeds=3
      echo "== $name ($seeds seeds) $(date -Is)"
      start=$(date +%s)
      ./run-clipup.sh experiment run "$name" --profile "$profile" --seeds "$seeds" --results results || echo "== $name FAILED (exit $?)"
      echo "== $name wall seconds $(( $(date +%s) - start ))"
      ./run-clipup.sh experiment report "$name" --profile "$profile" --results results || true
    done
    echo "== all done $(date -Is)"
    ;;
  status)
    grep -E '^==|step [0-9]+/' logs/reproduce.log | tail -n 15 || true
    tail -n 1 logs/gpu-memory.csv 2>/dev/null || true
    ;;
  collect)
    out=${1:?usage: reproduce.sh collect BUNDLE OUT}
    tar -czf "$out/results.tar.gz" --exclude='*/runs/*' --exclude='*/_data/*' results logs
    ls -l "$out"
    ;;
  *) echo "unknown verb $verb: use start, status or collect" >&2; exit 2 ;;
esac
