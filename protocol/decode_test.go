package protocol

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// specDir holds the official schemas and the example messages.
const specDir = "testdata/spec/messages"

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	return files
}

// roundTrip decodes data, encodes the message and decodes it again,
// failing unless the two decoded messages are equal. It returns the
// message and its encoding.
func roundTrip(t *testing.T, data []byte) (Message, []byte) {
	t.Helper()
	m, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	out, err := Encode(m)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	m2, err := Decode(out)
	if err != nil {
		t.Fatalf("Decode of the encoding: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("decoded again differently:\n got %#v\nwant %#v", m2, m)
	}
	return m, out
}

// TestDecodeSpecMessages decodes every valid example message (XML-5),
// re-encodes it and checks that the encoding decodes to the same message
// and is the same XML in canonical form (XML-11: prefixes do not matter).
func TestDecodeSpecMessages(t *testing.T) {
	var files []string
	for _, dir := range []string{specDir, specDir + "/stix-content", specDir + "/taxii-1.0"} {
		files = append(files, glob(t, dir+"/*.xml")...)
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, specDir+"/"), func(t *testing.T) {
			data := readFile(t, f)
			m, out := roundTrip(t, data)
			want := V11
			if strings.Contains(f, "taxii-1.0") {
				want = V10
			}
			if m.Head().Version != want {
				t.Errorf("Version = %d, want %d", m.Head().Version, want)
			}
			if a, b := canonical(t, data), canonical(t, out); a != b {
				t.Errorf("re-encoded XML differs at %s\n%s", diffLines(a, b), out)
			}
		})
	}
}

// TestDecodeInvalidMessages checks every negative example: each is refused
// with BAD_MESSAGE for the rule its README names, answering the message's
// ID when one can be read (AMB-11); the Content_Binding on a DISCOVERY
// instance is accepted because a receiver ignores it (MSG-32).
func TestDecodeInvalidMessages(t *testing.T) {
	tests := []struct {
		file string
		want error // nil: accepted
		id   string
	}{
		{"collection_information_request.not-well-formed.sample-use.xml", ErrSyntax, ""},
		{"discovery_response.content-binding-on-discovery.java-taxii.xml", nil, ""},
		{"discovery_response.doctype-local.java-taxii.xml", ErrDoctype, ""},
		{"discovery_response.doctype-remote.java-taxii.xml", ErrDoctype, ""},
		{"inbox_message.record-count-below-blocks.java-taxii.xml", ErrInvalid, "invalid3"},
		{"poll_request.both-subscription-and-params.java-taxii.xml", ErrInvalid,
			"valid-poll-request"},
		{"poll_request.end-before-begin.java-taxii.xml", ErrInvalid, "invalid-poll-request"},
		{"poll_response.more-without-result_id.java-taxii.xml", ErrInvalid, "invalid1"},
		{"poll_response.record-count-below-blocks.java-taxii.xml", ErrInvalid, "invalid3"},
		{"status_message.invalid_response_part-no-detail.java-taxii.xml", ErrInvalid,
			"badInvalidResponsePart1"},
		{"status_message.invalid_response_part-non-integer.java-taxii.xml", ErrInvalid,
			"badInvalidResponsePart3"},
		{"status_message.no-in_response_to.java-taxii.xml", ErrSchema, "invalidStatusMessage"},
		{"status_message.pending-bad-will_push.java-taxii.xml", ErrInvalid, "invalid-PENDING7"},
		{"status_message.pending-missing-result_id.java-taxii.xml", ErrInvalid, "invalid-PENDING5"},
		{"status_message.pending-zero-wait.java-taxii.xml", ErrInvalid, "invalid-PENDING4"},
		{"status_message.retry-negative-wait.java-taxii.xml", ErrInvalid, "invalid2-RETRY"},
		{"subscription_management_request.pause-no-id.java-taxii.xml", ErrInvalid, "pause-invalid"},
		{"subscription_management_request.status-with-params.java-taxii.xml", ErrInvalid,
			"subscribe-valid"},
		{"subscription_management_request.subscribe-no-params.java-taxii.xml", ErrInvalid,
			"subscribe-invalid"},
		{"subscription_management_request.timestamp-param-not-rfc3339.libtaxii.xml", ErrInvalid,
			"'SubsReq02'"},
		{"subscription_management_request.unsubscribe-no-id.java-taxii.xml", ErrInvalid,
			"unsubscribe-invalid"},
		{"subscription_management_response.status-missing-params.libtaxii.xml", ErrInvalid,
			"SubsResp01"},
	}
	files := glob(t, specDir+"/invalid/*.xml")
	if len(files) != len(tests) {
		t.Errorf("%d files in invalid/, %d in the table", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Decode(readFile(t, specDir+"/invalid/"+tt.file))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(m.(*DiscoveryResponse).ServiceInstances[0].ContentBindings) != 1 {
					t.Errorf("Content_Binding not kept")
				}
				return
			}
			checkBadMessage(t, err, tt.want, tt.id)
		})
	}
}

// checkBadMessage checks that err is a BAD_MESSAGE *StatusError wrapping
// want and answering id.
func checkBadMessage(t *testing.T, err, want error, id string) {
	t.Helper()
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *StatusError", err, err)
	}
	if se.Type != StatusBadMessage {
		t.Errorf("status type %s, want BAD_MESSAGE", se.Type)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v does not wrap %v", err, want)
	}
	if se.InResponseTo != id {
		t.Errorf("InResponseTo = %q, want %q", se.InResponseTo, id)
	}
	if se.Message == "" {
		t.Errorf("empty Message")
	}
}
