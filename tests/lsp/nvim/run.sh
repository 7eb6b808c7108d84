#!/bin/sh
# ctest entry for the Neovim end-to-end test: exits 77 (skipped) without nvim.
#   run.sh LSP_BINARY STDLIB_DIR
command -v nvim >/dev/null 2>&1 || { echo "nvim not found: skipped"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
cp "$here/error.5r" "$work/error.5r"
FIVER_LSP="$1" FIVER_STDLIB="$2" FIVER_RECIPE="$work/error.5r" HOME="$work" \
  timeout 60 nvim --headless --clean -u NONE -i NONE -n -c "luafile $here/e2e.lua"
