// Package audit is the storage-independent core of the audit log: a
// Merkle tree of entries, hashed as RFC 6962 prescribes through
// golang.org/x/mod/sumdb/tlog, with checkpoints signed through
// golang.org/x/mod/sumdb/note in the C2SP tlog-checkpoint format.
//
// The package never touches a database. A store implements Tx (to append
// inside the transaction of the change an entry records) and Source (to
// read the committed log back for proofs and verification); Memory is an
// implementation kept in memory, for tests and for trying the package.
//
// An entry is stored and served as the exact bytes Encode produced; the
// tree's leaf for it is tlog.RecordHash of those bytes. Anyone holding the
// verifier key can therefore check an entry against a checkpoint with
// nothing but tlog and note.
package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dueprocess/dueprocess"
)

// Entry is one record of the audit log: who did what to which object,
// when. Body holds ids and other facts needed to understand the action,
// never user data, because the log is kept for ever and shown to auditors.
type Entry struct {
	Index  int64            // position in the log, from 0; set by Append
	Time   time.Time        // when the action happened, stored in UTC
	Actor  dueprocess.Actor // who performed it
	Action string           // what happened, such as "request.created"
	Object string           // what it happened to, such as "request:DP-2026-000042"
	Body   json.RawMessage  // a JSON object of ids; nil means {}
}

// Encode returns the canonical bytes of e: JSON with the keys index, time,
// actor, action, object and body in that order, no insignificant
// whitespace, the time in UTC as RFC 3339 with nanoseconds and no trailing
// zeros, the actor's id left out when empty, and the body's keys sorted.
// These bytes are what a store keeps and serves, and the log's leaf is
// their tlog.RecordHash, so one entry has exactly one encoding.
//
// Encode returns an error naming the field when e cannot be encoded: a
// negative index, a zero time, an empty or malformed action or actor type,
// text that is not UTF-8, or a body that is not a JSON object.
func Encode(e Entry) ([]byte, error) {
	body, err := canonicalBody(e.Body)
	if err != nil {
		return nil, err
	}
	return encode(e, body)
}

// encode writes e with body, which is already canonical.
func encode(e Entry, body []byte) ([]byte, error) {
	if e.Index < 0 {
		return nil, dueprocess.FieldError("index", "audit entry index %d is negative", e.Index)
	}
	if e.Time.IsZero() {
		return nil, dueprocess.FieldError("time", "audit entry has no time")
	}
	t := e.Time.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return nil, dueprocess.FieldError("time", "audit entry time %v is outside years 1 to 9999", t)
	}
	if !isToken(string(e.Actor.Type), false) {
		return nil, dueprocess.FieldError("actor", "audit entry actor type %q is not a lower-case word", e.Actor.Type)
	}
	if !isToken(e.Action, true) {
		return nil, dueprocess.FieldError("action", "audit entry action %q is not lower-case words joined by dots", e.Action)
	}
	for _, f := range []struct{ name, s string }{{"actor", e.Actor.ID}, {"object", e.Object}} {
		if !utf8.ValidString(f.s) {
			return nil, dueprocess.FieldError(f.name, "audit entry %s is not valid UTF-8", f.name)
		}
	}

	b := make([]byte, 0, 128+len(e.Actor.ID)+len(e.Object)+len(body))
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, e.Index, 10)
	b = append(b, `,"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","actor":{"type":`...)
	b = appendString(b, string(e.Actor.Type))
	if e.Actor.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, e.Actor.ID)
	}
	b = append(b, `},"action":`...)
	b = appendString(b, e.Action)
	b = append(b, `,"object":`...)
	b = appendString(b, e.Object)
	b = append(b, `,"body":`...)
	b = append(b, body...)
	b = append(b, '}')
	return b, nil
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it, so that the one escaping rule is that package's. Strings of
// printable ASCII that encoding/json leaves alone, which ids and actions
// are, skip the call.
func appendString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, err := json.Marshal(s)
	if err != nil {
		// Marshalling a string cannot fail.
		panic(err)
	}
	return append(b, q...)
}

// isToken reports whether s is a lower-case word of letters, digits and
// underscores starting with a letter, or, with dots, several such words
// joined by single dots. It takes bytes too, so that canonicalIndex can
// check a token in place.
func isToken[T string | []byte](s T, dots bool) bool {
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case ('0' <= c && c <= '9' || c == '_') && !start:
		case c == '.' && dots && !start:
			start = true
			continue
		default:
			return false
		}
		start = false
	}
	return len(s) > 0 && !start
}

// canonicalBody returns body as a JSON object with its keys sorted and no
// insignificant whitespace. Numbers keep their literal text, so that an id
// too large for a float64 survives.
func canonicalBody(body json.RawMessage) ([]byte, error) {
	if len(body) == 0 {
		return []byte("{}"), nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, dueprocess.FieldError("body", "audit entry body is not JSON: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, dueprocess.FieldError("body", "audit entry body has data after its object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, dueprocess.FieldError("body", "audit entry body is not a JSON object")
	}
	// Marshal sorts map keys, which is what makes the body canonical.
	out, err := json.Marshal(v)
	if err != nil {
		return nil, dueprocess.FieldError("body", "audit entry body cannot be encoded: %v", err)
	}
	return out, nil
}

// wireEntry is the shape Decode reads before re-encoding.
type wireEntry struct {
	Index *int64 `json:"index"`
	Time  string `json:"time"`
	Actor struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"actor"`
	Action string          `json:"action"`
	Object string          `json:"object"`
	Body   json.RawMessage `json:"body"`
}

// ErrNotCanonical is returned, wrapped, by Decode for bytes that parse as
// an entry but are not the bytes Encode would produce for it.
var ErrNotCanonical = errors.New("audit entry is not in canonical form")

// Decode parses the bytes of an entry and checks that they are exactly
// what Encode produces for it: any other spelling of the same entry (keys
// re-ordered or repeated, spaces, another time zone, escapes written
// differently) is rejected with an error wrapping ErrNotCanonical, because
// two spellings would have two leaf hashes.
func Decode(data []byte) (Entry, error) {
	// Unknown or repeated keys, like every other departure from the
	// canonical form, show up as a difference when e is encoded again.
	var w wireEntry
	if err := json.Unmarshal(data, &w); err != nil {
		return Entry{}, fmt.Errorf("audit entry is not valid: %w", err)
	}
	if w.Index == nil {
		return Entry{}, errors.New("audit entry has no index")
	}
	t, err := time.Parse(time.RFC3339Nano, w.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("audit entry time: %w", err)
	}
	e := Entry{
		Index:  *w.Index,
		Time:   t.UTC(),
		Actor:  dueprocess.Actor{Type: dueprocess.ActorType(w.Actor.Type), ID: w.Actor.ID},
		Action: w.Action,
		Object: w.Object,
		Body:   w.Body,
	}
	body, err := canonicalBody(w.Body)
	if err != nil {
		return Entry{}, err
	}
	e.Body = body
	again, err := encode(e, body)
	if err != nil {
		return Entry{}, err
	}
	if !bytes.Equal(again, data) {
		return Entry{}, fmt.Errorf("%w: %s", ErrNotCanonical, firstDifference(data, again))
	}
	return e, nil
}

// firstDifference describes where got departs from want, for an error
// message that helps whoever has to find the damage.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	if i == len(got) {
		return fmt.Sprintf("it ends after %d bytes, where the canonical form has %d", len(got), len(want))
	}
	return fmt.Sprintf("byte %d differs from the canonical form", i)
}
