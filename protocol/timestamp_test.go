package protocol

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		name string
		in   string
		want time.Time // zero: an error is expected
	}{
		{"utc seconds", "2014-12-19T00:00:00Z", utc("2014-12-19T00:00:00Z")},
		{"offset millis (XML-7 example)", "2014-10-21T15:21:50.895-04:00",
			utc("2014-10-21T19:21:50.895Z")},
		{"micros", "2017-06-06T10:15:30.123456Z", utc("2017-06-06T10:15:30.123456Z")},
		{"nanos cut to micros (AMB-36)", "2017-06-06T10:15:31.000000999Z",
			utc("2017-06-06T10:15:31Z")},
		{"many digits cut", "2017-06-06T10:15:30.1234569999999Z",
			utc("2017-06-06T10:15:30.123456Z")},
		{"positive offset", "2017-06-06T12:15:30.123456+02:00",
			utc("2017-06-06T10:15:30.123456Z")},
		{"minus zero offset", "2017-06-06T10:15:30-00:00", utc("2017-06-06T10:15:30Z")},
		{"surrounding white space (XML-9)", " \n\t2014-12-19T00:00:00Z\r\n ",
			utc("2014-12-19T00:00:00Z")},
		{"leap day", "2016-02-29T23:59:59Z", utc("2016-02-29T23:59:59Z")},
		{"largest", "9999-12-31T23:59:59.999999Z", utc("9999-12-31T23:59:59.999999Z")},
		{"no zone (S02)", "2018-02-09T00:00:00", time.Time{}},
		{"date only (S02)", "2018-02-09", time.Time{}},
		{"no seconds (S03)", "2017-06-06T10:15Z", time.Time{}},
		{"no seconds with offset", "2017-06-06T10:15+02:00", time.Time{}},
		{"empty fraction", "2017-06-06T10:15:30.Z", time.Time{}},
		{"lower-case t", "2017-06-06t10:15:30Z", time.Time{}},
		{"lower-case z", "2017-06-06T10:15:30z", time.Time{}},
		{"space separator", "2017-06-06 10:15:30Z", time.Time{}},
		{"hour 24", "2017-06-06T24:00:00Z", time.Time{}},
		{"leap second", "2016-12-31T23:59:60Z", time.Time{}},
		{"feb 30", "2017-02-30T10:00:00Z", time.Time{}},
		{"feb 29 of a common year", "1900-02-29T10:00:00Z", time.Time{}},
		{"month 13", "2017-13-01T10:00:00Z", time.Time{}},
		{"zone too large", "2017-06-06T10:15:30+15:00", time.Time{}},
		{"zone without colon", "2017-06-06T10:15:30+0200", time.Time{}},
		{"negative year", "-2017-06-06T10:15:30Z", time.Time{}},
		{"year zero", "0000-06-06T10:15:30Z", time.Time{}},
		{"beyond year 9999 in UTC", "9999-12-31T23:00:00-02:00", time.Time{}},
		{"trailing garbage", "2017-06-06T10:15:30Zx", time.Time{}},
		{"empty", "", time.Time{}},
		{"non-ASCII digits", "２０１７-06-06T10:15:30Z", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			if tt.want.IsZero() {
				if !errors.Is(err, ErrTimestamp) {
					t.Fatalf("ParseTimestamp(%q) = %v, %v; want an ErrTimestamp", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTimestamp(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"whole seconds", time.Date(2014, 12, 19, 0, 0, 0, 0, time.UTC), "2014-12-19T00:00:00.000000Z"},
		{"millis", time.Date(2014, 10, 21, 19, 21, 50, 895e6, time.UTC),
			"2014-10-21T19:21:50.895000Z"},
		{"micros", time.Date(2017, 6, 6, 10, 15, 30, 123456e3, time.UTC),
			"2017-06-06T10:15:30.123456Z"},
		{"one micro", time.Date(2017, 6, 6, 10, 15, 30, 1000, time.UTC),
			"2017-06-06T10:15:30.000001Z"},
		{"nanos dropped", time.Date(2017, 6, 6, 10, 15, 30, 999, time.UTC),
			"2017-06-06T10:15:30.000000Z"},
		{"other zone to UTC", time.Date(2017, 6, 6, 12, 15, 30, 0, time.FixedZone("", 7200)),
			"2017-06-06T10:15:30.000000Z"},
	}
	// Every timestamp written has the same length, so text order is time
	// order.
	if a, b := FormatTimestamp(time.Date(2017, 6, 6, 10, 15, 30, 743350e3, time.UTC)),
		FormatTimestamp(time.Date(2017, 6, 6, 10, 15, 30, 743351e3, time.UTC)); a >= b {
		t.Errorf("%s does not sort before %s", a, b)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatTimestamp(tt.in); got != tt.want {
				t.Errorf("FormatTimestamp(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTimestampRoundTrip checks that every microsecond instant survives
// FormatTimestamp and ParseTimestamp exactly (S03: a client sends back the
// exact end it received).
func TestTimestampRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := minTimestamp.UnixMicro(), maxTimestamp.UnixMicro()
	for i := 0; i < 20000; i++ {
		want := time.UnixMicro(lo + rng.Int64N(hi-lo+1)).UTC()
		s := FormatTimestamp(want)
		got, err := ParseTimestamp(s)
		if err != nil || !got.Equal(want) {
			t.Fatalf("ParseTimestamp(FormatTimestamp(%v)) = %v, %v (text %q)", want, got, err, s)
		}
		if !xml7.MatchString(s) {
			t.Fatalf("FormatTimestamp(%v) = %q does not match the XML-7 pattern", want, s)
		}
	}
}

// xml7 is the TimestampLabelType pattern of the XML Message Binding schema.
var xml7 = regexp.MustCompile(
	`^-?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}` +
		`(\.[0-9]{1,6})?(((\+|-)[0-9]{2}:[0-9]{2})|Z)$`)

// TestTimestampCases reads the timestamps of cases S02 and S03 and checks
// which are refused and, for S03, which fixture labels each poll window
// selects (exclusive begin, inclusive end, microsecond precision).
func TestTimestampCases(t *testing.T) {
	labels := []string{ // S03 fixture.md: L1, L2, L3
		"2017-06-06T10:15:30Z", "2017-06-06T10:15:30.123456Z", "2017-06-06T10:15:31Z",
	}
	tests := []struct {
		name   string
		file   string
		refuse bool
		blocks string // S03: labels selected, by number
	}{
		{"S02 no zone", "S02-timestamp-without-zone/poll-no-zone.xml", true, ""},
		{"S02 date only", "S02-timestamp-without-zone/poll-date-only.xml", true, ""},
		{"S02 utc", "S02-timestamp-without-zone/poll-utc-z.xml", false, ""},
		{"S03 seconds", "S03-timestamp-precision/poll-seconds.xml", false, "1"},
		{"S03 millis", "S03-timestamp-precision/poll-milliseconds.xml", false, "23"},
		{"S03 offset and nanos", "S03-timestamp-precision/poll-offset-microseconds-nanoseconds.xml",
			false, "3"},
		{"S03 no seconds", "S03-timestamp-precision/poll-no-seconds.xml", true, ""},
	}
	field := regexp.MustCompile(`<[a-z_0-9]*:?(Exclusive_Begin|Inclusive_End)_Timestamp>([^<]*)<`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "cases", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var begin, end time.Time
			refused := false
			for _, m := range field.FindAllStringSubmatch(string(data), -1) {
				v, err := ParseTimestamp(m[2])
				if err != nil {
					refused = true
					continue
				}
				if m[1] == "Exclusive_Begin" {
					begin = v
				} else {
					end = v
				}
			}
			if refused != tt.refuse {
				t.Fatalf("refused = %v, want %v", refused, tt.refuse)
			}
			if tt.blocks == "" {
				return
			}
			got := ""
			for i, l := range labels {
				label, _ := ParseTimestamp(l)
				if label.After(begin) && !label.After(end) {
					got += string(rune('1' + i))
				}
			}
			if got != tt.blocks {
				t.Errorf("window (%v, %v] selects labels %q, want %q", begin, end, got, tt.blocks)
			}
		})
	}
}
