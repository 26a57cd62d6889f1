package node

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

func initDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Init(dir, InitOptions{P2PListen: []string{"/ip4/127.0.0.1/tcp/0"},
		HTTPListen: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckSettingsRefuses: settings the node could not apply are refused
// when the command line saves them, not discovered later by the running
// node.
func TestCheckSettingsRefuses(t *testing.T) {
	dir := initDir(t)
	self, err := PeerID(dir)
	if err != nil {
		t.Fatal(err)
	}
	const other = "12D3KooWAh8njc7Dj6EV5pdxXDHoKQa1D8uBByuV44vPur4T1ihd"
	peer := func(p PeerSettings) func(*Settings) {
		return func(s *Settings) { s.Peers = append(s.Peers, p) }
	}
	tests := []struct {
		name string
		edit func(*Settings)
	}{
		{"missing re-share query", func(s *Settings) { s.Collections[0].ReshareQuery = "/nonexistent" }},
		{"missing pre-shared key", func(s *Settings) { s.P2P.PSKFile = "/nonexistent" }},
		{"the node itself as a peer", peer(PeerSettings{Name: "me", ID: self.String()})},
		{"address of another peer", peer(PeerSettings{Name: "x", ID: other,
			Addrs: []string{"/ip4/127.0.0.1/tcp/1/p2p/" + self.String()}})},
		{"rights on no collection", peer(PeerSettings{Name: "x", ID: other,
			RightsSettings: RightsSettings{Read: []string{"nowhere"}}})},
		{"newline in a name", peer(PeerSettings{Name: "a\nb", ID: other})},
		{"port out of range", func(s *Settings) { s.HTTP.Listen = "127.0.0.1:99999" }},
		{"unknown log level", func(s *Settings) { s.Log.Level = "shouty" }},
		{"negative age", func(s *Settings) { s.Collections[0].MaxAge = -time.Hour }},
		{"binding that is no URI", func(s *Settings) {
			s.Collections[0].Accept = []BindingSettings{{Binding: "notaurn"}}
		}},
		{"push credentials with a user and no password", func(s *Settings) {
			s.Subscriptions.PushCredentials = []PushCredentials{{URL: "https://siem.example.org/", User: "u"}}
		}},
		{"a password for an inbox over plain http", func(s *Settings) {
			s.Subscriptions.PushCredentials = []PushCredentials{{URL: "http://siem.example.org/", User: "u",
				PasswordFile: ConfigFile}}
		}},
		{"push credentials with a missing password file", func(s *Settings) {
			s.Subscriptions.PushCredentials = []PushCredentials{{URL: "https://siem.example.org/", User: "u",
				PasswordFile: "/nonexistent"}}
		}},
		{"parts larger than a libp2p frame", func(s *Settings) {
			s.P2P.MaxFrameSize, s.Poll.MaxPartBytes = 1<<20, 2<<20
		}},
		{"collection name too long", func(s *Settings) {
			s.Collections = append(s.Collections, CollectionSettings{Name: string(make([]byte, 2000))})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := EditSettings(dir, func(s *Settings) error { tt.edit(s); return nil })
			if !errors.Is(err, ErrInvalidSettings) {
				t.Fatalf("EditSettings = %v, want ErrInvalidSettings", err)
			}
		})
	}
	if _, err := LoadSettings(t.TempDir()); !errors.Is(err, ErrNotInitialized) {
		t.Errorf("LoadSettings of an empty directory = %v, want ErrNotInitialized", err)
	}
}

// TestNegativeSettingNamesItsField: the error says which field to fix.
func TestNegativeSettingNamesItsField(t *testing.T) {
	dir := initDir(t)
	tests := []struct {
		field string
		edit  func(*Settings)
	}{
		{"poll.max_part_bytes", func(s *Settings) { s.Poll.MaxPartBytes = -1 }},
		{"catchup.interval", func(s *Settings) { s.CatchUp.Interval = -time.Second }},
		{"http.max_connections", func(s *Settings) { s.HTTP.MaxConnections = -3 }},
		{"p2p.max_frame_size", func(s *Settings) { s.P2P.MaxFrameSize = -1 }},
		{"p2p.request_rate", func(s *Settings) { s.P2P.RequestRate = -1 }},
		{"p2p.gossip_bytes_rate", func(s *Settings) { s.P2P.GossipBytesRate = math.NaN() }},
	}
	for _, tt := range tests {
		err := EditSettings(dir, func(s *Settings) error { tt.edit(s); return nil })
		if !errors.Is(err, ErrInvalidSettings) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("EditSettings with negative %s = %v, want ErrInvalidSettings naming it", tt.field, err)
		}
	}
}

// TestConfigFileErrorsAreOneLine: what the YAML decoder refuses is said on
// one line, with the line of the file.
func TestConfigFileErrorsAreOneLine(t *testing.T) {
	for _, text := range []string{
		"collections:\n  - name: default\n    max_blocks: -1\n",
		"bogus: 1\nhttp:\n  max_connections: many\n",
	} {
		_, err := parseSettings([]byte(text))
		if !errors.Is(err, ErrInvalidSettings) || strings.Contains(err.Error(), "\n") ||
			!strings.Contains(err.Error(), "line ") {
			t.Errorf("parseSettings(%q) = %q, want ErrInvalidSettings on one line naming the line", text, err)
		}
	}
}

// TestEditSettingsConcurrently: edits made at the same time are all kept.
func TestEditSettingsConcurrently(t *testing.T) {
	dir := initDir(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := EditSettings(dir, func(s *Settings) error {
				s.Collections = append(s.Collections, CollectionSettings{Name: fmt.Sprint("c", i)})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, err := LoadSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Collections) != 21 {
		t.Fatalf("%d collections, want the default and the 20 added", len(s.Collections))
	}
}
