package trust

import (
	"crypto/sha256"
	"errors"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func testPolicy(t *testing.T) Policy {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256([]byte("certificate der"))
	return Policy{
		Peers: []PeerEntry{
			{Name: "cert-a", ID: "peerA", Rights: NewRights([]string{"feed"}, []string{"feed"})},
			{Name: "isac-b", ID: "peerB", Rights: NewRights([]string{"feed"}, nil)},
		},
		Accounts: []AccountEntry{
			{Name: "alice", PasswordHash: string(hash), Rights: NewRights([]string{"feed"}, nil)},
			{Name: "robot", CertSHA256: []string{hexColons(fp)}, CertSubjects: []string{"robot.example.org"},
				Rights: NewRights(nil, []string{"feed"})},
		},
		Anonymous: NewRights([]string{"public"}, nil),
	}
}

// hexColons writes a fingerprint the way openssl prints it.
func hexColons(b [32]byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 95)
	for i, c := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestRegistryDecisions(t *testing.T) {
	r, err := NewRegistry(testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   Identity
		coll string
		want Right
	}{
		{"peer with read and write", Peer("peerA"), "feed", All},
		{"subscriber peer reads only", Peer("peerB"), "feed", Read},
		{"default deny on other collections", Peer("peerA"), "other", None},
		{"unknown peer gets nothing", Peer("peerX"), "feed", None},
		{"account", Account("alice"), "feed", Read},
		{"unknown account", Account("mallory"), "feed", None},
		{"anonymous", Anonymous, "public", Read},
		{"anonymous elsewhere", Anonymous, "feed", None},
		{"operator may do anything", Operator, "anything", All},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Rights(tt.id, tt.coll); got != tt.want {
				t.Errorf("Rights(%v, %q) = %v, want %v", tt.id, tt.coll, got, tt.want)
			}
		})
	}
	if !r.Trusted("peerB") || r.Trusted("peerX") {
		t.Error("Trusted does not follow the peer list")
	}
}

func TestRegistryReplace(t *testing.T) {
	p := testPolicy(t)
	r, err := NewRegistry(p)
	if err != nil {
		t.Fatal(err)
	}
	p2 := p
	p2.Peers = p.Peers[1:]
	if err := r.Replace(p2); err != nil {
		t.Fatal(err)
	}
	if r.Trusted("peerA") {
		t.Error("a removed peer is still trusted")
	}

	bad := p2
	bad.Peers = append([]PeerEntry{}, p2.Peers[0], p2.Peers[0])
	if err := r.Replace(bad); !errors.Is(err, ErrDuplicatePeer) {
		t.Fatalf("Replace(duplicate peers) = %v, want ErrDuplicatePeer", err)
	}
	if !r.Trusted("peerB") || len(r.Peers()) != 1 {
		t.Error("a refused policy replaced the current one")
	}
}

func TestPolicyCheck(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want error
	}{
		{"peer without id", Policy{Peers: []PeerEntry{{Name: "x"}}}, ErrInvalidName},
		{"same name twice", Policy{Peers: []PeerEntry{{Name: "x", ID: "1"}, {Name: "x", ID: "2"}}},
			ErrDuplicatePeer},
		{"account twice", Policy{Accounts: []AccountEntry{{Name: "a"}, {Name: "a"}}}, ErrDuplicateAccount},
		{"bad fingerprint", Policy{Accounts: []AccountEntry{{Name: "a", CertSHA256: []string{"zz"}}}},
			ErrInvalidName},
		{"bad right", Policy{Anonymous: Rights{"c": 8}}, ErrInvalidRight},
		{"empty collection", Policy{Anonymous: Rights{"": Read}}, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Check(); !errors.Is(err, tt.want) {
				t.Errorf("Check() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAuthenticateBasic(t *testing.T) {
	r, err := NewRegistry(testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // the second and third go through the cache
		if id, ok := r.AuthenticateBasic("alice", "s3cret"); !ok || id != Account("alice") {
			t.Fatalf("attempt %d: AuthenticateBasic = %v, %v", i, id, ok)
		}
	}
	if _, ok := r.AuthenticateBasic("alice", "wrong"); ok {
		t.Error("a wrong password is accepted after a right one was cached")
	}
	if _, ok := r.AuthenticateBasic("robot", ""); ok {
		t.Error("an account without a password hash accepts an empty password")
	}

	// A changed password hash invalidates the cached verification.
	p := testPolicy(t)
	h, _ := bcrypt.GenerateFromPassword([]byte("new"), bcrypt.MinCost)
	p.Accounts[0].PasswordHash = string(h)
	if err := r.Replace(p); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.AuthenticateBasic("alice", "s3cret"); ok {
		t.Error("the old password still works after the hash changed")
	}
	if _, ok := r.AuthenticateBasic("alice", "new"); !ok {
		t.Error("the new password is refused")
	}
}

func TestAuthenticateBasicConcurrent(t *testing.T) {
	r, err := NewRegistry(testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := r.AuthenticateBasic("alice", "s3cret"); !ok {
				t.Error("concurrent authentication failed")
			}
		}()
	}
	wg.Wait()
}

func TestAuthenticateCert(t *testing.T) {
	r, err := NewRegistry(testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := r.AuthenticateCert(sha256.Sum256([]byte("certificate der")), ""); !ok ||
		id != Account("robot") {
		t.Errorf("fingerprint: got %v, %v", id, ok)
	}
	if id, ok := r.AuthenticateCert([32]byte{1}, "robot.example.org"); !ok || id != Account("robot") {
		t.Errorf("subject: got %v, %v", id, ok)
	}
	if _, ok := r.AuthenticateCert([32]byte{1}, "other"); ok {
		t.Error("an unknown certificate authenticates")
	}
}

func BenchmarkAuthenticateBasicCached(b *testing.B) {
	h, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.DefaultCost)
	r, err := NewRegistry(Policy{Accounts: []AccountEntry{{Name: "u", PasswordHash: string(h)}}})
	if err != nil {
		b.Fatal(err)
	}
	r.AuthenticateBasic("u", "pw")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := r.AuthenticateBasic("u", "pw"); !ok {
			b.Fatal("refused")
		}
	}
}

func TestIdentityString(t *testing.T) {
	for _, id := range []Identity{Peer("12D3Koo"), Account("alice"), Operator, Anonymous} {
		got, ok := ParseIdentity(id.String())
		if !ok || got != id {
			t.Errorf("ParseIdentity(%q) = %v, %v", id.String(), got, ok)
		}
	}
	if _, ok := ParseIdentity("robot"); ok {
		t.Error("ParseIdentity accepts an unknown form")
	}
}
