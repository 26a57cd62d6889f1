#!/usr/bin/env bash
# Checks that imports flow one way: protocol imports no package of the
# module; store and trust import only protocol; peer imports only protocol;
# cmd imports only node.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)
fail=0
check() { # package, allowed import pattern
	local bad
	bad=$(go list -f '{{join .Imports "\n"}}' "./$1/..." | sort -u | grep "^$mod" |
		grep -vE "^$mod/($2)(/|\$)" || true)
	if [ -n "$bad" ]; then
		echo "import direction: $1 imports $(echo $bad)"
		fail=1
	fi
}
check protocol protocol
check store 'protocol|store'
check trust 'protocol|trust'
check peer 'protocol|peer'
check cmd 'node'
exit $fail
