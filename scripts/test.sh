#!/usr/bin/env bash
# Every test of corows, from a fresh machine with only Node 20 and npm: installs what is missing
# (scripts/ensure-tools.sh), then typechecks, builds, runs every benchmark row tiny (so the bench never
# rots; it asserts nothing about speed), the unit and integration tests, and the end-to-end suite (the
# built browser bundle in Debian's Chromium against a real server).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"

log "typecheck"
pnpm typecheck
log "build"
pnpm build
log "bench smoke run: every row of pnpm bench and pnpm bench:scale, tiny (seconds)"
pnpm bench:smoke
log "unit and integration tests (real servers on 127.0.0.1)"
pnpm test:unit
log "end-to-end tests (Playwright: the browser bundle in Chromium, a real server, the demo page)"
pnpm test:e2e
