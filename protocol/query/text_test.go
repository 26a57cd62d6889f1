package query

import "testing"

// TestAppendText checks entity decoding, line-end and attribute-value
// normalisation.
func TestAppendText(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		attr bool
		want string
	}{
		{"plain", "abc", false, "abc"},
		{"predefined entities", "&lt;&gt;&amp;&apos;&quot;", false, `<>&'"`},
		{"decimal reference", "&#65;&#233;", false, "Aé"},
		{"hex reference", "&#x41;&#X41;&#x1F600;", false, "A&#X41;😀"},
		{"unknown entity kept", "&nbsp;x", false, "&nbsp;x"},
		{"lone ampersand", "a & b", false, "a & b"},
		{"unterminated", "&amp", false, "&amp"},
		{"reference to NUL", "&#0;", false, "&#0;"},
		{"reference to a surrogate", "&#xD800;", false, "&#xD800;"},
		{"reference beyond Unicode", "&#x110000;", false, "&#x110000;"},
		{"CR LF", "a\r\nb\rc\nd", false, "a\nb\nc\nd"},
		{"tab kept in text", "a\tb", false, "a\tb"},
		{"attribute white space", "a\tb\nc\r\nd", true, "a b c d"},
		{"attribute reference kept", "a&#10;b&#9;c", true, "a\nb\tc"},
		{"reference to CR", "a&#13;b", false, "a\rb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, []byte(tt.raw), tt.attr)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
