package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// checkCanonicalIndex fails t if canonicalIndex and Decode disagree about
// data: the fast check must never accept what Decode rejects or read
// another index, and must accept every canonical entry outside the few
// shapes it leaves to Decode on purpose.
func checkCanonicalIndex(t *testing.T, data []byte) {
	t.Helper()
	index, ok := canonicalIndex(data)
	e, err := Decode(data)
	switch {
	case ok && err != nil:
		t.Fatalf("canonicalIndex accepts %q, which Decode rejects: %v", data, err)
	case ok && e.Index != index:
		t.Fatalf("canonicalIndex reads index %d from %q, Decode %d", index, data, e.Index)
	case !ok && err == nil && !leftToDecode(data):
		t.Fatalf("canonicalIndex turns down %q, which Decode accepts", data)
	}
}

// leftToDecode reports whether canonical data has a shape that
// canonicalIndex leaves to Decode: an escape, a DEL byte, or a body nested
// deeper than maxCanonicalDepth.
func leftToDecode(data []byte) bool {
	if bytes.ContainsAny(data, "\\\x7f") {
		return true
	}
	// Without escapes every '"' opens or closes a string.
	depth, deepest, quoted := 0, 0, false
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	// The entry's own object and the body's are the two outermost levels.
	return deepest > maxCanonicalDepth+2
}

// canonicalSamples are entries meant to probe every branch of
// canonicalIndex once encoded, with the spellings they do not use
// produced by changing their bytes.
func canonicalSamples() []Entry {
	day := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
	body := func(s string) json.RawMessage { return json.RawMessage(s) }
	var out []Entry
	for i := 0; i < 6; i++ {
		e := testEntry(i)
		e.Index = int64(i) * 977
		out = append(out, e)
	}
	// The body's object and the objects nested in it, at the deepest
	// canonicalIndex follows and one deeper.
	nested := func(n int) json.RawMessage {
		return json.RawMessage(strings.Repeat(`{"a":`, n-1) + "[1]" + strings.Repeat("}", n-1))
	}
	for _, e := range []Entry{
		{Index: 0, Time: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), Actor: dueprocess.System, Action: "a"},
		{Index: 1, Time: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), Actor: dueprocess.System, Action: "a"},
		{Index: math.MaxInt64, Time: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), Actor: dueprocess.System, Action: "a.b_2.c"},
		{Index: 10, Time: time.Date(2024, 2, 29, 0, 0, 0, 100, time.UTC), Actor: dueprocess.Actor{Type: "staff", ID: "st_1"}, Action: "x", Object: ""},
		{Index: 11, Time: time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), Actor: dueprocess.Actor{Type: "official", ID: "Zoë 東京 ☃"}, Action: "request.viewed", Object: "é"},
		{Index: 12, Time: day, Actor: dueprocess.Actor{Type: "staff", ID: "a<b>&\"c\\\n\x7f\u2028"}, Action: "x", Object: "<>&"},
		{Index: 13, Time: day, Actor: dueprocess.System, Action: "x", Body: body(`{"":0,"a":[],"b":{},"c":[1,-0,2.5e-3,1E+9,true,false,null,"s",[{"z":1,"y":2}]],"d":-12.75}`)},
		{Index: 14, Time: day, Actor: dueprocess.System, Action: "x", Body: body(`{"b":1,"a":2,"a":3}`)},
		{Index: 15, Time: day, Actor: dueprocess.System, Action: "x", Body: body(`{"k":"caf\u00e9 \u2029 \u0000","\u00e9":1,"e":1}`)},
		{Index: 16, Time: day, Actor: dueprocess.System, Action: "x", Body: nested(maxCanonicalDepth + 1)},
		{Index: 16, Time: day, Actor: dueprocess.System, Action: "x", Body: nested(maxCanonicalDepth + 2)},
		{Index: 17, Time: day, Actor: dueprocess.System, Action: "x", Body: body(`{"n":123456789012345678901234567890}`)},
	} {
		out = append(out, e)
	}
	return out
}

func TestCanonicalIndexAgreesWithDecode(t *testing.T) {
	fast := 0
	for _, e := range canonicalSamples() {
		data, err := Encode(e)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", e, err)
		}
		checkCanonicalIndex(t, data)
		if _, ok := canonicalIndex(data); ok {
			fast++
		}
		// Every change of one byte, and every shortening.
		for j := range data {
			orig := data[j]
			for _, c := range append(mutations(orig), '{', '}', '[', ']', ',', ':', '.', 'Z', 'e', '-', '+', '1', '9') {
				data[j] = c
				checkCanonicalIndex(t, data)
			}
			data[j] = orig
			checkCanonicalIndex(t, data[:j])
			// A byte inserted, and a byte removed.
			checkCanonicalIndex(t, append(append(append([]byte(nil), data[:j]...), ' '), data[j:]...))
			checkCanonicalIndex(t, append(append([]byte(nil), data[:j]...), data[j+1:]...))
		}
	}
	// Most samples are of the shape every real entry has, and must take
	// the fast path, or Verify is slow for no reason.
	if fast < 12 {
		t.Errorf("canonicalIndex accepted %d canonical samples, want at least 12", fast)
	}

	for _, s := range []string{
		`{"index":01,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":-1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":9223372036854775808,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"0001-01-01T00:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"0000-01-01T00:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2025-02-29T00:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"1900-02-29T00:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-04-31T00:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T24:00:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:60:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:60Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00.Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00.10Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00.1234567891Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00+00:00","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system","id":""},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"System"},"action":"x","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x.","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x..y","object":"","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"\xff","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"` + "\u2028" + `","body":{}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":[]}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":1,"a":1}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"b":1,"a":1}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":01}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":1.}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":.5}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":1e}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":+1}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{"a":[1,]}}`,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}} `,
		`{"index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{},"index":1}`,
		`{"Index":1,"time":"2026-07-01T09:30:00Z","actor":{"type":"system"},"action":"x","object":"","body":{}}`,
	} {
		if _, ok := canonicalIndex([]byte(s)); ok {
			t.Errorf("canonicalIndex accepts %s", s)
		}
		checkCanonicalIndex(t, []byte(s))
	}
}

// FuzzCanonicalIndex compares the fast canonical check with Decode, which
// parses and encodes again, on any bytes: run it with
// go test ./internal/audit -run '^$' -fuzz FuzzCanonicalIndex.
func FuzzCanonicalIndex(f *testing.F) {
	for _, e := range canonicalSamples() {
		data, err := Encode(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCanonicalIndex(t, data)
	})
}
