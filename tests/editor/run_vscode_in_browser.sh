#!/bin/sh
# ctest entry for the VS Code test: the extension in editor/vscode, compiled
# and installed into code-server, driven by headless Chromium. Exits 77
# (skipped) only without node or chromium; installs code-server once, outside
# the clone (tools/install_code_server.sh).
#   run_vscode_in_browser.sh SOURCE_DIR LSP_BINARY WORK_DIR
set -u
src=$1
lsp=$2
work=$3
command -v node >/dev/null 2>&1 || { echo "node not found: skipped"; exit 77; }
chromium=$(command -v chromium || command -v chromium-browser) ||
  { echo "chromium not found (Debian package chromium): skipped"; exit 77; }

prefix=$("$src/tools/install_code_server.sh") || { echo "code-server could not be installed"; exit 1; }

# The extension: compiled TypeScript plus what the package ships.
ext=$work/extension
sh "$src/tests/lsp/vscode_compile.sh" "$src/editor/vscode" "$ext" || exit $?
cp -R "$src/editor/vscode/syntaxes" "$src/editor/vscode/language-configuration.json" "$ext/" || exit 1

run=$work/run
rm -rf "$run"
mkdir -p "$run/extensions" "$run/user-data/User" "$run/workspace" "$run/logs" || exit 1
ln -s "$ext" "$run/extensions/fiver.fiver-0.1.0"
cp "$src/tests/editor/wrong_triple.5r" "$run/workspace/"
cat >"$run/user-data/User/settings.json" <<JSON
{
  "fiver.serverPath": "$lsp",
  "fiver.stdlib": "$src/stdlib",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "editor.hover.delay": 200
}
JSON

CODE_SERVER_PREFIX=$prefix CHROMIUM=$chromium WORKSPACE=$run/workspace \
  USER_DATA_DIR=$run/user-data EXTENSIONS_DIR=$run/extensions \
  SCREENSHOT=$work/vscode-in-browser.png LOG_DIR=$run/logs HOME=$run \
  timeout 170 node "$src/tests/editor/vscode_in_browser.js"
