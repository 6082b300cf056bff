#!/usr/bin/env bash
# Prepares a machine to run the testbed, for .ci/run: checks Go and builds the
# testbed binaries (fetching Go modules as needed). Idempotent: with warm caches it
# takes about a second. It starts no cluster; the test harness does
# (testbed/harness.ts, ensureTestbed).
#
# Caches (stable across clones and runs, so the second run is fast):
#   GOMODCACHE  TESTBED_GOMODCACHE, else $GOMODCACHE, else ~/go/pkg/mod
#   GOCACHE     TESTBED_GOCACHE,    else $GOCACHE,    else ~/.cache/go-build
#   binaries    TESTBED_BIN_DIR,    else ~/.cache/archipelago-testbed/bin
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v go >/dev/null; then
  echo "ci-setup: Go is not installed; the testbed needs Go >= 1.26 (Debian: see README)" >&2
  exit 1
fi
need="$(awk '$1 == "go" { print $2; exit }' "$here/go.mod")"
have="$(go env GOVERSION | sed 's/^go//')"
if [[ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]]; then
  echo "ci-setup: Go $have is older than the $need that testbed/go.mod needs" >&2
  exit 1
fi

export GOMODCACHE="${TESTBED_GOMODCACHE:-${GOMODCACHE:-$HOME/go/pkg/mod}}"
export GOCACHE="${TESTBED_GOCACHE:-${GOCACHE:-$HOME/.cache/go-build}}"
export TESTBED_GOMODCACHE="$GOMODCACHE" TESTBED_GOCACHE="$GOCACHE"
mkdir -p "$GOMODCACHE" "$GOCACHE"

started=$SECONDS
# go build fetches only the modules it needs (go mod download would fetch the
# whole module graph, test-only dependencies of dependencies included).
bash "$here/testbed.sh" build
echo "ci-setup: testbed ready to start ($((SECONDS - started))s; caches: $GOMODCACHE, $GOCACHE)"
