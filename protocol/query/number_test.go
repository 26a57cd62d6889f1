package query

import "testing"

// TestParseDecimal checks which texts are numbers and their canonical form.
func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when not a number
	}{
		{"0", "0"},
		{"-0", "0"},
		{"+0.000e5", "0"},
		{"10", "0.1e2"},
		{"1.0e1", "0.1e2"},
		{"0010.500", "0.105e2"},
		{".5", "0.5e0"},
		{"5.", "0.5e1"},
		{"-1.5E-3", "-0.15e-2"},
		{"0.000123", "0.123e-3"},
		{"12345678901234567890", "0.1234567890123456789e20"},
		{"1e1073741825", "0.1e1073741825"},
		{"", ""},
		{"+", ""},
		{".", ""},
		{"e5", ""},
		{"1e", ""},
		{"1e+", ""},
		{"1.2.3", ""},
		{"0x10", ""},
		{"1_000", ""},
		{"INF", ""},
		{"NaN", ""},
		{" 1", ""},
		{"--1", ""},
		{"1,5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, _, ok := parseDecimal([]byte(tt.in), nil)
			got := ""
			if ok {
				got = d.String()
			}
			if got != tt.want {
				t.Errorf("got %q (ok %t), want %q", got, ok, tt.want)
			}
		})
	}
}

// TestCompareDecimal checks the exact order of numbers.
func TestCompareDecimal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"2", "1", 1},
		{"1", "1.000", 0},
		{"-1", "1", -1},
		{"-2", "-1", -1},
		{"0", "-0", 0},
		{"0", "0.0001", -1},
		{"-0.0001", "0", -1},
		{"9", "10", -1},
		{"0.12", "0.123", -1},
		{"99999999999999999999", "100000000000000000000", -1},
		{"12345678901234567890", "12345678901234567891", -1},
		{"1e-400", "0", 1},
		{"-1e400", "-1e399", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, _, ok1 := parseDecimal([]byte(tt.a), nil)
			b, _, ok2 := parseDecimal([]byte(tt.b), nil)
			if !ok1 || !ok2 {
				t.Fatal("not numbers")
			}
			if got := compareDecimal(a, b); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
