#!/usr/bin/env bash
# Installs what corows' commands need and a fresh machine (Node 20 + npm) lacks: pnpm at the version
# package.json pins, the workspace's packages (Bun and Deno among them: root devDependencies whose
# binaries come in npm platform packages), and, where the tests need them, Debian's chromium,
# python3-websockets, redis-server, redis-cli (the Redis Cluster tests), haproxy (the load-balancer
# tests, with examples/haproxy/haproxy.cfg), openssl and util-linux's script (a pseudo-terminal for the
# CLI's tests). Sourced by start.sh and test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Plain text when the output is not a terminal (a log file, a CI console): tools that color their
# output (rollup, Playwright, …) honour NO_COLOR, and our own log lines are bold only on a terminal.
if [ ! -t 1 ] || [ ! -t 2 ]; then export NO_COLOR=1; fi
if [ -t 2 ]; then
  log() { printf '\033[1m[corows]\033[0m %s\n' "$*" >&2; }
else
  log() { printf '[corows] %s\n' "$*" >&2; }
fi

ensure_pnpm() {
  local want
  want="$(node -p "require('./package.json').packageManager.split('@')[1]")"
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return; fi
  log "installing pnpm@$want with npm"
  if ! npm install --global --no-fund --no-audit "pnpm@$want" >/dev/null 2>&1; then
    log "global install refused; using a local copy under .cache/"
    npm install --prefix "$ROOT/.cache/pnpm" --no-fund --no-audit "pnpm@$want" >/dev/null
    export PATH="$ROOT/.cache/pnpm/node_modules/.bin:$PATH"
  fi
}

# Installs the workspace's packages, unless the last install already matches the lockfile and no
# package.json changed since (a second `npm start` then costs nothing here).
ensure_node_modules() {
  if [ -n "${CI:-}" ]; then
    pnpm install --frozen-lockfile
    return
  fi
  if cmp -s pnpm-lock.yaml node_modules/.pnpm/lock.yaml && [ -f node_modules/.modules.yaml ] &&
    [ -z "$(find package.json packages/*/package.json examples/package.json demo/package.json e2e/package.json bench/package.json \
      -newer node_modules/.modules.yaml -print -quit 2>/dev/null)" ]; then
    return
  fi
  log "installing the workspace's packages (pnpm install)"
  pnpm install --prefer-offline
}

# ensure_debian_packages CMD:PACKAGE ... installs each PACKAGE whose CMD check fails.
ensure_debian_packages() {
  local missing=() pair check pkg
  for pair in "$@"; do
    check="${pair%%:*}"; pkg="${pair#*:}"
    if ! eval "$check" >/dev/null 2>&1; then missing+=("$pkg"); fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]}, and cannot install them here (need root and apt-get); tests that use them will say so"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  if [ ! -f /tmp/.corows-apt-updated ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && touch /tmp/.corows-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_pnpm
ensure_node_modules
if [ "${COROWS_SYSTEM_PACKAGES:-1}" = 1 ]; then
  ensure_debian_packages \
    "/usr/bin/python3 -c 'import websockets'":python3-websockets \
    "command -v openssl":openssl \
    "command -v script":bsdutils \
    'test -x "${REDIS_SERVER-/usr/bin/redis-server}" || command -v redis-server':redis-server \
    'test -x "${REDIS_CLI-/usr/bin/redis-cli}" || command -v redis-cli':redis-tools \
    'test -x "${HAPROXY-/usr/sbin/haproxy}" || command -v haproxy':haproxy \
    'test -x "${CHROMIUM_PATH-/usr/bin/chromium}"':chromium \
    "test -d /usr/share/fonts/truetype/dejavu":fonts-dejavu-core
fi
