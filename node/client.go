package node

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
	"github.com/taxiinode/taxiinode/store"
)

// ErrNotRunning is returned by client calls when no node answers on the
// data directory's HTTP address.
var ErrNotRunning = errors.New("node: no node answers on its HTTP address; is it running?")

// ErrBadInput is wrapped by client errors about the caller's input, such as
// a document that cannot be pushed.
var ErrBadInput = errors.New("bad input")

// Client talks to a running node over its TAXII HTTP binding, as the
// node's operator. The command line uses it; it never opens the store.
type Client struct {
	base    string
	token   string
	maxBody int64
	taxii   *httpbinding.Client
	http    *http.Client
}

// clientIdleConns is how many idle connections to its node a Client keeps.
const clientIdleConns = 32

// NewClient returns a client of the node whose data directory is dir.
//
// When the configuration file does not parse, the client still reaches a
// running node over plain HTTP at the address the node recorded, so that
// the operator can see the node's state (and why it refuses the file).
func NewClient(dir string) (*Client, error) {
	s, err := LoadSettings(dir)
	if errors.Is(err, ErrInvalidSettings) {
		if running, rerr := os.ReadFile(filepath.Join(dir, AddrFile)); rerr == nil {
			s = &Settings{HTTP: HTTPSettings{Listen: strings.TrimSpace(string(running))}}
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	if s.HTTP.Listen == "" {
		return nil, errors.New("the node's HTTP binding is off (http.listen is empty)")
	}
	token, err := LoadToken(dir)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if s.HTTP.TLSCert != "" {
		scheme = "https"
	}
	addr := dialable(s.HTTP.Listen)
	if running, err := os.ReadFile(filepath.Join(dir, AddrFile)); err == nil {
		addr = dialable(strings.TrimSpace(string(running)))
	}
	// A client shared by concurrent pushes keeps a connection per push in
	// flight; the default transport keeps two and dials the others anew.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = clientIdleConns
	if scheme == "https" {
		pinned, err := pinnedTLS(dir, s.HTTP.TLSCert)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = pinned
	}
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: tr}
	maxBody := s.HTTP.MaxBodySize
	if maxBody <= 0 {
		maxBody = httpbinding.DefaultMaxBodySize
	}
	return &Client{
		maxBody: maxBody,
		base:    scheme + "://" + addr,
		token:   token,
		http:    hc,
		taxii: &httpbinding.Client{
			HTTP:   hc,
			Header: http.Header{"Authorization": {"Bearer " + token}},
		},
	}, nil
}

// dialable turns a listen address into one a client on this machine can
// dial: an unspecified host becomes 127.0.0.1.
func dialable(listen string) string {
	host, port, err := splitHostPort(listen)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1:" + port
	}
	return listen
}

// Send sends one TAXII message to a service of the node, or, when p is not
// empty, through the node to that trusted peer.
func (c *Client) Send(ctx context.Context, svc protocol.ServiceType, p peer.ID, m protocol.Message) (protocol.Message, error) {
	url := c.base + servicePaths[svc]
	if p != "" {
		url = c.base + PathPeers + p.String() + servicePaths[svc]
	}
	resp, err := c.taxii.Send(ctx, url, m)
	if err != nil {
		if isConnRefused(err) {
			return nil, ErrNotRunning
		}
		return nil, err
	}
	return resp, nil
}

// Status returns the running node's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+PathStatus, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		if isConnRefused(err) {
			return nil, ErrNotRunning
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status: HTTP %s", resp.Status)
	}
	s := &Status{}
	return s, json.NewDecoder(resp.Body).Decode(s)
}

// PushResult is the node's answer to the push of one document.
type PushResult struct {
	File    string
	Binding string
	// Status is the status type the node answered, SUCCESS when stored.
	Status  string
	Message string
}

// Stored reports whether the node stored the document.
func (r PushResult) Stored() bool { return r.Status == string(protocol.StatusSuccess) }

