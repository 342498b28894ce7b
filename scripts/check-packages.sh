#!/usr/bin/env bash
# What a stranger gets from npm, checked on the tarballs themselves: packs every public package as it
# would be published (`pnpm pack`, whose prepack builds from clean and whose publishConfig drops the
# development-only `source` condition), lints them (publint --strict; attw under its esm-only profile;
# scripts/check-tarball.ts), installs them with npm into a fresh project outside the workspace,
# typechecks a strict consumer (skipLibCheck: false) under node16, nodenext, bundler and as a browser
# page without Node types, and runs a round trip (server + client, one message each way) and a
# require() of every package from the installed copies. KEEP_PACKAGE_CHECK=1 keeps its temp folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PACKAGES=(core node-server redis-adapter browser)
BIN="$ROOT/node_modules/.bin"

step() { printf '[check:packages %3ss] %s\n' "$SECONDS" "$*" >&2; }
# quietly LOG CMD...: runs CMD with its output in LOG, shown only if it fails.
quietly() {
  local log="$1"; shift
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; step "failed: $*"; return 1; fi
}

work="$(mktemp -d "${TMPDIR:-/tmp}/corows-packages-XXXXXX")"
if [ -n "${KEEP_PACKAGE_CHECK:-}" ]; then step "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/tarballs" "$work/logs"

for name in "${PACKAGES[@]}"; do
  step "pack @corows/$name (prepack: a clean build)"
  quietly "$work/logs/pack-$name.log" pnpm --dir "packages/$name" pack --pack-destination "$work/tarballs"
done

for tarball in "$work"/tarballs/*.tgz; do
  base="$(basename "$tarball" .tgz)"
  step "lint $base: publint --strict, attw --profile esm-only"
  quietly "$work/logs/publint-$base.log" "$BIN/publint" run "$tarball" --strict
  quietly "$work/logs/attw-$base.log" "$BIN/attw" "$tarball" --profile esm-only --format ascii --no-color --no-emoji
  mkdir -p "$work/unpacked/$base"
  tar xzf "$tarball" -C "$work/unpacked/$base"
done
node --import tsx scripts/check-tarball.ts "$work"/unpacked/*/package

step "install the tarballs with npm into a fresh project ($work/consumer)"
mkdir -p "$work/consumer"
cp scripts/consumer/* "$work/consumer/"
cd "$work/consumer"
printf '{ "name": "corows-consumer", "private": true, "type": "module" }\n' >package.json
quietly "$work/logs/npm-install.log" npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
nested="$(find node_modules/@corows -path '*/node_modules/@corows/*' -print -quit)"
if [ -n "$nested" ]; then step "a second copy of a corows package was installed: $nested"; exit 1; fi

step "typecheck a strict consumer: tsconfig.node16.json (and emit the round trip run below)"
"$BIN/tsc" -p tsconfig.node16.json --noEmit false
for config in nodenext bundler browser; do
  step "typecheck a strict consumer: tsconfig.$config.json"
  "$BIN/tsc" -p "tsconfig.$config.json"
done

step "round trip and require() from the installed packages"
node out/round-trip.js
node require.cjs
step "ok"
