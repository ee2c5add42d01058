#!/usr/bin/env bash
# swift-format for the package: `format.sh` rewrites in place, `format.sh --check` fails when any
# file would change (test.sh runs the check).
set -euo pipefail
backend="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$backend"
if [ "${1:-}" = "--check" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/Benchmarks"
  cp -r Sources Tests "$work/"
  cp -r Benchmarks/Sources "$work/Benchmarks/"
  swift format format --in-place --recursive --configuration .swift-format "$work/Sources" "$work/Tests" "$work/Benchmarks/Sources"
  if ! diff -ru Sources "$work/Sources" >"$work/diff" || ! diff -ru Tests "$work/Tests" >>"$work/diff" \
    || ! diff -ru Benchmarks/Sources "$work/Benchmarks/Sources" >>"$work/diff"; then
    head -60 "$work/diff"
    echo "swift-format: files above are not formatted; run backend/scripts/format.sh" >&2
    exit 1
  fi
  echo "swift-format: all files formatted"
else
  swift format format --in-place --recursive --configuration .swift-format Sources Tests Benchmarks/Sources
fi
