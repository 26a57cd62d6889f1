package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/node"
)

// run runs the command line in this process and returns its exit code and
// what it printed on standard output.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	code := exitCode(newApp().RunContext(context.Background(), append([]string{"taxiinode"}, args...)))
	os.Stdout = stdout
	w.Close()
	return code, <-done
}

func TestExitCodes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	if code, out := run(t, "init", "--dir", dir, "--http-listen", "127.0.0.1:0",
		"--p2p-listen", "/ip4/127.0.0.1/tcp/0"); code != 0 || !strings.Contains(out, "peer ID") {
		t.Fatalf("init: exit %d, %q", code, out)
	}
	const other = "12D3KooWAh8njc7Dj6EV5pdxXDHoKQa1D8uBByuV44vPur4T1ihd"
	doc := filepath.Join(t.TempDir(), "doc.txt")
	os.WriteFile(doc, []byte("not a STIX document"), 0o644)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"init twice", []string{"init", "--dir", dir}, 2},
		{"unknown flag", []string{"status", "--dri", dir}, 2},
		{"flag without value", []string{"status", "--dir"}, 2},
		{"bad number", []string{"collection", "create", "--dir", dir, "--max-blocks", "-1", "x"}, 2},
		{"option after the argument", []string{"collection", "create", "--dir", dir, "x", "--reshare"}, 2},
		{"missing flag", []string{"peer", "add", "--dir", dir, "--name", "p"}, 2},
		{"bad peer ID", []string{"peer", "add", "--dir", dir, "--name", "p", "--id", "nope"}, 2},
		{"rights on no collection", []string{"peer", "add", "--dir", dir, "--name", "p", "--id", other,
			"--read", "nowhere"}, 2},
		{"peer added", []string{"peer", "add", "--dir", dir, "--name", "p", "--id", other,
			"--read", node.DefaultCollection}, 0},
		{"same peer again", []string{"peer", "add", "--dir", dir, "--name", "q", "--id", other}, 2},
		{"no such peer", []string{"peer", "remove", "--dir", dir, "ghost"}, 2},
		{"uninitialized directory", []string{"status", "--dir", t.TempDir()}, 2},
		{"id of a missing directory", []string{"id", "--dir", filepath.Join(t.TempDir(), "missing")}, 2},
		{"push to an empty collection name", []string{"push", "--dir", dir, "--collection", "",
			"--binding", "urn:example:text", doc}, 2},
		{"push with a binding that is no URI", []string{"push", "--dir", dir, "--binding", "not a uri", doc}, 2},
		{"push without a running node", []string{"push", "--dir", dir, "--binding", "urn:example:text", doc}, 1},
		{"push of a document of unknown kind", []string{"push", "--dir", dir, doc}, 2},
		{"push of a missing file", []string{"push", "--dir", dir, "/nonexistent.xml"}, 2},
		{"poll of a peer that is no peer ID", []string{"poll", "--dir", dir, "--peer", "nope"}, 2},
		{"since that is no time", []string{"poll", "--dir", dir, "--since", "yesterday"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := run(t, tt.args...); code != tt.want {
				t.Errorf("taxiinode %s: exit %d, want %d", strings.Join(tt.args, " "), code, tt.want)
			}
		})
	}
	code, out := run(t, "peer", "list", "--dir", dir)
	if code != 0 || !strings.Contains(out, other) {
		t.Errorf("peer list: exit %d, %q", code, out)
	}
}

func TestIDAndSwarmKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	if _, err := node.Init(dir, node.InitOptions{P2PListen: []string{"/ip4/127.0.0.1/tcp/4001"}}); err != nil {
		t.Fatal(err)
	}
	id, err := node.PeerID(dir)
	if err != nil {
		t.Fatal(err)
	}
	code, out := run(t, "id", "--dir", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || lines[0] != id.String() || len(lines) < 2 ||
		lines[1] != "/ip4/127.0.0.1/tcp/4001/p2p/"+id.String() {
		t.Errorf("id: exit %d, %q", code, out)
	}
	code, out = run(t, "swarm-key")
	if code != 0 || !strings.HasPrefix(out, "/key/swarm/psk/1.0.0/\n/base16/\n") || len(out) != 31+65 {
		t.Errorf("swarm-key: exit %d, %q", code, out)
	}
}

