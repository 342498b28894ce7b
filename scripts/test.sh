#!/usr/bin/env bash
# Every test of corows, from a fresh machine with only Node 20 and npm: installs what is missing
# (scripts/ensure-tools.sh), then typechecks, generates the API reference (TypeDoc, warnings are
# errors), checks every README code block, builds, runs every benchmark row tiny (so the bench never
# rots; it asserts nothing about speed), the unit and integration tests (also against the oldest ws
# the packages admit), the contract suite over every pairing of runtimes (the built packages on Node,
# Bun, Deno, Chromium and Python's websockets), the end-to-end suite (the built browser bundle in
# Debian's Chromium against a real server), and checks the packages as npm users get them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"

log "typecheck"
pnpm typecheck
log "API reference: docs/api (TypeDoc; a warning fails)"
pnpm run docs
log "README code blocks: typechecked, the runnable ones run, the troubleshooting messages produced"
pnpm check:docs
log "build"
pnpm build
log "bench smoke run: every row of pnpm bench and pnpm bench:scale, tiny (seconds)"
pnpm bench:smoke
log "unit and integration tests (real servers on 127.0.0.1)"
pnpm test:unit
log "unit tests of core and node-server against the oldest ws their range admits"
pnpm test:ws-range
log "contract suite over every pairing of runtimes (Node, Bun, Deno, Chromium, Python websockets)"
pnpm test:runtimes
log "end-to-end tests (Playwright: the browser bundle in Chromium, a real server, the demo page)"
pnpm test:e2e
log "the packages as npm users get them: pack, publint, attw, a strict consumer in node16/nodenext/bundler, a round trip"
pnpm check:packages
