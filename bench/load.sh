#!/usr/bin/env bash
# Load test of occheck mock against same-run baselines (README: Performance).
# Usage: bench/load.sh [-duration 10s] [-conns 32] [-algs RS256,PS256,ES256,EdDSA]
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/occheck" ./cmd/occheck
go build -o "$tmp/load" ./bench/load
"$tmp/load" -occheck "$tmp/occheck" "$@"
