#!/usr/bin/env bash
# Launches the bundled `clipup` against an existing libtorch (the CUDA build inside a PyTorch install).
# libtorch is found from $CLIPUP_LIBTORCH (a torch/lib folder), else by asking `python3 -c "import torch"`
# ($CLIPUP_PYTHON picks the interpreter, e.g. /opt/torch/.venv/bin/python).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lib=${CLIPUP_LIBTORCH:-}
if [ -z "$lib" ]; then
  py=${CLIPUP_PYTHON:-python3}
  lib=$("$py" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null) || {
    echo "run-clipup: no libtorch found: set CLIPUP_LIBTORCH to a PyTorch's torch/lib folder, or CLIPUP_PYTHON to a python with torch installed" >&2
    exit 2; }
fi
if [ ! -f "$lib/libtorch_cpu.so" ]; then
  echo "run-clipup: '$lib' is not a libtorch folder (no libtorch_cpu.so): set CLIPUP_LIBTORCH to <python site-packages>/torch/lib" >&2
  exit 2
fi
# TorchSharp 0.107 is built against libtorch 2.10; later 2.x releases have worked (2.11 + CUDA 13 on an H200, 2026-12-04), 1.x never does.
ver=""
[ -f "$lib/../version.py" ] && ver=$(sed -n "s/^__version__ = '\(.*\)'/\1/p" "$lib/../version.py")
case "$ver" in
  ""|2.1[0-9]*|2.[2-9][0-9]*) ;;
  *) echo "run-clipup: libtorch $ver in '$lib' is older than 2.10, which TorchSharp 0.107 needs: use PyTorch >= 2.10" >&2; exit 2 ;;
esac
export LD_LIBRARY_PATH="$lib:$here/app${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# TorchSharp frees Scalars in finalizers and libtorch may still read them: rare collections make that race rare
# (src/ClipUp/Runtime/Scalars.cs).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x10000000}
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export CLIPUP_LIBTORCH_VERSION="$ver"
exec "$here/app/ClipUp.Cli" "$@"
