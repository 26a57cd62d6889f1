package trust

import (
	"reflect"
	"testing"
)

func TestRightsOn(t *testing.T) {
	r := Rights{"a": Read, "b": Read | Write, AnyCollection: Read}
	tests := []struct {
		name       string
		collection string
		want       Right
	}{
		{"read only", "a", Read},
		{"read and write", "b", All},
		{"wildcard grants read elsewhere", "c", Read},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.On(tt.collection); got != tt.want {
				t.Errorf("On(%q) = %v, want %v", tt.collection, got, tt.want)
			}
		})
	}
}

func TestGrantRevokeCopy(t *testing.T) {
	orig := NewRights([]string{"a"}, nil)
	granted := orig.Grant("a", Write)
	if orig.On("a") != Read {
		t.Fatalf("Grant modified its receiver: %v", orig.On("a"))
	}
	if granted.On("a") != All {
		t.Fatalf("granted = %v, want read,write", granted.On("a"))
	}
	revoked := granted.Revoke("a", Read).Revoke("a", Write)
	if _, ok := revoked["a"]; ok {
		t.Fatalf("a collection with no rights left stays listed: %v", revoked)
	}
}

func TestCollections(t *testing.T) {
	r := NewRights([]string{"x", "y"}, []string{"y", "z"})
	if got, want := r.Collections(Read), []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Collections(Read) = %v, want %v", got, want)
	}
	if got, want := r.Collections(All), []string{"y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Collections(All) = %v, want %v", got, want)
	}
}

func TestRightString(t *testing.T) {
	tests := []struct {
		r    Right
		want string
	}{{None, "none"}, {Read, "read"}, {Write, "write"}, {All, "read,write"}}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}
