package query

import (
	"testing"
	"time"
)

// TestParseDateTime checks the RFC 3339 form of query values and the
// xs:dateTime form of content values.
func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in      string
		lexical bool
		want    string // UTC instant; "" when refused
		zoned   bool
	}{
		{"2014-06-01T00:00:00Z", false, "2014-06-01T00:00:00Z", true},
		{"2014-06-01t00:00:00z", false, "2014-06-01T00:00:00Z", true},
		{"2014-06-01T02:30:00+02:30", false, "2014-06-01T00:00:00Z", true},
		{"2014-05-31T22:00:00-02:00", false, "2014-06-01T00:00:00Z", true},
		{"2014-06-01T00:00:00.123456789123Z", false, "2014-06-01T00:00:00.123456789Z", true},
		{"2014-06-01T00:00:00.5+00:00", false, "2014-06-01T00:00:00.5Z", true},
		{"2016-02-29T00:00:00Z", false, "2016-02-29T00:00:00Z", true},
		{"2000-02-29T00:00:00Z", false, "2000-02-29T00:00:00Z", true},
		{"1900-02-29T00:00:00Z", false, "", false},
		{"2014-06-01T00:00:00", false, "", false},
		{"2014-06-01T00:00:00", true, "2014-06-01T00:00:00Z", false},
		{"2014-06-01T24:00:00Z", false, "", false},
		{"2014-06-01T24:00:00Z", true, "2014-06-02T00:00:00Z", true},
		{"2014-06-01T24:00:01Z", true, "", false},
		{"2014-06-01T23:59:60Z", true, "", false},
		{"2014-06-01 00:00:00Z", false, "", false},
		{"2014-06-01", true, "", false},
		{"0000-01-01T00:00:00Z", true, "", false},
		{"2014-13-01T00:00:00Z", false, "", false},
		{"2014-06-31T00:00:00Z", false, "", false},
		{"2014-06-01T00:60:00Z", false, "", false},
		{"2014-06-01T00:00:00.Z", false, "", false},
		{"2014-06-01T00:00:00+2:00", false, "", false},
		{"2014-06-01T00:00:00+24:00", false, "", false},
		{"2014-06-01T00:00:00Z ", false, "", false},
		{"+2014-06-01T00:00:00Z", false, "", false},
		{"Tue Oct 21 15:34:33 EDT 2014", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			at, zoned, ok := parseDateTime([]byte(tt.in), tt.lexical)
			got := ""
			if ok {
				got = at.Format(time.RFC3339Nano)
			}
			if got != tt.want || (ok && zoned != tt.zoned) {
				t.Errorf("got %q zoned %t, want %q zoned %t", got, zoned, tt.want, tt.zoned)
			}
		})
	}
}
