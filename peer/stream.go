package peer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/taxiinode/taxiinode/protocol"
)

// ProtocolID is the libp2p protocol of TAXII request/response streams.
const ProtocolID = "/taxii/1.1/xml"

// Request sends one TAXII message to a trusted peer and returns its answer,
// which may be a Status Message. It dials the peer if needed, at the
// addresses it was given.
func (h *Host) Request(ctx context.Context, p ID, req protocol.Message) (protocol.Message, error) {
	if !h.auth.Trusted(p) {
		return nil, fmt.Errorf("%w: %s", ErrNotTrusted, p)
	}
	payload, err := protocol.Encode(req)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	if len(payload) > h.cfg.MaxFrameSize {
		return nil, fmt.Errorf("%w: request of %d bytes", ErrFrameTooLarge, len(payload))
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.RequestTimeout)
	defer cancel()

	s, err := h.host.NewStream(ctx, p, ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("open stream to %s: %w", p, err)
	}
	deadline, _ := ctx.Deadline()
	if err := s.SetDeadline(deadline); err != nil {
		s.Reset()
		return nil, fmt.Errorf("stream deadline: %w", err)
	}
	resp, err := h.exchange(s, payload)
	if err != nil {
		s.Reset()
		return nil, fmt.Errorf("request to %s: %w", p, err)
	}
	s.Close()
	return resp, nil
}

func (h *Host) exchange(s network.Stream, payload []byte) (protocol.Message, error) {
	w := bufio.NewWriter(s)
	if err := writeFrame(w, payload); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := s.CloseWrite(); err != nil {
		return nil, err
	}
	data, err := readFrame(bufio.NewReader(s), h.cfg.MaxFrameSize)
	if err != nil {
		return nil, err
	}
	return protocol.Decode(data)
}

// serveStream answers one request from a trusted peer.
func (h *Host) serveStream(s network.Stream) {
	from := s.Conn().RemotePeer()
	if !h.auth.Trusted(from) {
		s.Reset()
		return
	}
	if err := s.SetDeadline(time.Now().Add(h.cfg.RequestTimeout)); err != nil {
		s.Reset()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.RequestTimeout)
	defer cancel()

	resp := h.answer(ctx, from, s)
	payload, err := protocol.Encode(resp)
	if err != nil {
		h.log.Error("response not encodable", "peer", from, "err", err)
		s.Reset()
		return
	}
	w := bufio.NewWriter(s)
	if err := writeFrame(w, payload); err != nil || w.Flush() != nil {
		h.log.Debug("response not sent", "peer", from, "err", err)
		s.Reset()
		return
	}
	h.stats.requests.Add(1)
	s.Close()
}

// answer reads one request and returns the message to answer it with.
func (h *Host) answer(ctx context.Context, from ID, s network.Stream) protocol.Message {
	data, err := readFrame(bufio.NewReader(s), h.cfg.MaxFrameSize)
	if err != nil {
		h.stats.malformed.Add(1)
	}
	if errors.Is(err, ErrFrameTooLarge) {
		return protocol.Errorf(protocol.StatusBadMessage, "%v", err).
			Status(protocol.NewMessageID(protocol.V11), "")
	}
	if err != nil {
		return protocol.Errorf(protocol.StatusBadMessage, "request not read: %v", err).
			Status(protocol.NewMessageID(protocol.V11), "")
	}
	req, err := protocol.Decode(data)
	if err != nil {
		h.stats.malformed.Add(1)
		var se *protocol.StatusError
		if !errors.As(err, &se) {
			se = protocol.Errorf(protocol.StatusBadMessage, "%v", err)
		}
		return se.Status(protocol.NewMessageID(protocol.V11), "")
	}
	if wait, ok := h.limits.allowRequest(from, len(data)); !ok {
		h.stats.throttled.Add(1)
		return retryStatus(req.Head(), wait)
	}
	return h.handler.ServeTAXII(ctx, from, req)
}

// retryStatus asks a peer over its request limit to come back later.
func retryStatus(req *protocol.Header, after time.Duration) protocol.Message {
	secs := max(1, int((after+time.Second-1)/time.Second))
	st := protocol.Errorf(protocol.StatusRetry, "request rate limit exceeded").
		With(protocol.DetailEstimatedWait, fmt.Sprint(secs)).
		Status(protocol.NewMessageID(req.Version), req.MessageID)
	st.Version = req.Version
	return st
}
