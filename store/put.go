package store

import (
	"context"
	"fmt"

	"github.com/taxiinode/taxiinode/protocol"
)

// Limits on the metadata of one block.
const (
	maxMessageLen = 64 << 10
	maxFieldLen   = MaxNameLen
)

// NewBlock is a content block to store.
type NewBlock struct {
	// Collection is the name of the collection the block goes to.
	Collection string
	// Binding is the block's content binding, with at most one subtype.
	Binding protocol.ContentBinding
	Content []byte
	IsXML   bool
	// Message is the content block's Message, if any.
	Message string
	Origin  Origin
}

// PutResult is the outcome of storing one block.
type PutResult struct {
	// Label is the block's label: a new one, or the existing one for a
	// duplicate.
	Label Label
	Hash  Hash
	// Duplicate is true when the collection already held a block with
	// this content hash; nothing was stored for it.
	Duplicate bool
}

// Put stores the blocks, possibly of several collections, as one atomic
// step: all are stored or none. A block whose content hash its collection
// already holds (also earlier in the same call) is not stored again and is
// reported as Duplicate with the existing label. Labels are assigned in the
// order of blocks. The results are in the order of blocks.
//
// When Put returns nil every new block is durable: synced to disk, so it
// survives SIGKILL and power loss. Put is safe for concurrent use:
// concurrent calls share one commit and one sync. If ctx ends before the
// writer takes the call, Put returns ctx's error and stores nothing; once
// taken, the call runs to its end.
//
// Put returns an error wrapping ErrInvalid for a block it refuses (empty or
// malformed collection name, empty binding ID, more than one subtype,
// unknown Origin.Via, oversized metadata), ErrTooLarge for a content over
// MaxContentSize, ErrClosed after Close and ErrStorage on a disk failure.
func (s *Store) Put(ctx context.Context, blocks []NewBlock) ([]PutResult, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	req, err := s.newPut(blocks)
	if err != nil {
		return nil, fmt.Errorf("put: %w", err)
	}
	if len(blocks) == 0 {
		return req.results, nil
	}

	if err := s.submit(ctx, req); err != nil {
		return nil, fmt.Errorf("put: %w", err)
	}
	return req.results, nil
}

// newPut validates blocks and prepares the writer's request.
func (s *Store) newPut(blocks []NewBlock) (*request, error) {
	req := &request{
		blocks:  make([]pendingBlock, len(blocks)),
		results: make([]PutResult, len(blocks)),
		count:   1,
		size:    s.entryCost(len(keyWatermark), 8),
	}
	seen := make(map[string]bool)
	for i := range blocks {
		b := &blocks[i]
		if err := s.checkBlock(b); err != nil {
			return nil, fmt.Errorf("block %d: %w", i, err)
		}
		h := HashOf(b.Content)
		pb := pendingBlock{
			collection: b.Collection,
			hash:       h,
			meta:       encodeMeta(b, h),
			content:    b.Content,
		}
		req.blocks[i] = pb
		size, count := s.blockCost(&pb)
		req.size += size
		req.count += count
		if !seen[b.Collection] {
			seen[b.Collection] = true
			req.colls = append(req.colls, b.Collection)
			req.size += s.entryCost(1+len(b.Collection), 8)
			req.count++
		}
	}
	if len(req.colls) > maxPutCollections {
		return nil, fmt.Errorf("%w: %d collections in one put, limit %d",
			ErrTooLarge, len(req.colls), maxPutCollections)
	}
	return req, nil
}

// checkBlock validates one block.
func (s *Store) checkBlock(b *NewBlock) error {
	if err := checkName("collection name", b.Collection); err != nil {
		return err
	}
	if limit := s.MaxContentSize(); len(b.Content) > limit {
		return fmt.Errorf("%w: content of %d bytes, limit %d", ErrTooLarge, len(b.Content), limit)
	}
	if err := checkName("content binding ID", b.Binding.BindingID); err != nil {
		return err
	}
	if len(b.Binding.Subtypes) > 1 {
		return invalidf("%d subtypes in a content block's binding, at most 1",
			len(b.Binding.Subtypes))
	}
	for _, st := range b.Binding.Subtypes {
		if err := checkName("binding subtype", st); err != nil {
			return err
		}
	}
	if len(b.Message) > maxMessageLen {
		return invalidf("message of %d bytes, limit %d", len(b.Message), maxMessageLen)
	}
	if !validVia(b.Origin.Via) {
		return invalidf("unknown origin %q", b.Origin.Via)
	}
	if len(b.Origin.From) > maxFieldLen || len(b.Origin.Author) > maxFieldLen {
		return invalidf("origin peer longer than %d bytes", maxFieldLen)
	}
	return nil
}
