#!/bin/sh
# ctest entry: compiles the VS Code extension's TypeScript in a copy under the
# build tree. Uses editor/vscode/node_modules when present, else `npm ci`
# into the copy. Exits 77 (skipped) without node/npm or without the registry.
#   vscode_compile.sh EXTENSION_DIR WORK_DIR
set -u
ext=$1
work=$2
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
  { echo "node/npm not found: skipped"; exit 77; }
mkdir -p "$work" || exit 1
rm -rf "$work/src" "$work/out"
cp -R "$ext/src" "$ext/tsconfig.json" "$ext/package.json" "$ext/package-lock.json" "$work/" || exit 1
if [ -d "$ext/node_modules" ]; then
  rm -rf "$work/node_modules"
  ln -s "$ext/node_modules" "$work/node_modules"
elif [ ! -d "$work/node_modules" ] || ! cmp -s "$ext/package-lock.json" "$work/installed.lock"; then
  rm -rf "$work/node_modules"
  if ! (cd "$work" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts); then
    echo "npm ci failed (registry unreachable?): skipped"
    exit 77
  fi
  cp "$ext/package-lock.json" "$work/installed.lock"
fi
cd "$work" && npm run --silent compile || exit 1
grep -q "exports.activate" out/extension.js || { echo "out/extension.js lacks activate"; exit 1; }
echo "compiled $work/out/extension.js"
