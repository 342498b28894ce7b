#!/usr/bin/env bash
# The main job: the seed's full example, then the chat demo in the browser (until Ctrl-C), from a
# fresh machine with only Node 20 and npm. A second run skips what is already done: the install when
# nothing changed, the browser bundle when it is newer than everything it is built from.
set -euo pipefail
COROWS_SYSTEM_PACKAGES=0 source "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"

# True if the browser bundle the demo page loads is missing or older than one of its sources.
browser_bundle_is_stale() {
  local out
  for out in packages/browser/dist/corows.js packages/browser/dist/corows.min.js packages/browser/dist/corows.d.ts; do
    [ -f "$out" ] || return 0
    if [ -n "$(find packages/core/src packages/core/package.json packages/core/tsconfig.build.json \
      packages/browser/package.json packages/browser/rollup.config.mjs tsconfig.base.json pnpm-lock.yaml \
      -newer "$out" -print -quit)" ]; then
      return 0
    fi
  done
  return 1
}

log "the seed's example (综合使用)"
pnpm --silent example

if browser_bundle_is_stale; then
  log "building the browser bundle the demo page loads (core, then rollup; up to a minute, skipped next time if nothing changed)"
  pnpm --silent --filter '@corows/browser...' build >/dev/null
fi
log "the chat demo: open the address below in a browser, in two tabs to chat (Ctrl-C to stop)"
exec pnpm --silent --filter @corows/demo start