// TestReshareQueryCopied: a re-share query file given on the command line
// is read from where the user is, checked, and copied into the data
// directory, so that the node does not depend on the original.
func TestReshareQueryCopied(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	if _, err := node.Init(dir, node.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	q := `<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1"
	  targeting_expression_id="urn:stix.mitre.org:xml:1.2"><tdq:Criteria operator="AND"><tdq:Criterion>
	  <tdq:Target>**/Title</tdq:Target><tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1"
	  relationship="begins_with"><tdq:Parameter name="value">TLP:GREEN</tdq:Parameter></tdq:Test>
	  </tdq:Criterion></tdq:Criteria></tdq:Default_Query>`
	os.WriteFile("green.xml", []byte(q), 0o644)
	os.WriteFile("broken.xml", []byte("<tdq:Default_Query"), 0o644)
	if code, _ := run(t, "collection", "update", "--dir", dir, "--reshare-query", "broken.xml", "default"); code != 2 {
		t.Errorf("a broken query: exit %d, want 2", code)
	}
	if code, _ := run(t, "collection", "update", "--dir", dir, "--reshare-query", "green.xml", "default"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	os.Remove("green.xml")
	s, err := node.LoadSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Collection(node.DefaultCollection)
	if !c.Reshare || filepath.IsAbs(c.ReshareQuery) {
		t.Fatalf("reshare %v, query %q: want re-sharing with a query inside the data directory", c.Reshare,
			c.ReshareQuery)
	}
	if err := node.CheckSettings(dir, s); err != nil {
		t.Fatalf("settings refer to a query that is gone: %v", err)
	}
}

// TestExitCodesWithNode: what the running node refuses for what was asked
// exits 2; what it does exits 0.
func TestExitCodesWithNode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	if _, err := node.Init(dir, node.InitOptions{P2PListen: []string{"/ip4/127.0.0.1/tcp/0"},
		HTTPListen: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(node.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	doc := "../../testdata/stix1/stixproject.github.io/getting-started/sample-walkthrough/IP_Watchlist-1.2.xml"
	const stranger = "12D3KooWAh8njc7Dj6EV5pdxXDHoKQa1D8uBByuV44vPur4T1ihd"
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"push", []string{"push", "--dir", dir, doc}, 0},
		{"push to no collection", []string{"push", "--dir", dir, "--collection", "nosuch", doc}, 2},
		{"poll", []string{"poll", "--dir", dir}, 0},
		{"poll of no collection", []string{"poll", "--dir", dir, "--collection", "nosuch"}, 2},
		{"status", []string{"status", "--dir", dir}, 0},
		{"discover", []string{"discover", "--dir", dir}, 0},
		// A valid peer ID that the configuration does not list.
		{"poll of an untrusted peer", []string{"poll", "--dir", dir, "--peer", stranger}, 2},
		{"subscribe to an untrusted peer", []string{"subscribe", "--dir", dir, "--peer", stranger}, 2},
		{"discover an untrusted peer", []string{"discover", "--dir", dir, "--peer", stranger}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, out := run(t, tt.args...); code != tt.want {
				t.Errorf("taxiinode %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.want, out)
			}
		})
	}
}

// TestAcceptSubtypes: --accept takes a binding with every subtype, or
// BINDING#SUBTYPE for one of them (MSG-10, GEN-11, case S13), and collection list
// shows them the same way.
func TestAcceptSubtypes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n")
	if _, err := node.Init(dir, node.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	const (
		stix   = "urn:stix.mitre.org:xml:1.1.1"
		json   = "urn:stix.mitre.org:json:2.1"
		subA   = "urn:example:subtype:indicators"
		subB   = "urn:example:subtype:incidents"
		create = "create"
	)
	tests := []struct {
		name   string
		accept []string
		want   []node.BindingSettings
		list   string
	}{
		{"one subtype", []string{stix + "#" + subA},
			[]node.BindingSettings{{Binding: stix, Subtypes: []string{subA}}},
			stix + "#" + subA},
		{"two subtypes and another binding", []string{stix + "#" + subA, json, stix + "#" + subB},
			[]node.BindingSettings{{Binding: stix, Subtypes: []string{subA, subB}}, {Binding: json}},
			stix + "#" + subA + "," + stix + "#" + subB + "," + json},
		{"every subtype wins", []string{stix + "#" + subA, stix, stix + "#" + subB},
			[]node.BindingSettings{{Binding: stix}},
			stix},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("c%d", i)
			args := []string{"collection", create, "--dir", dir}
			for _, a := range tt.accept {
				args = append(args, "--accept", a)
			}
			if code, _ := run(t, append(args, name)...); code != 0 {
				t.Fatalf("exit %d", code)
			}
			s, err := node.LoadSettings(dir)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := s.Collection(name)
			if !reflect.DeepEqual(c.Accept, tt.want) {
				t.Errorf("accept %+v, want %+v", c.Accept, tt.want)
			}
			_, out := run(t, "collection", "list", "--dir", dir)
			shown := ""
			for _, line := range strings.Split(out, "\n") {
				if f := strings.Fields(line); len(f) > 3 && f[0] == name {
					shown = f[3]
				}
			}
			if shown != tt.list {
				t.Errorf("collection list shows %q, want %q", shown, tt.list)
			}
		})
	}
	for _, bad := range []string{stix + "#", "#" + subA, stix + "#not a uri"} {
		if code, _ := run(t, "collection", create, "--dir", dir, "--accept", bad, "bad"); code != 2 {
			t.Errorf("--accept %q: exit %d, want 2", bad, code)
		}
	}
}
