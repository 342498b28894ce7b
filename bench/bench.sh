#!/usr/bin/env bash
# Runs the bench (bench/src/main.ts), or with `scale` first the scale bench (bench/src/scale.ts); pass
# --smoke for the seconds-long check that CI runs. Raises the open-file limit first: the idle and
# broadcast rows hold 10,000 connections per process, the scale bench up to 17,000.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10300 ]; then
  ulimit -n 10300 2>/dev/null || echo "bench: cannot raise the open-file limit above $(ulimit -n); the 10,000-connection rows will use fewer" >&2
fi
export BENCH_FD_LIMIT="$(ulimit -n)"
# The bench measures the built packages, as users get them.
ENTRY=src/main.ts
if [ "${1:-}" = scale ]; then
  ENTRY=src/scale.ts
  shift
fi
for pkg in core node-server redis-adapter; do
  if [ ! -f "$HERE/../packages/$pkg/dist/index.js" ]; then
    echo "bench: packages/$pkg is not built; run pnpm build first (pnpm bench does)" >&2
    exit 1
  fi
done
cd "$HERE"
exec node --import tsx "$ENTRY" "$@"
