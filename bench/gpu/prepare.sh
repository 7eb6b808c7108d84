#!/usr/bin/env bash
# Gathers, on the development machine (Debian 12, after tools/bootstrap.sh and a
# build), everything a GPU machine needs to build and benchmark FiveR when it has
# an NVIDIA GPU, PyTorch 2.x with CUDA, CMake, ninja and nvcc but no package
# registry and no Java:
#   .gpu-payload/debs/     Debian packages it lacks (unpacked there by run.sh)
#   .gpu-payload/antlr/    the parser generated from grammar/FiveR.g4
#   .gpu-payload/data/     the Fashion-MNIST files
#   .gpu-payload/text/     the fortunes corpus (recipes/text/gpu.5r)
# The folder is ignored by git and stays under 60 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."

payload=.gpu-payload
limit_mib=60
# Build-time libraries, headers and CMake configs. LLVM is left out (the GPU
# build uses NVRTC; its CPU kernels fall back to eager), and so is LibTorch
# (the machine's PyTorch provides it).
packages=(
  libantlr4-runtime-dev libantlr4-runtime4.9
  libyaml-cpp-dev libyaml-cpp0.7
  libboost1.74-dev
  nlohmann-json3-dev libcli11-dev
  libfmt-dev libfmt9 libspdlog-dev libspdlog1.10
  libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian
  libturbojpeg0-dev libturbojpeg0
  zlib1g-dev zlib1g
  uuid-dev libuuid1
)
fmnist=/usr/share/datasets/fashion-mnist

generated=build/grammar/generated
if [[ ! -f $generated/FiveRParser.cpp ]]; then
  echo "prepare: $generated is missing; run tools/bootstrap.sh and build first" >&2
  exit 1
fi
if [[ ! -d $fmnist ]]; then
  echo "prepare: $fmnist is missing; install dataset-fashion-mnist" >&2
  exit 1
fi

rm -rf "$payload"
mkdir -p "$payload/debs" "$payload/antlr" "$payload/data" "$payload/text"
# apt-get download writes into the current folder as the _apt user when it can.
(cd "$payload/debs" && apt-get download "${packages[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for p in "${packages[@]}"; do
  ls "$payload/debs/${p}"_*.deb >/dev/null 2>&1 || { echo "prepare: could not download $p" >&2; exit 1; }
done
cp "$generated"/FiveR{Lexer,Parser,Visitor,BaseVisitor}.{cpp,h} "$payload/antlr/"
cp "$fmnist"/*-ubyte.gz "$payload/data/"
cp -rL /usr/share/games/fortunes/. "$payload/text/"

size_mib=$(du -sm "$payload" | cut -f1)
echo "prepare: $payload holds $(ls "$payload/debs" | wc -l) packages, the generated parser and Fashion-MNIST: ${size_mib} MiB"
if ((size_mib > limit_mib)); then
  echo "prepare: $payload is over ${limit_mib} MiB" >&2
  exit 1
fi
