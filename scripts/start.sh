#!/usr/bin/env bash
# The main job: the seed's full example, then the chat demo in the browser (until Ctrl-C), from a
# fresh machine with only Node 20 and npm.
set -euo pipefail
COROWS_SYSTEM_PACKAGES=0 source "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"

log "the seed's example (综合使用)"
pnpm example

log "build (the browser bundle the demo page loads)"
pnpm --silent build >/dev/null
log "the chat demo: open the address below in a browser, in two tabs to chat (Ctrl-C to stop)"
exec pnpm --silent --filter @corows/demo start
