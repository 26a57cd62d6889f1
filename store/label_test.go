package store

import (
	"errors"
	"testing"
	"time"
)

func TestLabelOf(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want Label
	}{
		{"zero time", time.Time{}, 0},
		{"epoch", time.Unix(0, 0), 0},
		{"microsecond", time.Unix(1, 1000), 1_000_001},
		{"truncates nanoseconds", time.Unix(1, 1999), 1_000_001},
		{"other zone", time.Date(2024, 1, 2, 3, 4, 5, 6000, time.FixedZone("x", 3600)),
			Label(time.Date(2024, 1, 2, 2, 4, 5, 6000, time.UTC).UnixMicro())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LabelOf(tt.t); got != tt.want {
				t.Errorf("LabelOf(%v) = %d, want %d", tt.t, got, tt.want)
			}
		})
	}
}

// TestLabelTime checks that labels are UTC instants with at most six
// fractional digits (GEN-7.1, GEN-7.5).
func TestLabelTime(t *testing.T) {
	if got := Label(0).Time(); !got.IsZero() {
		t.Errorf("Label(0).Time() = %v, want the zero time", got)
	}
	in := time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.FixedZone("y", -7200))
	got := LabelOf(in).Time()
	want := in.Truncate(time.Microsecond).UTC()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("round trip = %v, want %v in UTC", got, want)
	}
	if s := LabelOf(in).String(); s != "2025-06-07T10:09:10.123456Z" {
		t.Errorf("String() = %q", s)
	}
}

func TestHash(t *testing.T) {
	h := HashOf([]byte("abc"))
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if h.String() != want {
		t.Fatalf("HashOf(abc) = %s, want %s", h, want)
	}
	back, err := ParseHash(want)
	if err != nil || back != h {
		t.Errorf("ParseHash = %s, %v; want %s", back, err, h)
	}
	for _, bad := range []string{"", "ba78", want + "00", want[:62] + "zz"} {
		if _, err := ParseHash(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseHash(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestRangeBounds(t *testing.T) {
	tests := []struct {
		name        string
		r           Range
		watermark   Label
		first, last Label
		ok          bool
	}{
		{"everything", Range{}, 100, 1, 100, true},
		{"empty store", Range{}, 0, 0, 0, false},
		{"after is exclusive", Range{After: 10}, 100, 11, 100, true},
		{"until is inclusive", Range{Until: 20}, 100, 1, 20, true},
		{"until beyond watermark", Range{After: 5, Until: 500}, 100, 6, 100, true},
		{"single label", Range{After: 9, Until: 10}, 100, 10, 10, true},
		{"after equals until", Range{After: 10, Until: 10}, 100, 0, 0, false},
		{"after beyond until", Range{After: 20, Until: 10}, 100, 0, 0, false},
		{"after at watermark", Range{After: 100}, 100, 0, 0, false},
		{"negative after", Range{After: -5}, 100, 1, 100, true},
		{"negative until", Range{Until: -1}, 100, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last, ok := tt.r.bounds(tt.watermark)
			if ok != tt.ok || (ok && (first != tt.first || last != tt.last)) {
				t.Errorf("bounds = %d, %d, %v; want %d, %d, %v",
					first, last, ok, tt.first, tt.last, tt.ok)
			}
		})
	}
}
