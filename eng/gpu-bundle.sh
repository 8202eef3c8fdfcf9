#!/usr/bin/env bash
# Builds a portable ClipUp bundle for a Linux x64 machine that has PyTorch (with CUDA) but no .NET:
# a self-contained publish of the `clipup` CLI without TorchSharp's bundled CPU libtorch, plus run-clipup.sh, which
# points the loader at that machine's torch/lib. See environment.md, "GPU".
#   eng/gpu-bundle.sh [--out DIR] [--data flickr8k,fashion,cifar10] [--tar]
# --data copies those folders of ../shared/data into DIR/data (runs on the GPU machine cannot see ../shared).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/.bundle/clipup"; data=""; tar=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --tar) tar=1; shift ;;
    *) echo "usage: eng/gpu-bundle.sh [--out DIR] [--data a,b] [--tar]" >&2; exit 2 ;;
  esac
done
rm -rf "$out"; mkdir -p "$out"
echo "publishing self-contained linux-x64 build to $out" >&2
DOTNET_NOLOGO=1 dotnet publish "$here/src/ClipUp.Cli/ClipUp.Cli.csproj" -c Release -r linux-x64 --self-contained \
  -p:InvariantGlobalization=true -o "$out/app" -nologo -v:q >&2
# Drop the CPU libtorch that TorchSharp-cpu brings (~500 MB); keep TorchSharp's own glue library and our shim.
find "$out/app" -maxdepth 1 -type f \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' \
  -o -name 'libshm*.so*' -o -name 'libnnapi*.so*' -o -name 'libjitbackend*.so*' -o -name 'libbackend_with*.so*' \
  -o -name 'libaoti*.so*' \) -delete
cp "$here/eng/run-clipup.sh" "$out/run-clipup.sh"; chmod +x "$out/run-clipup.sh"
if [ -n "$data" ]; then
  IFS=, read -ra sets <<<"$data"
  for s in "${sets[@]}"; do
    [ -d "$here/../shared/data/$s" ] || { echo "no data set '$s' under ../shared/data" >&2; exit 2; }
    mkdir -p "$out/data"; cp -r "$here/../shared/data/$s" "$out/data/"
  done
fi
du -sh "$out" >&2
if [ "$tar" = 1 ]; then tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"; echo "$out.tar.gz"; else echo "$out"; fi
