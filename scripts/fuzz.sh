#!/usr/bin/env bash
# Runs every fuzz target of the module for the given time each (default 1m).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-1m}
for file in $(git ls-files '*_test.go' 2>/dev/null || find . -name '*_test.go'); do
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
		pkg=./$(dirname "$file")
		echo "fuzz $pkg $target for $fuzztime"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
