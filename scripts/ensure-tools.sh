#!/usr/bin/env bash
# Installs what corows' commands need and a fresh machine (Node 20 + npm) lacks: pnpm at the version
# package.json pins, the workspace's packages (Bun and Deno among them: root devDependencies whose
# binaries come in npm platform packages), and, where the tests need them, Debian's chromium,
# python3-websockets, redis-server and openssl. Sourced by start.sh and test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\033[1m[corows setup]\033[0m %s\n' "$*" >&2; }

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

ensure_node_modules() {
  if [ -n "${CI:-}" ]; then
    pnpm install --frozen-lockfile
  else
    pnpm install --prefer-offline
  fi
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
    'test -x "${REDIS_SERVER-/usr/bin/redis-server}" || command -v redis-server':redis-server \
    'test -x "${CHROMIUM_PATH-/usr/bin/chromium}"':chromium \
    "test -d /usr/share/fonts/truetype/dejavu":fonts-dejavu-core
fi
