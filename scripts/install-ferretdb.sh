#!/usr/bin/env bash
# Installs FerretDB 1.24 (the MongoDB-protocol server our tests run against) into $GOBIN or ~/go/bin.
#
# `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.x` builds, but the binary panics at start:
# the module as published has no build/version/version.txt, which the official build generates from git.
# So we fetch the module with the Go module proxy, write that file into a private copy and build the copy.
#
# One fix is applied to that copy (FERRETDB_STOCK=1 builds without it). FerretDB 1.24's SQLite backend
# creates its unique `_id` index on the expression `_ferretdb_sjson->"_id"` but selects, updates and
# deletes by `_id` with `_ferretdb_sjson->'$._id'`. Both return the same value, yet SQLite matches an
# expression index only to the same expression, so every find, update and delete by `_id` scanned the
# whole table (`EXPLAIN QUERY PLAN`: SCAN) and got slower with every stored document. The fix makes the
# queries use the index's own expression (`SEARCH ... USING INDEX`); results are the same. Data written
# by a stock build is read as before: the index on disk is the one the stock build created.
# `test/integration/ferretdb-id-index.test.ts` checks the installed binary; docs/architecture.md,
# "Round trips per mail", has the measurements.
set -euo pipefail

want="${FERRETDB_VERSION:-}"
versions=(${want:-v1.24.2 v1.24.1 v1.24.0})
bindir="$(go env GOBIN)"; [ -n "$bindir" ] || bindir="$(go env GOPATH)/bin"
mkdir -p "$bindir"

# The build's package name (shown by `ferretdb --version`) says whether the fix is in it.
if [ "${FERRETDB_STOCK:-}" = 1 ]; then package=stock; else package=helpdesk-sqlite-id-index; fi

if [ -x "$bindir/ferretdb" ] && "$bindir/ferretdb" --version 2>/dev/null | grep "version: v1.24" >/dev/null \
  && "$bindir/ferretdb" --version 2>/dev/null | grep -x "package: $package" >/dev/null; then
  echo "ferretdb already installed: $bindir/ferretdb ($package)"; exit 0
fi

for v in "${versions[@]}"; do
  echo "building FerretDB $v ($package) ..."
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$v" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')" || continue
  [ -n "$dir" ] || continue
  work="$(mktemp -d)"
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  echo "$v" > "$work/build/version/version.txt"
  echo "$package" > "$work/build/version/package.txt"
  if [ "$package" != stock ]; then
    meta="$work/internal/backends/sqlite/metadata/metadata.go"
    sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$meta"
    if ! grep -F 'IDColumn = DefaultColumn + `->"_id"`' "$meta" >/dev/null; then
      rm -rf "$work"
      echo "FerretDB $v: the SQLite _id expression is not where this script expects it; not building" >&2
      continue
    fi
  fi
  if (cd "$work" && CGO_ENABLED=0 go build -trimpath -o "$bindir/ferretdb" ./cmd/ferretdb); then
    rm -rf "$work"
    "$bindir/ferretdb" --version 2>&1 | sed -n 1p
    echo "installed $bindir/ferretdb ($package)"
    exit 0
  fi
  rm -rf "$work"
  echo "FerretDB $v failed to build; trying the next version" >&2
done
echo "could not build FerretDB (tried ${versions[*]})" >&2
exit 1