// Push sends each document as one content block in its own Inbox Message to
// a collection. binding names the content binding; empty sniffs it from the
// document. A document that cannot be read or wrapped is an error before
// anything is sent.
func (c *Client) Push(ctx context.Context, collection, binding string, files []string) ([]PushResult, error) {
	if err := ValidCollectionName(collection); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	if binding != "" {
		if err := validURI(binding); err != nil {
			return nil, fmt.Errorf("%w: content binding %v", ErrBadInput, err)
		}
	}
	msgs := make([]*protocol.InboxMessage, len(files))
	for i, f := range files {
		if fi, err := os.Stat(f); err == nil && c.maxBody > 0 && fi.Size() > c.maxBody {
			return nil, fmt.Errorf("%w: %s: %d bytes, more than the node takes in one message (%d)",
				ErrBadInput, f, fi.Size(), c.maxBody)
		}
		doc, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		block, err := protocol.NewContentBlock(doc, binding)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadInput, f, err)
		}
		msgs[i] = &protocol.InboxMessage{
			Header:                     protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
			DestinationCollectionNames: []string{collection},
			RecordCount:                &protocol.RecordCount{Count: 1},
			ContentBlocks:              []protocol.ContentBlock{block},
		}
	}
	results := make([]PushResult, len(files))
	for i, m := range msgs {
		resp, err := c.Send(ctx, protocol.ServiceInbox, "", m)
		if err != nil {
			return results[:i], err
		}
		r := PushResult{File: filepath.Base(files[i]), Binding: m.ContentBlocks[0].Binding.BindingID}
		if st, ok := resp.(*protocol.StatusMessage); ok {
			r.Status, r.Message = string(st.StatusType), st.Message
		} else {
			r.Status, r.Message = string(protocol.StatusFailure), "unexpected answer "+string(resp.Type())
		}
		results[i] = r
	}
	return results, nil
}

// PollOptions say what to poll.
type PollOptions struct {
	Collection string
	// Since is the exclusive begin of the window; zero polls everything.
	Since time.Time
	// Peer, a peer ID, polls that trusted peer through the node instead of
	// the node.
	Peer string
	// CountOnly asks for the number of blocks only.
	CountOnly bool
}

// PollResult sums up a poll.
type PollResult struct {
	Count uint64
	// End is the end of the window the answer covered: the Since of the
	// next poll.
	End   time.Time
	Parts int
}

// Block is one content block a poll returned.
type Block struct {
	// Label is the polled node's timestamp label of the block.
	Label   time.Time
	Binding string
	Subtype string
	// Content is the block's payload, XML when IsXML is set.
	Content []byte
	IsXML   bool
}

// Poll polls a collection, follows every part, and calls fn for each
// content block in order.
func (c *Client) Poll(ctx context.Context, o PollOptions, fn func(*Block) error) (PollResult, error) {
	var res PollResult
	p, err := parsePeer(o.Peer)
	if err != nil {
		return res, err
	}
	rt := protocol.ResponseFull
	if o.CountOnly {
		rt = protocol.ResponseCountOnly
	}
	var req protocol.Message = &protocol.PollRequest{
		Header:         protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		CollectionName: o.Collection,
		ExclusiveBegin: o.Since,
		Parameters:     &protocol.PollParameters{ResponseType: rt},
	}
	for {
		resp, err := c.Send(ctx, protocol.ServicePoll, p, req)
		if err != nil {
			return res, err
		}
		pr, err := pollResponse(resp, o.Collection)
		if err != nil {
			return res, err
		}
		res.Parts++
		if pr.RecordCount != nil {
			res.Count = pr.RecordCount.Count
		}
		res.End = pr.InclusiveEnd
		for _, cb := range pr.ContentBlocks {
			b := &Block{Label: cb.TimestampLabel, Binding: cb.Binding.BindingID, Content: cb.Content,
				IsXML: cb.IsXML}
			if len(cb.Binding.Subtypes) > 0 {
				b.Subtype = cb.Binding.Subtypes[0]
			}
			if err := fn(b); err != nil {
				return res, err
			}
		}
		if !pr.More {
			return res, nil
		}
		if pr.ResultID == "" || res.Parts >= maxParts {
			return res, errors.New("poll answer has more parts but no result id")
		}
		req = &protocol.PollFulfillment{
			Header:           protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
			CollectionName:   o.Collection,
			ResultID:         pr.ResultID,
			ResultPartNumber: res.Parts + 1,
		}
	}
}

// Service is one service instance a Discovery Response named.
type Service struct {
	Type     string   `json:"type"`
	Protocol string   `json:"protocol"`
	Address  string   `json:"address"`
	Bindings []string `json:"message_bindings"`
}

