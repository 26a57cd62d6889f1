package httpbinding

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// DefaultMaxResponseSize is the largest answer body a Client reads when its
// MaxResponseSize is zero: 64 MiB.
const DefaultMaxResponseSize = 64 << 20

// Client sends TAXII messages to a TAXII HTTP(S) endpoint: ours or any other
// TAXII 1.x server. The zero value is ready to use. A Client is safe for
// concurrent use once its fields are set.
type Client struct {
	// HTTP sends the requests; nil means a client with bounded dial, TLS
	// handshake and response-header times that follows no redirects. Give
	// one with a tls.Config to present a client certificate or trust a
	// private certificate authority.
	HTTP *http.Client
	// Header holds extra headers for every request, for instance
	// Authorization: Bearer …. The headers of the binding (Content-Type,
	// Accept and the X-TAXII ones) are set by Send and win over these.
	Header http.Header
	// Username and Password are sent with HTTP Basic authentication when
	// Username is not empty. Over plain HTTP they travel in clear (HTTP-10).
	Username, Password string
	// Accept lists the message bindings the client accepts in answers, the
	// preferred first; empty means the binding of the request.
	Accept []string
	// MaxResponseSize is the largest answer body in bytes; zero means
	// DefaultMaxResponseSize.
	MaxResponseSize int64
}

// defaultHTTP is the http.Client of a Client without one.
var defaultHTTP = NewHTTPClient(nil)

// NewHTTPClient returns an http.Client for a Client: bounded dial, TLS
// handshake and response-header times, proxies from the environment, and
// no redirects, since a redirect would turn the POST into a GET: the 3xx
// answer is mapped like any other answer without a TAXII message (HTTP-8).
// tlsConfig, when not nil, presents a client certificate or trusts a
// private certificate authority.
func NewHTTPClient(tlsConfig *tls.Config) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSClientConfig:       tlsConfig,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		},
	}
}

// Send posts m to the endpoint at rawURL and returns the answer. m goes out
// in the binding of its Header.Version and must carry its message ID.
//
// An HTTP answer without a TAXII message (a proxy's or web server's error
// page) becomes a Status Message of the type HTTP-8 assigns to its HTTP
// status, and a TLS alert from the server one of the type HTTP-9 assigns to
// the alert; both are returned with a nil error, their in_response_to set to
// m's message ID. Transport failures are returned as errors, and so are
// ErrNoMessage, ErrUnsupportedScheme, ErrResponseTooLarge, ErrNotTAXII for a 200 answer
// that is not a TAXII message, ErrBindingNotAccepted for an answer in a
// binding the request did not accept (S09) and ErrBindingMismatch.
func (c *Client) Send(ctx context.Context, rawURL string, m protocol.Message) (
	protocol.Message, error) {
	if m == nil {
		return nil, ErrNoMessage
	}
	req, err := c.newRequest(ctx, rawURL, m)
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		if st, ok := alertStatus(err, m); ok {
			return st, nil
		}
		return nil, fmt.Errorf("send %s: %w", m.Type(), err)
	}
	defer resp.Body.Close()

	answer, err := c.readAnswer(resp, m)
	if err != nil {
		return nil, fmt.Errorf("answer to %s from %s: %w", m.Type(), rawURL, err)
	}
	return answer, nil
}

// newRequest builds the POST carrying m with the headers of HTTP-4.
func (c *Client) newRequest(ctx context.Context, rawURL string, m protocol.Message) (
	*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("endpoint URL: %w", err)
	}
	var proto string
	switch strings.ToLower(u.Scheme) {
	case "https":
		proto = protocol.ProtocolHTTPS
	case "http":
		proto = protocol.ProtocolHTTP
	default:
		return nil, fmt.Errorf("endpoint %q: %w", rawURL, ErrUnsupportedScheme)
	}
	body, err := protocol.Encode(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Type(), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %q: %w", rawURL, err)
	}

	for name, values := range c.Header {
		req.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	v := m.Head().Version
	req.Header.Set("Content-Type", mediaTypeXML)
	req.Header.Set("Accept", mediaTypeXML)
	req.Header.Set(HeaderContentType, bindingID(v))
	req.Header.Set(HeaderAccept, strings.Join(c.accepted(v), " "))
	req.Header.Set(HeaderServices, servicesID(v))
	req.Header.Set(HeaderProtocol, proto)
	if c.Username != "" {
		req.SetBasicAuth(c.Username, c.Password)
	}
	return req, nil
}

// readAnswer reads the answer and checks its binding against the accepted
// ones. A non-200 answer without a TAXII message is mapped as HTTP-8 says.
func (c *Client) readAnswer(resp *http.Response, m protocol.Message) (protocol.Message, error) {
	body, err := readLimited(resp.Body, c.maxResponseSize())
	if err != nil {
		return nil, err
	}
	accepted := c.accepted(m.Head().Version)
	if resp.StatusCode != http.StatusOK {
		if answer, err := decodeAnswer(resp.Header, body, accepted); err == nil {
			return answer, nil
		}
		return httpStatus(resp, body, m), nil
	}
	return decodeAnswer(resp.Header, body, accepted)
}

// decodeAnswer decodes body, refusing a binding that is not among accepted.
// A missing X-TAXII-Content-Type is tolerated when the body is a TAXII
// message (AMB-13).
func decodeAnswer(h http.Header, body []byte, accepted []string) (protocol.Message, error) {
	id := strings.TrimSpace(h.Get(HeaderContentType))
	if id != "" && !acceptedID(accepted, id) {
		return nil, fmt.Errorf("%w: %s is %q, accepted %q",
			ErrBindingNotAccepted, HeaderContentType, id, strings.Join(accepted, " "))
	}
	answer, err := protocol.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotTAXII, err)
	}
	got := bindingID(answer.Head().Version)
	if id != "" && got != id {
		return nil, fmt.Errorf("%w: %s is %q, the body is in %q",
			ErrBindingMismatch, HeaderContentType, id, got)
	}
	if !acceptedID(accepted, got) {
		return nil, fmt.Errorf("%w: the body is in %q, accepted %q",
			ErrBindingNotAccepted, got, strings.Join(accepted, " "))
	}
	return answer, nil
}

func acceptedID(accepted []string, id string) bool {
	for _, a := range accepted {
		if strings.TrimSpace(a) == id {
			return true
		}
	}
	return false
}

// readLimited reads r to its end, but refuses more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("answer body: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w of %d bytes", ErrResponseTooLarge, limit)
	}
	return data, nil
}

// accepted returns the bindings the client accepts in the answer to a
// request in binding v.
func (c *Client) accepted(v protocol.Version) []string {
	if len(c.Accept) == 0 {
		return []string{bindingID(v)}
	}
	return c.Accept
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return defaultHTTP
	}
	return c.HTTP
}

func (c *Client) maxResponseSize() int64 {
	if c.MaxResponseSize <= 0 {
		return DefaultMaxResponseSize
	}
	return c.MaxResponseSize
}
