#!/usr/bin/env bash
# The unit suite of core and node-server against the OLDEST `ws` their package.json ranges admit (the
# lockfile gives the newest, which the ordinary run tests). corows touches `ws`'s private members in two
# files (core's ws-internals.ts, node-server's prepared-message.ts), each behind a feature check: this
# run proves both paths on the versions users can get. It points the workspace's `ws` links at a copy of
# the oldest version for the run, and puts them back afterwards, whatever happens.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

range="$(node -p "require('./packages/core/package.json').dependencies.ws")"
server_range="$(node -p "require('./packages/node-server/package.json').dependencies.ws")"
if [ "$range" != "$server_range" ]; then
  echo "test-ws-range: core (ws $range) and node-server (ws $server_range) must declare the same range" >&2
  exit 1
fi
oldest="${range#^}"
case "$oldest" in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "test-ws-range: cannot read the oldest version of the range \"$range\" (expected ^X.Y.Z)" >&2; exit 1 ;;
esac

copy="$(mktemp -d)"
npm install --prefix "$copy" --no-save --no-package-lock --no-audit --no-fund "ws@$oldest" >/dev/null
links=(packages/core/node_modules/ws packages/node-server/node_modules/ws node_modules/.pnpm/isomorphic-ws@*/node_modules/ws)
declare -A before
for link in "${links[@]}"; do before[$link]="$(readlink "$link")"; done
restore() {
  for link in "${links[@]}"; do ln -sfn "${before[$link]}" "$link"; done
  rm -rf "$copy"
}
trap restore EXIT
for link in "${links[@]}"; do ln -sfn "$copy/node_modules/ws" "$link"; done

echo "unit tests of core and node-server against ws $(node -p "require('$copy/node_modules/ws/package.json').version") (the oldest of $range)"
node --conditions=source --import tsx --test --test-reporter=spec packages/core/test/*.test.ts packages/node-server/test/*.test.ts
