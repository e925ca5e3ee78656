#!/usr/bin/env bash
# Installs FerretDB 1.24 (the MongoDB-protocol server our tests run against) into $GOBIN or ~/go/bin.
#
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.x` builds, but the binary panics at start:
# the module as published has no build/version/version.txt, which the official build generates from git.
# So we fetch the module with the Go module proxy, write that file into a private copy and build the copy.
set -euo pipefail

want="${FERRETDB_VERSION:-}"
versions=(${want:-v1.24.2 v1.24.1 v1.24.0})
bindir="$(go env GOBIN)"; [ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"
mkdir -p "$bindir"

if [ -x "$bindir/ferretdb" ] && "$bindir/ferretdb" --version 2>/dev/null | grep "version: v1.24" >/dev/null; then
  echo "ferretdb already installed: $bindir/ferretdb"; exit 0
fi

for v in "${versions[@]}"; do
  echo "building FerretDB $v ..."
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$v" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')" || continue
  [ -n "$dir" ] || continue
  work="$(mktemp -d)"
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  echo "$v" > "$work/build/version/version.txt"
  if (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$bindir/ferretdb" ./cmd/ferretdb); then
    rm -rf "$work"
    "$bindir/ferretdb" --version 2>&1 | sed -n 1p
    echo "installed $bindir/ferretdb"
    exit 0
  fi
  rm -rf "$work"
  echo "FerretDB $v failed to build; trying the next version" >&2
done
echo "could not build FerretDB (tried ${versions[*]})" >&2
exit 1
