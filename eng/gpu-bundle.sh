#!/usr/bin/env bash
# Builds a portable ClipUp bundle for a Linux x64 machine that has PyTorch (with CUDA) but no .NET:
# a self-contained publish of the `clipup` CLI without TorchSharp's bundled CPU libtorch, plus run-clipup.sh, which
# points the loader at that machine's torch/lib. See environment.md, "GPU".
#   eng/gpu-bundle.sh [--out DIR] [--data flickr8k,fashion,cifar10] [--tar] [--slim]
# --data copies those folders of ../shared/data into DIR/data (runs on the GPU machine cannot see ../shared).
# --slim makes a bundle small enough to travel beside the checkout to a lent device (64 MiB for both): the .NET
#   framework trimmed to what ClipUp uses (TrimMode=partial: ClipUp's, TorchSharp's and every other package's own
#   assemblies stay whole), no debugger libraries, symbols or XML docs, no notebook engine (Roslyn) and no ONNX Runtime
#   (the MoDE sentence embedder); --tar then writes DIR.tar.xz. Every other command works (eng/gpu/check.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/.bundle/clipup"; data=""; tar=0; slim=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --tar) tar=1; shift ;;
    --slim) slim=1; shift ;;
    *) echo "usage: eng/gpu-bundle.sh [--out DIR] [--data a,b] [--tar] [--slim]" >&2; exit 2 ;;
  esac
done
rm -rf "$out"; mkdir -p "$out"
# The trimmer's outputs under obj/ survive a switch between --slim and a full bundle (and a changed feature switch):
# start that publish from scratch.
rm -rf "$here/src/ClipUp.Cli/obj/Release/net10.0/linux-x64"
echo "publishing self-contained linux-x64 build to $out" >&2
trim=()
[ "$slim" = 1 ] && trim=(-p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -p:ILLinkTreatWarningsAsErrors=false -p:JsonSerializerIsReflectionEnabledByDefault=true -p:DebugType=none)
DOTNET_NOLOGO=1 dotnet publish "$here/src/ClipUp.Cli/ClipUp.Cli.csproj" -c Release -r linux-x64 --self-contained \
  -p:InvariantGlobalization=true "${trim[@]}" -o "$out/app" -nologo -v:q >&2
# Drop the CPU libtorch that TorchSharp-cpu brings (~500 MB); keep TorchSharp's own glue library and our shim.
find "$out/app" -maxdepth 1 -type f \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libgomp*.so*' \
  -o -name 'libshm*.so*' -o -name 'libnnapi*.so*' -o -name 'libjitbackend*.so*' -o -name 'libbackend_with*.so*' \
  -o -name 'libaoti*.so*' \) -delete
if [ "$slim" = 1 ]; then
  find "$out/app" -type f \( -name 'libonnxruntime*.so*' -o -name 'Microsoft.CodeAnalysis*.dll' -o -name '*.pdb' -o -name '*.xml' \
    -o -name createdump -o -name 'libmscordaccore.so' -o -name 'libmscordbi.so' -o -name 'libclrgc*.so' \
    -o -name 'libcoreclrtraceptprovider.so' \) -delete
  find "$out/app" -mindepth 1 -type d -empty -delete
fi
cp "$here/eng/run-clipup.sh" "$out/run-clipup.sh"; chmod +x "$out/run-clipup.sh"
if [ -n "$data" ]; then
  IFS=, read -ra sets <<<"$data"
  for s in "${sets[@]}"; do
    [ -d "$here/../shared/data/$s" ] || { echo "no data set '$s' under ../shared/data" >&2; exit 2; }
    mkdir -p "$out/data"; cp -r "$here/../shared/data/$s" "$out/data/"
  done
fi
du -sh "$out" >&2
if [ "$tar" = 1 ] && [ "$slim" = 1 ]; then
  tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -9e -T0 > "$out.tar.xz"; du -h "$out.tar.xz" >&2; echo "$out.tar.xz"
elif [ "$tar" = 1 ]; then tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"; echo "$out.tar.gz"; else echo "$out"; fi
