#!/usr/bin/env bash
# Installs onnxruntime-node (Microsoft's ONNX runtime for node, its CPU
# runtime inside the package) outside the clone and keyed by version, so that
# a second run (or CI with a cached ~/.cache) reuses it. The export tests run
# exported models in it: an ONNX runtime FiveR shares no code with. Prints the
# install folder (holding node_modules/) on stdout; progress goes to stderr.
#
#   tools/install_onnxruntime.sh            # install if missing, print folder
#
# Why --ignore-scripts: the package's install script fetches optional builds
# (CUDA, TensorRT) from outside the package registries; the CPU runtime that
# the tests use is in the package itself.
set -euo pipefail

ONNXRUNTIME_VERSION=${ONNXRUNTIME_VERSION:-1.20.1}
cache=${FIVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fiver}
prefix=$cache/onnxruntime-node-$ONNXRUNTIME_VERSION

log() { echo "install_onnxruntime: $*" >&2; }

if [ -f "$prefix/.installed" ]; then
  echo "$prefix"
  exit 0
fi

command -v node >/dev/null && command -v npm >/dev/null || {
  log "node and npm are required"
  exit 2
}

mkdir -p "$cache"
# One installer at a time; the others wait and then find it installed.
exec 9>"$cache/onnxruntime.lock"
flock 9
if [ -f "$prefix/.installed" ]; then
  echo "$prefix"
  exit 0
fi

work=$(mktemp -d "$cache/.onnxruntime-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

log "installing onnxruntime-node@$ONNXRUNTIME_VERSION"
echo '{"name": "fiver-onnx-check", "private": true}' >"$work/package.json"
(cd "$work" && npm install --ignore-scripts --no-save "onnxruntime-node@$ONNXRUNTIME_VERSION" >&2)
# The runtime must load: a package without this platform's binary fails here.
(cd "$work" && node -e 'require("onnxruntime-node")' >&2) || {
  log "onnxruntime-node@$ONNXRUNTIME_VERSION does not load on this machine"
  exit 1
}

touch "$work/.installed"
rm -rf "$prefix"
mv "$work" "$prefix"
trap - EXIT
log "installed in $prefix"
echo "$prefix"
