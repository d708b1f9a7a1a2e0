package web

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/dueprocess/dueprocess"
)

// FuzzAuditParams fuzzes what the audit endpoints read from a URL: the
// query parameters of the proof endpoints (index, size, old, new) and the
// entry index in a path. A number is read only when its text is a whole
// number, and any other text is an Invalid error naming the parameter,
// never a panic and never a number from somewhere else.
func FuzzAuditParams(f *testing.F) {
	f.Add("index=3&size=10", "3")
	f.Add("old=1&new=14", "0")
	f.Add("size=&size=5&index=%2B7", "+7")
	f.Add("index=-1&size=9223372036854775808", "-1")
	f.Add("index=0x10&size=1e3&old=%00&new=%E2%80%A6", "1_000")
	f.Add("new=4611686018427387905;old=1", "007")

	f.Fuzz(func(t *testing.T, rawQuery, path string) {
		start := time.Now()
		r := &http.Request{URL: &url.URL{Path: "/api/v1/audit/proof", RawQuery: rawQuery}}
		q, _ := url.ParseQuery(rawQuery)
		for _, name := range []string{"index", "size", "old", "new"} {
			for _, def := range []int64{-1, 0, 7} {
				n, err := queryInt(r, name, def)
				checkParam(t, name, q.Get(name), def, n, err)
			}
		}
		n, err := entryIndex(path)
		if path == "" {
			path = "bad" // an empty path segment is not a default
		}
		checkParam(t, "index", path, -1, n, err)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// checkParam checks one parameter read from text v with default def.
func checkParam(t *testing.T, name, v string, def, n int64, err error) {
	t.Helper()
	want, perr := strconv.ParseInt(v, 10, 64)
	switch {
	case v == "" && def >= 0:
		if err != nil || n != def {
			t.Fatalf("%s absent: %d, %v; want the default %d", name, n, err, def)
		}
	case v == "" || perr != nil || want < 0:
		var de *dueprocess.Error
		if !errors.As(err, &de) || de.Kind != dueprocess.Invalid || de.Field != name {
			t.Fatalf("%s=%q: %d, %v; want an Invalid error naming %s", name, v, n, err, name)
		}
	default:
		if err != nil || n != want {
			t.Fatalf("%s=%q: %d, %v; want %d", name, v, n, err, want)
		}
	}
}

// FuzzRequestBody fuzzes the body of POST /api/v1/requests, as the handler
// decodes and checks it, seeded with the examples of the README and
// docs/api.md. No body may panic or take long. A refused body gets an
// Invalid error that names the field at fault, or says that the body as a
// whole is wrong. An accepted body, encoded again and decoded again, gives
// the same request: nothing the decoder took in is lost or changed by it.
func FuzzRequestBody(f *testing.F) {
	for _, doc := range []struct{ path, start, end string }{
		{"../../README.md", "--json '", "'"},
		{"../../docs/api.md", "## Submitting a request\n\n```json\n", "```"},
	} {
		b, err := os.ReadFile(doc.path)
		if err != nil {
			f.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), doc.start)
		example, _, ok2 := strings.Cut(rest, doc.end)
		if !ok || !ok2 {
			f.Fatalf("%s: no example request", doc.path)
		}
		f.Add([]byte(example))
	}
	f.Add([]byte(`{"kind": "emergency", "jurisdiction": "US-CA", "legal_process": {"type": "emergency"}, "targets": [{"type": "phone", "value": "+1 555 0100"}], "data_categories": ["location"], "emergency": {"harm": "death", "justification": "a missing child"}}`))
	// Every regime's worked examples (docs/regimes.md).
	regimes, err := os.ReadFile("../../docs/regimes.md")
	if err != nil {
		f.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)<!-- status: [a-z_]+ -->\\s*```json\n(.*?)```").FindAllStringSubmatch(string(regimes), -1) {
		f.Add([]byte(m[1]))
	}
	f.Add([]byte(`{"kind": "user_data", "kind": "preservation"}`))
	f.Add([]byte(`{"KIND": "user_data"}`))
	f.Add([]byte("{\"kind\": \"user_data\", \"jurisdiction\": \"H\xffK\"}"))
	f.Add([]byte(`[{"kind": "user_data"}]`))

	f.Fuzz(func(t *testing.T, body []byte) {
		start := time.Now()
		req, err := checkRequestBody(body)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(body), d)
		}
		if err != nil {
			var de *dueprocess.Error
			if !errors.As(err, &de) || de.Kind != dueprocess.Invalid {
				t.Fatalf("refused with %v, not an Invalid dueprocess.Error", err)
			}
			if de.Field == "" && !strings.HasPrefix(de.Message, "the body") {
				t.Fatalf("refused with %q, which names no field", de.Message)
			}
			return
		}
		var in dueprocess.NewRequest
		if err := decodeStrict(body, &in); err != nil {
			t.Fatalf("decodes once but not twice: %v", err)
		}
		again, err := json.Marshal(&in)
		if err != nil {
			t.Fatalf("an accepted body does not encode: %v", err)
		}
		req2, err := checkRequestBody(again)
		if err != nil {
			t.Fatalf("an accepted body, encoded again, is refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(req, req2) {
			t.Fatalf("an accepted body, encoded again, is another request:\n%+v\n%+v", req, req2)
		}
	})
}

// TestDecodeNamesEmptyMember is FuzzRequestBody's find: a member named ""
// was refused as unknown with an error that named no field, since the
// JSON pointer "/" turned into the empty path. It is now named `""`.
func TestDecodeNamesEmptyMember(t *testing.T) {
	for _, body := range []string{`{"": 1}`, `{"legal_process": {"": "x"}}`} {
		_, err := checkRequestBody([]byte(body))
		if dueprocess.ErrorField(err) == "" || !strings.Contains(dueprocess.ErrorField(err), `""`) {
			t.Errorf("%s: %v (field %q), want the field named", body, err, dueprocess.ErrorField(err))
		}
	}
}
