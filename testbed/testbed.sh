#!/usr/bin/env bash
# Entry point of the testbed (npm run testbed -- <command>): builds the Go
# binaries when their sources changed, then runs the testbed CLI.
#
# Build caches default to Go's usual locations so every checkout shares them;
# TESTBED_GOCACHE / TESTBED_GOMODCACHE move them. Binaries are kept per source
# hash in TESTBED_BIN_DIR (default ~/.cache/archipelago-testbed/bin), so a fresh
# clone with unchanged testbed sources (CI) reuses them without building.
# State lives in TESTBED_DIR (default <repo>/.testbed). See testbed/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
export TESTBED_DIR="${TESTBED_DIR:-$repo/.testbed}"
export GOCACHE="${TESTBED_GOCACHE:-${GOCACHE:-$HOME/.cache/go-build}}"
export GOMODCACHE="${TESTBED_GOMODCACHE:-${GOMODCACHE:-$HOME/go/pkg/mod}}"
# Use the machine's Go; never fetch another toolchain.
export GOTOOLCHAIN=local
# No VCS stamping: it would make every commit relink the binaries.
export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"

if ! command -v go >/dev/null; then
  echo "testbed: Go is not installed (need Go >= 1.26)" >&2
  exit 1
fi

bin_root="${TESTBED_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/archipelago-testbed/bin}"
mkdir -p "$bin_root"

# hash_of FILE... : a short content hash of the given files, the Go version
# and the build flags, so any change to them means a new binary.
hash_of() {
  {
    go env GOVERSION
    printf '%s\n' "$ldflags"
    for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done
  } | sha256sum | cut -c1-16
}

# The API server reports this version (/version, kubectl version); upstream
# release builds set it the same way (hack/lib/version.sh).
kube_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/go.mod")"
kube_minor="$(cut -d. -f2 <<<"$kube_version")"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor -X $pkg.gitTreeState=clean"
done

cd "$here"
k8s_sources=(go.mod go.sum $(find cmd/testbed-k8s -name '*.go' | LC_ALL=C sort))
cli_sources=(go.mod go.sum $(find cmd/testbed internal \( -name '*.go' -o -name '*.yaml' \) ! -name '*_test.go' | LC_ALL=C sort))
k8s_bin="$bin_root/k8s-$(hash_of "${k8s_sources[@]}")/testbed-k8s"
cli_bin="$bin_root/cli-$(hash_of "${cli_sources[@]}")/testbed"

# build OUT PACKAGE LABEL : go build into a temporary name, then rename, so a
# concurrent run never executes a half-written binary.
build() {
  local out="$1" pkg="$2" label="$3" started=$SECONDS
  mkdir -p "$(dirname "$out")"
  echo "testbed: building $label..." >&2
  go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg"
  mv -f "$out.tmp.$$" "$out"
  echo "testbed: built $label in $((SECONDS - started))s" >&2
}

if [[ ! -x "$k8s_bin" || ! -x "$cli_bin" ]]; then
  # One build at a time: parallel test workers would otherwise all compile.
  exec 9>"$bin_root/build.lock"
  flock 9
  [[ -x "$k8s_bin" ]] || build "$k8s_bin" ./cmd/testbed-k8s \
    "testbed-k8s: Kubernetes $kube_version, etcd, kwok (about 7 min on 2 cores with empty Go caches, 15 s warm)"
  [[ -x "$cli_bin" ]] || build "$cli_bin" ./cmd/testbed "testbed CLI"
  # Keep the three newest builds of each binary (other checkouts may use
  # them) and any that a running cluster uses; drop the rest.
  for kind in k8s cli; do
    { ls -dt "$bin_root/$kind"-* 2>/dev/null || true; } | tail -n +4 | while read -r dir; do
      grep -qsF "$dir/" /proc/[0-9]*/cmdline 2>/dev/null || rm -rf "$dir"
    done
  done
  exec 9>&-
fi

if [[ "${1:-}" == "build" ]]; then
  echo "testbed: binaries ready in $bin_root" >&2
  exit 0
fi
export TESTBED_K8S_BIN="$k8s_bin"
exec "$cli_bin" "$@"