// Discover returns the services the node, or the trusted peer with ID p
// through it, offers.
func (c *Client) Discover(ctx context.Context, p string) ([]Service, error) {
	id, err := parsePeer(p)
	if err != nil {
		return nil, err
	}
	resp, err := c.Send(ctx, protocol.ServiceDiscovery, id, &protocol.DiscoveryRequest{
		Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
	})
	if err != nil {
		return nil, err
	}
	switch r := resp.(type) {
	case *protocol.DiscoveryResponse:
		var out []Service
		for _, si := range r.ServiceInstances {
			out = append(out, Service{Type: string(si.ServiceType), Protocol: si.ProtocolBinding,
				Address: si.Address, Bindings: si.MessageBindings})
		}
		return out, nil
	case *protocol.StatusMessage:
		return nil, &protocol.StatusError{Type: r.StatusType, Message: r.Message, Details: r.Details}
	}
	return nil, fmt.Errorf("unexpected answer %s", resp.Type())
}

// parsePeer parses an optional peer ID.
func parsePeer(s string) (peer.ID, error) {
	if s == "" {
		return "", nil
	}
	id, err := peer.ParseID(s)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a peer ID", ErrBadInput, s)
	}
	return id, nil
}

// FormatTime writes a time as TAXII writes timestamp labels.
func FormatTime(t time.Time) string { return protocol.FormatTimestamp(t) }

// pinnedTLS returns a TLS configuration that trusts exactly the node's own
// certificate: the operator's client reaches the node at 127.0.0.1, which
// the certificate need not name. The certificate is the one the running
// node says it serves, else the configured one: a renewal that did not
// load leaves the node serving the previous one.
func pinnedTLS(dir, certFile string) (*tls.Config, error) {
	var leaves [][]byte
	var firstErr error
	for _, name := range []string{filepath.Join(dir, ServedCertFile), inDir(dir, certFile)} {
		leaf, err := firstCertificate(name)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		leaves = append(leaves, leaf)
	}
	if len(leaves) == 0 {
		return nil, firstErr
	}
	return &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !slices.ContainsFunc(leaves, func(l []byte) bool { return bytes.Equal(raw[0], l) }) {
				return errors.New("the node presented a certificate other than its own")
			}
			return nil
		},
	}, nil
}

// firstCertificate returns the first certificate of a PEM file, in DER.
func firstCertificate(name string) ([]byte, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", name)
	}
	return block.Bytes, nil
}

// Purge deletes every block the node in dir stores for a collection: through
// the running node, or, when none runs, in its store directly.
func Purge(ctx context.Context, dir, collection string) error {
	c, err := NewClient(dir)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		c.base+PathPurge+"?collection="+url.QueryEscape(collection), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if isConnRefused(err) {
		st, err := store.Open(store.Options{Dir: filepath.Join(dir, StoreDir)})
		if err != nil {
			return err
		}
		err = st.DeleteCollection(ctx, collection)
		return errors.Join(err, st.Close())
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("purge: HTTP %s", resp.Status)
	}
	return nil
}

// requestErrors are the status types that blame the request itself: what
// was asked for does not exist or cannot be had, rather than the node or the
// network failing.
var requestErrors = []protocol.StatusType{
	protocol.StatusBadMessage, protocol.StatusNotFound, protocol.StatusDestinationCollection,
	protocol.StatusUnsupportedContent, protocol.StatusUnsupportedMessage, protocol.StatusUnsupportedProtocol,
	protocol.StatusUnsupportedQuery, protocol.StatusUnsupportedCapability, protocol.StatusUnsupportedTargeting,
	protocol.StatusUnsupportedTargetingID, protocol.StatusInvalidResponsePart, protocol.StatusUnauthorized,
	protocol.StatusDenied,
}

// BadRequest reports whether err, from a client call, is the node's refusal
// of what was asked (an unknown collection, a binding it does not take, a
// right the caller lacks), as opposed to a failure.
func BadRequest(err error) bool {
	var se *protocol.StatusError
	return errors.As(err, &se) && slices.Contains(requestErrors, se.Type)
}

// BadRequest reports whether the node refused the document for what it
// asked, as opposed to failing.
func (r PushResult) BadRequest() bool {
	return slices.Contains(requestErrors, protocol.StatusType(r.Status))
}
