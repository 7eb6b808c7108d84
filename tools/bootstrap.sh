#!/usr/bin/env bash
# Installs what FiveR needs from Debian 12's packages (only what is missing, so
# it is safe to run again) and configures the build folder `build/`.
#   tools/bootstrap.sh [--editor]
# It also installs onnxruntime-node (tools/install_onnxruntime.sh, into
# ~/.cache/fiver), the independent ONNX runtime the export tests check with.
# --editor also installs what the VS Code test needs (chromium, the headers
# code-server's native modules build against, ripgrep) and code-server itself
# (tools/install_code_server.sh, into ~/.cache/fiver).
set -euo pipefail
cd "$(dirname "$0")/.."
editor=false
[[ "${1:-}" == "--editor" ]] && editor=true

packages=(
  cmake ninja-build g++ ccache pkg-config git
  antlr4 libantlr4-runtime-dev
  libtorch-dev libopenblas-dev libgloo-dev
  llvm-14-dev llvm-14-tools
  clang-14 libclang-rt-14-dev # the libFuzzer target (tests/fuzz), built with clang
  libyaml-cpp-dev libboost-graph-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libspdlog-dev zlib1g-dev libturbojpeg0-dev
  libonnx-dev libprotobuf-dev # ONNX import and export
  python3-onnx python3-torch python3-torchvision # the ONNX tests' reference models
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox neovim
  dataset-fashion-mnist
  fortunes # the text of the fortunes_text task (/usr/share/games/fortunes)
)

if $editor; then
  packages+=(chromium ripgrep libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm install onnxruntime-node (below); any node will do, so Debian's
# is installed only when there is none (another node's npm conflicts with it).
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The ANTLR tool is a Java program; Debian's antlr4 package pulls in a JRE.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "bootstrap: build/ configured"
tools/install_onnxruntime.sh >/dev/null
echo "bootstrap: onnxruntime-node installed for the export tests"
if $editor; then
  tools/install_code_server.sh >/dev/null
  echo "bootstrap: code-server installed for the VS Code test"
fi
