#!/usr/bin/env bash
# Runs every benchmark of the project with the run counts it needs, and
# prints the figures the issues ask for. Long: about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

bench() { # package, pattern, benchtime, extra flags...
	local pkg=$1 pattern=$2 time=$3
	shift 3
	go test -run '^$' -bench "$pattern" -benchtime "$time" -benchmem -timeout 60m "$@" "$pkg" 2>/dev/null |
		grep -E '^(Benchmark|ok|FAIL|\s+[0-9]+\s)' | sed 's/time=.*//'
}

echo "== codec, query, store, trust"
bench ./protocol . 1s -cpu 1
bench ./protocol/query . 1s -cpu 1
bench ./protocol/httpbinding . 1s
bench ./store . 3s
bench ./trust . 1s

echo "== a three-criterion Default Query over 10,000 and 40,000 stored STIX blocks (one core)"
bench ./node 'BenchmarkQueryPoll' 5x -cpu 1

echo "== acknowledged, durable pushes through the HTTP binding"
bench ./integration 'BenchmarkPush' 10000x

echo "== push answered on one node -> stored on all the others, 4 KB blocks"
bench ./integration 'BenchmarkMeshLatency10$' 500x
bench ./integration 'BenchmarkMeshLatency30$' 300x

echo "== catch-up of 100,000 blocks of 4 KB from one peer"
bench ./integration 'BenchmarkCatchUp100k' 1x
