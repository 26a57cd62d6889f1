package store

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Defaults of Options, sized for a small node (see the Badger figures in
// the project notes): a 64 MiB value log keeps the sparse files modest.
const (
	DefaultMemTableSize     = 16 << 20
	DefaultValueThreshold   = 1 << 10
	DefaultValueLogFileSize = 64 << 20
	DefaultBlockCacheSize   = 16 << 20
	DefaultGCInterval       = 10 * time.Minute
	DefaultSweepInterval    = time.Minute
	// gcDiscardRatio: a value log file is rewritten when at least this share
	// of it is garbage.
	gcDiscardRatio = 0.5
	// inMemoryValueThreshold is Badger's ceiling for values held in memory,
	// and so the largest content an in-memory store takes.
	inMemoryValueThreshold = 1 << 20
)

// Options configures Open. The zero value of every field but Dir selects
// its default.
type Options struct {
	// Dir is the data directory of the Badger files. Ignored with InMemory.
	Dir string
	// InMemory keeps everything in memory, for unit tests that are not
	// about durability. Contents are then limited to just under 1 MiB.
	InMemory bool
	// Logger receives the store's messages and Badger's own at WARN and
	// above. Nil discards them.
	Logger *slog.Logger
	// Now returns the wall clock used for labels, ages and expiry. Nil
	// means time.Now.
	Now func() time.Time
	// MemTableSize is the size of one Badger memtable in bytes (default
	// 16 MiB). One transaction holds at most 15% of it.
	MemTableSize int64
	// ValueThreshold is the size from which a value (in practice a content)
	// is kept in the value log rather than in the LSM tree (default 1 KiB).
	// Contents in the value log are written once and scan an order of
	// magnitude faster; contents in the tree save the value log's sync on
	// each commit but are rewritten by every compaction.
	ValueThreshold int64
	// ValueLogFileSize is the size of one value log file (default 64 MiB);
	// it is also the largest content the store accepts. Badger preallocates
	// twice this size as a sparse file.
	ValueLogFileSize int64
	// BlockCacheSize is the cache of decompressed table blocks in bytes
	// (default 16 MiB).
	BlockCacheSize int64
	// GCInterval is how often Run collects value log garbage (default
	// 10 minutes).
	GCInterval time.Duration
	// SweepInterval is how often Run removes expired result sets (default
	// one minute).
	SweepInterval time.Duration
	// JournalSize is the size in bytes of the store's commit log (default
	// 32 MiB), used when the file is created; a full journal costs a
	// checkpoint. See journal.go.
	JournalSize int64
	// NoJournal has Badger sync every commit itself, instead of the
	// journal syncing each batch: two syncs per commit instead of one,
	// and none in parallel with Badger's work. For comparison.
	NoJournal bool
}

// withDefaults returns o with every unset knob at its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	defaults := []struct {
		field *int64
		value int64
	}{
		{&o.MemTableSize, DefaultMemTableSize},
		{&o.ValueThreshold, DefaultValueThreshold},
		{&o.ValueLogFileSize, DefaultValueLogFileSize},
		{&o.BlockCacheSize, DefaultBlockCacheSize},
		{&o.JournalSize, DefaultJournalSize},
	}
	for _, d := range defaults {
		if *d.field <= 0 {
			*d.field = d.value
		}
	}
	if o.InMemory {
		o.ValueThreshold = inMemoryValueThreshold
		o.NoJournal = true
	}
	if o.GCInterval <= 0 {
		o.GCInterval = DefaultGCInterval
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	return o
}

// badgerOptions translates o (with defaults applied) for Badger. With the
// journal, Badger does not sync its commits: the journal makes batches of
// puts durable and syncAll everything else (see journal.go). Without it,
// every commit reaches the disk before it returns, including the rewrites
// of value log garbage collection.
func (o Options) badgerOptions() (badger.Options, error) {
	dir := o.Dir
	if o.InMemory {
		dir = ""
	} else if dir == "" {
		return badger.Options{}, invalidf("empty data directory")
	}
	bo := badger.DefaultOptions(dir).
		WithInMemory(o.InMemory).
		WithSyncWrites(!o.InMemory && o.NoJournal).
		WithMemTableSize(o.MemTableSize).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithValueThreshold(o.ValueThreshold).
		WithValueLogFileSize(o.ValueLogFileSize).
		WithBlockCacheSize(o.BlockCacheSize).
		WithIndexCacheSize(16 << 20).
		WithNumCompactors(2).
		WithLogger(badgerLogger{log: o.Logger}).
		WithLoggingLevel(badger.WARNING)
	if o.ValueThreshold*100 > o.MemTableSize*15 {
		return badger.Options{}, invalidf("value threshold %d above 15%% of the memtable size %d",
			o.ValueThreshold, o.MemTableSize)
	}
	return bo, nil
}

// badgerLogger passes Badger's warnings and errors to slog and drops the
// rest.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(format string, args ...any) {
	l.log.Error("badger error", "err", strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (l badgerLogger) Warningf(format string, args ...any) {
	l.log.Warn("badger warning", "err", strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
