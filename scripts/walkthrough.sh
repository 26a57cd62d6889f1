#!/usr/bin/env bash
# The README's walkthrough as a script, so that CI proves it works: three
# nodes on one machine share a real STIX file, a plain HTTP client polls it
# back with a TAXII message, and a node that was killed catches up when it
# comes back. Every address is on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

make -s build
PATH=$PWD/bin:$PATH
demo=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$demo"' EXIT

# wait_for CMD...: retry a command for up to 15 seconds.
wait_for() {
	for _ in $(seq 150); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "walkthrough: timed out waiting for: $*" >&2
	for log in "$demo"/*.log; do echo "== $log" >&2; tail -20 "$log" >&2; done
	return 1
}

# 1. Three data directories, each with its own ports.
for n in 1 2 3; do
	taxiinode init --dir "$demo/node$n" \
		--p2p-listen "/ip4/127.0.0.1/tcp/410$n" --http-listen "127.0.0.1:910$n"
done

# 2. Start the three nodes.
for n in 1 2 3; do
	taxiinode run --dir "$demo/node$n" >"$demo/node$n.log" 2>&1 &
done
for n in 1 2 3; do wait_for taxiinode status --dir "$demo/node$n"; done

# 3. Introduce them: every node trusts the two others to read and write the
#    collection "default". `taxiinode id` prints the peer ID, then addresses.
for n in 1 2 3; do
	for m in 1 2 3; do
		[ "$n" = "$m" ] && continue
		id=$(taxiinode id --dir "$demo/node$m" | sed -n 1p)
		addr=$(taxiinode id --dir "$demo/node$m" | sed -n 2p)
		taxiinode peer add --dir "$demo/node$n" --name "node$m" --id "$id" --addr "$addr" \
			--read default --write default
	done
done

# 4. Push a real STIX file into node 1; it reaches nodes 2 and 3 by gossip.
stix=testdata/stix1/stixproject.github.io/getting-started/sample-walkthrough/IP_Watchlist-1.2.xml
taxiinode push --dir "$demo/node1" "$stix"
has_blocks() { # dir count
	taxiinode poll --dir "$1" --json | grep -q "\"count\": $2"
}
wait_for has_blocks "$demo/node2" 1
wait_for has_blocks "$demo/node3" 1
taxiinode poll --dir "$demo/node3" --out "$demo/got"
grep -q "IP Watchlist" "$demo"/got/*.xml

# 5. Any TAXII 1.1 client can poll it back over HTTP; here, curl.
curl -sf http://127.0.0.1:9102/taxii/poll \
	-H 'Content-Type: application/xml' \
	-H 'X-TAXII-Content-Type: urn:taxii.mitre.org:message:xml:1.1' \
	-H 'X-TAXII-Accept: urn:taxii.mitre.org:message:xml:1.1' \
	-H 'X-TAXII-Services: urn:taxii.mitre.org:services:1.1' \
	-H 'X-TAXII-Protocol: urn:taxii.mitre.org:protocol:http:1.0' \
	--data-binary '<taxii_11:Poll_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1"
	  message_id="1" collection_name="default"><taxii_11:Poll_Parameters/></taxii_11:Poll_Request>' \
	>"$demo/poll.xml"
grep -q "Poll_Response" "$demo/poll.xml"
grep -q "IP Watchlist" "$demo/poll.xml"

# 6. Kill node 3, push more while it is down, start it again: it catches up
#    by polling its peers as soon as it connects.
kill -9 "$(jobs -p | sed -n 3p)"
taxiinode push --dir "$demo/node1" \
	testdata/stix1/stixproject.github.io/documentation/idioms/c2-ip-list/command-and-control-ip-list.xml
wait_for has_blocks "$demo/node2" 2
taxiinode run --dir "$demo/node3" >>"$demo/node3.log" 2>&1 &
wait_for has_blocks "$demo/node3" 2

echo "walkthrough: ok"
