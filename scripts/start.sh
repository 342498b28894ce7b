#!/usr/bin/env bash
# The main job: the seed's full example, from a fresh machine with only Node 20 and npm.
set -euo pipefail
COROWS_SYSTEM_PACKAGES=0 source "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"

log "the seed's example (综合使用)"
pnpm example
