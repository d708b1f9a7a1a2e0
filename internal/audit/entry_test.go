package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

func TestEncodeExact(t *testing.T) {
	e := Entry{
		Index:  42,
		Time:   time.Date(2026, 7, 1, 9, 30, 0, 120000000, time.FixedZone("HKT", 8*3600)),
		Actor:  dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_1"},
		Action: "request.status_changed",
		Object: "request:DP-2026-000042",
		Body:   json.RawMessage(` { "to": "paused", "from" : "in_review", "n": 12345678901234567890 } `),
	}
	got, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"index":42,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.status_changed","object":"request:DP-2026-000042","body":{"from":"in_review","n":12345678901234567890,"to":"paused"}}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}

	sys := Entry{Time: time.Unix(0, 0), Actor: dueprocess.System, Action: "signin.failed"}
	got, err = Encode(sys)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"index":0,"time":"1970-01-01T00:00:00Z","actor":{"type":"system"},"action":"signin.failed","object":"","body":{}}`
	if string(got) != want {
		t.Errorf("Encode:\n got %s\nwant %s", got, want)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for i := 0; i < 100; i++ {
		e := testEntry(i)
		e.Index = int64(i)
		data, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(data)
		if err != nil {
			t.Fatalf("Decode(%s): %v", data, err)
		}
		if d.Index != e.Index || !d.Time.Equal(e.Time) || d.Time.Location() != time.UTC || d.Actor != e.Actor || d.Action != e.Action || d.Object != e.Object {
			t.Errorf("Decode(Encode(%+v)) = %+v", e, d)
		}
		again, err := Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Errorf("Encode(Decode(%s)) = %s", data, again)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	good := testEntry(1)
	for _, tc := range []struct {
		field  string
		change func(*Entry)
	}{
		{"index", func(e *Entry) { e.Index = -1 }},
		{"time", func(e *Entry) { e.Time = time.Time{} }},
		{"time", func(e *Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"actor", func(e *Entry) { e.Actor.Type = "" }},
		{"actor", func(e *Entry) { e.Actor.Type = "Staff" }},
		{"actor", func(e *Entry) { e.Actor.ID = "\xff" }},
		{"action", func(e *Entry) { e.Action = "" }},
		{"action", func(e *Entry) { e.Action = "request..created" }},
		{"action", func(e *Entry) { e.Action = "request.created." }},
		{"action", func(e *Entry) { e.Action = "request created" }},
		{"object", func(e *Entry) { e.Object = "request:\xc3" }},
		{"body", func(e *Entry) { e.Body = json.RawMessage(`[1,2]`) }},
		{"body", func(e *Entry) { e.Body = json.RawMessage(`{"a":1} {}`) }},
		{"body", func(e *Entry) { e.Body = json.RawMessage(`{"a":`) }},
		{"body", func(e *Entry) { e.Body = json.RawMessage(`null`) }},
	} {
		e := good
		tc.change(&e)
		_, err := Encode(e)
		if err == nil {
			t.Errorf("Encode(%+v) succeeded, want an error about %s", e, tc.field)
			continue
		}
		if got := dueprocess.ErrorField(err); got != tc.field {
			t.Errorf("Encode(%+v) error %q names field %q, want %q", e, err, got, tc.field)
		}
	}
}

func TestDecodeRejectsNonCanonical(t *testing.T) {
	canon := `{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`
	if _, err := Decode([]byte(canon)); err != nil {
		t.Fatalf("Decode(canonical): %v", err)
	}
	for _, bad := range []string{
		// keys re-ordered
		`{"time":"2026-07-01T01:30:00.12Z","index":3,"actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"id":"st_1","type":"staff"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"b":"x","a":1}}`,
		// whitespace
		`{"index":3, "time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		canon + "\n",
		// other spellings of the time
		`{"index":3,"time":"2026-07-01T01:30:00.120Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T09:30:00.12+08:00","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		// other spellings of numbers and strings
		`{"index":03,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-00000\u0033","body":{"a":1,"b":"x"}}`,
		// keys in another case, repeated, unknown or missing
		`{"Index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"},"extra":1}`,
		`{"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"system","id":""},"action":"request.viewed","object":"request:DP-2026-000003","body":{"a":1,"b":"x"}}`,
		`{"index":3,"time":"2026-07-01T01:30:00.12Z","actor":{"type":"staff","id":"st_1"},"action":"request.viewed","object":"request:DP-2026-000003"}`,
		``,
		`null`,
	} {
		if e, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s) = %+v, want an error", bad, e)
		}
	}
	_, err := Decode([]byte(strings.Replace(canon, `"b":"x"`, `"b": "x"`, 1)))
	if !errors.Is(err, ErrNotCanonical) {
		t.Errorf("Decode(spaced body) error = %v, want ErrNotCanonical", err)
	}
}

// FuzzDecode checks that whatever Decode accepts is exactly what Encode
// writes for the entry it returns.
func FuzzDecode(f *testing.F) {
	for i := 0; i < 5; i++ {
		e := testEntry(i)
		e.Index = int64(i)
		data, err := Encode(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"index":1,"time":"2026-01-01T00:00:00Z","actor":{"type":"system"},"action":"a","object":"","body":{"x":[1,{"b":null,"a":"\u003c"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Encode(e)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)): %v", data, err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("Encode(Decode(%q)) = %q", data, again)
		}
	})
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "request:DP-2026-000042", "st_1", "a b", `q"uote`, `back\slash`, "<script>", "a&b", "tab\there",
		"new\nline", "\x00\x1f\x7f", "é", "\u2028\u2029", "\xff", "~", "DP-2026-000042",
	} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	}
}
