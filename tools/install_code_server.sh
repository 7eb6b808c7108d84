#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) and puppeteer-core, the
# pieces of the browser test of the VS Code extension, outside the clone and
# keyed by version, so that a second run (or CI with a cached ~/.cache) reuses
# them. Prints the install folder on stdout; progress goes to stderr.
#
#   tools/install_code_server.sh            # install if missing, print folder
#
# Why it is not a plain `npm install -g code-server`:
#   * code-server >= 4.100 needs node 24; Debian's node is 20, so 4.99.x.
#   * @vscode/ripgrep's install script downloads its binary from GitHub, which
#     is not a package registry: every install script is skipped, the native
#     modules are rebuilt by name, and Debian's ripgrep stands in for the
#     downloaded binary.
#   * argon2's node-pre-gyp would download a prebuilt binary: it is built
#     from source instead.
#   * node-gyp would download node's headers: Debian's nodejs ships them in
#     /usr/include/node (npm_config_nodedir=/usr).
# The native modules need libkrb5-dev libxkbfile-dev libsecret-1-dev
# libx11-dev; the test itself needs chromium. tools/bootstrap.sh --editor
# installs those.
set -euo pipefail

CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.99.4}
PUPPETEER_VERSION=${PUPPETEER_VERSION:-24.43.1}
cache=${FIVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fiver}
prefix=$cache/code-server-$CODE_SERVER_VERSION-puppeteer-$PUPPETEER_VERSION

log() { echo "install_code_server: $*" >&2; }

if [ -f "$prefix/.installed" ]; then
  echo "$prefix"
  exit 0
fi

command -v node >/dev/null && command -v npm >/dev/null || {
  log "node and npm are required"
  exit 2
}
rg=$(command -v rg) || {
  log "ripgrep (Debian package ripgrep) is required"
  exit 2
}

mkdir -p "$cache"
# One installer at a time; the others wait and then find it installed.
exec 9>"$cache/code-server.lock"
flock 9
if [ -f "$prefix/.installed" ]; then
  echo "$prefix"
  exit 0
fi

work=$(mktemp -d "$cache/.code-server-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
export npm_config_nodedir=/usr npm_config_fund=false \
  npm_config_audit=false npm_config_update_notifier=false
# node-pty's build script runs node-gyp through npx, which asks before installing.
export npm_config_yes=true

log "installing code-server@$CODE_SERVER_VERSION and puppeteer-core@$PUPPETEER_VERSION"
echo '{"name": "fiver-editor-test", "private": true}' >"$work/package.json"
(cd "$work" && npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION" \
    "puppeteer-core@$PUPPETEER_VERSION" >&2)

# code-server's password hashing is native; node-pre-gyp would download it.
log "building argon2"
(cd "$work" && npm_config_build_from_source=true npm rebuild argon2 >&2)

# What code-server's postinstall.sh does, without the downloads.
vscode=$work/node_modules/code-server/lib/vscode
log "installing VS Code's own dependencies"
(cd "$vscode" && npm install --unsafe-perm --ignore-scripts --omit=dev >&2)
(cd "$vscode/extensions" && npm install --unsafe-perm --ignore-scripts --omit=dev >&2)
for native in @vscode/spdlog node-pty native-watchdog kerberos @parcel/watcher; do
  if [ -d "$vscode/node_modules/$native" ]; then
    log "building $native"
    (cd "$vscode" && npm rebuild --foreground-scripts "$native" >&2)
  fi
done
mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
ln -sf "$rg" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$vscode/node_modules.asar"
(cd "$vscode/bin/remote-cli" && ln -sf code-linux.sh code-server)
(cd "$vscode/bin/helpers" && ln -sf browser-linux.sh browser.sh)

touch "$work/.installed"
rm -rf "$prefix"
mv "$work" "$prefix"
trap - EXIT
log "installed in $prefix"
echo "$prefix"
