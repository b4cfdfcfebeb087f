package wire

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracking"
)

// TestBaseURL trims what operators add by hand, so that paths join
// without a double slash, and falls back to the vendor's root.
func TestBaseURL(t *testing.T) {
	const def = "https://api.example.com/v2"
	for _, tc := range []struct{ in, want string }{
		{"", def},
		{"  ", def},
		{"/", def},
		{"http://127.0.0.1:9/track/v2.2/", "http://127.0.0.1:9/track/v2.2"},
		{" http://127.0.0.1:9/api// ", "http://127.0.0.1:9/api"},
		{"http://127.0.0.1:9/api", "http://127.0.0.1:9/api"},
	} {
		if got := BaseURL(tc.in, def); got != tc.want {
			t.Errorf("BaseURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNewRequest checks the headers every JSON call carries, and that a
// body is sent as JSON only when there is one.
func TestNewRequest(t *testing.T) {
	tests := []struct {
		name     string
		body     any
		wantBody string
		wantType string
	}{
		{name: "no body", body: nil, wantBody: "", wantType: ""},
		{name: "json body", body: map[string]string{"number": "X1"}, wantBody: `{"number":"X1"}`, wantType: "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := NewRequest(context.Background(), http.MethodPost, "http://127.0.0.1:9/x", tt.body, http.Header{"as-api-key": {"k1"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("as-api-key"); got != "k1" {
				t.Errorf("as-api-key = %q, want k1", got)
			}
			if got := req.Header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q, want application/json", got)
			}
			if got := req.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			var body string
			if req.Body != nil {
				b, err := io.ReadAll(req.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
	if _, err := NewRequest(context.Background(), http.MethodPost, "http://x", func() {}, nil); err == nil {
		t.Error("NewRequest with a body JSON cannot encode: no error")
	}
}

// TestDecode tells the answers apart by status.
func TestDecode(t *testing.T) {
	detail := func(b []byte) string { return Snippet(string(b)) }
	var out struct{ N int }
	if err := Decode(200, []byte(`{"N":7}`), &out, detail); err != nil || out.N != 7 {
		t.Errorf("Decode(200) = %v, out %+v, want nil, N 7", err, out)
	}
	if err := Decode(201, []byte(`not json`), nil, detail); err != nil {
		t.Errorf("Decode(201, out nil) = %v, want nil", err)
	}
	if err := Decode(200, []byte(`not json`), &out, detail); err == nil {
		t.Error("Decode(200, not json) = nil, want an error")
	}
	err := Decode(404, []byte("no such   number"), &out, detail)
	if !errors.Is(err, tracking.ErrNumberUnknown) || !strings.Contains(err.Error(), "no such number") {
		t.Errorf("Decode(404) = %v, want ErrNumberUnknown quoting the body", err)
	}
	err = Decode(400, []byte("bad"), &out, detail)
	if err == nil || errors.Is(err, tracking.ErrNumberUnknown) || err.Error() != "HTTP 400 bad" {
		t.Errorf("Decode(400) = %v, want HTTP 400 bad", err)
	}
}

// TestSnippet cuts secrets out and keeps error messages short.
func TestSnippet(t *testing.T) {
	if got, want := Snippet("key  sk_live_1\nechoed, tok2", "sk_live_1", "", "tok2"), "key [redacted] echoed, [redacted]"; got != want {
		t.Errorf("Snippet = %q, want %q", got, want)
	}
	long := Snippet(strings.Repeat("a", 300))
	if want := strings.Repeat("a", 200) + "…"; long != want {
		t.Errorf("Snippet(300 bytes) = %d bytes, want %d", len(long), len(want))
	}
}

// TestEqualSecret compares tokens of any length.
func TestEqualSecret(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		equal     bool
	}{
		{"s3cret", "s3cret", true},
		{"s3cret", "s3cre", false},
		{"", "s3cret", false},
		{"S3CRET", "s3cret", false},
	} {
		if got := EqualSecret(tc.got, tc.want); got != tc.equal {
			t.Errorf("EqualSecret(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.equal)
		}
	}
}

// TestCode matches table keys whatever the case and space of the query.
func TestCode(t *testing.T) {
	table := map[string]string{"dhl-express": "express"}
	for _, tc := range []struct {
		key, want string
		ok        bool
	}{
		{"dhl-express", "express", true},
		{" DHL-Express ", "express", true},
		{"dhl", "", false},
		{"", "", false},
	} {
		if got, ok := Code(table, tc.key); got != tc.want || ok != tc.ok {
			t.Errorf("Code(%q) = %q, %v, want %q, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}
