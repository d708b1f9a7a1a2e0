package dueprocess

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const example = `{"kind": "user_data", "jurisdiction": "HK",
 "legal_process": {"type": "subpoena", "reference": "HKPF-2026-0113", "issued_by": "Hong Kong Police Force", "issued_on": "2026-03-01"},
 "offence": {"category": "subversion", "description": "posts calling for a boycott"},
 "targets": [{"type": "username", "value": "demosisto"}],
 "data_categories": ["subscriber", "ip_logs"],
 "date_range": {"from": "2026-01-01", "to": "2026-03-01"},
 "nondisclosure": {"until": "2026-12-31"},
 "deadline": "2026-04-01"}`

func check(t *testing.T, body string) (*Request, error) {
	t.Helper()
	var n NewRequest
	if err := json.Unmarshal([]byte(body), &n); err != nil {
		t.Fatalf("unmarshal %s: %v", body, err)
	}
	return n.Check()
}

func edit(field string, value any) string {
	var m map[string]any
	json.Unmarshal([]byte(example), &m)
	if value == nil {
		delete(m, field)
	} else {
		m[field] = value
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestCheckAcceptsTheExample(t *testing.T) {
	r, err := check(t, example)
	if err != nil {
		t.Fatal(err)
	}
	if r.Jurisdiction != "HK" || r.LegalProcess.IssuedOn.String() != "2026-03-01" || len(r.Targets) != 1 ||
		r.Nondisclosure == nil || r.Nondisclosure.Until.String() != "2026-12-31" || r.Offence.Category != "subversion" {
		t.Errorf("checked request = %+v", r)
	}
}

func TestCheckNamesTheField(t *testing.T) {
	tests := []struct {
		body, field string
	}{
		{edit("kind", "spying"), "kind"},
		{edit("jurisdiction", ""), "jurisdiction"},
		{edit("jurisdiction", "UK"), "jurisdiction"}, // GB is the code; UK is reserved
		{edit("jurisdiction", "US-"), "jurisdiction"},
		{edit("jurisdiction", "US-C@"), "jurisdiction"},
		{edit("legal_process", nil), "legal_process"},
		{edit("legal_process", map[string]string{"type": "subpoena", "reference": "r", "issued_by": "b", "issued_on": "2026-13-01"}), "legal_process.issued_on"},
		{edit("offence", map[string]string{"description": "no category"}), "offence.category"},
		{edit("targets", []map[string]string{{"type": "phone", "value": "call me"}}), "targets[0].value"},
		{edit("targets", []map[string]string{{"type": "phone", "value": "+1 234 567 890 123 456 7"}}), "targets[0].value"},
		{edit("targets", []map[string]string{{"type": "url", "value": "javascript:alert(1)"}}), "targets[0].value"},
		{edit("targets", []map[string]string{{"type": "username", "value": "a b"}}), "targets[0].value"},
		{edit("targets", []map[string]string{{"type": "username", "value": "a"}, {"type": "username", "value": "a"}}), "targets[1]"},
		{edit("targets", []map[string]string{{"type": "username", "value": strings.Repeat("x", 201)}}), "targets[0].value"},
		{edit("data_categories", []string{"subscriber", "subscriber"}), "data_categories[1]"},
		{edit("date_range", map[string]string{"from": "2026-01-01"}), "date_range.to"},
		{edit("deadline", "2026-02-01"), "deadline"}, // before the process was issued
		{edit("offence", map[string]string{"category": "x", "description": "bell\a"}), "offence.description"},
	}
	for _, tt := range tests {
		_, err := check(t, tt.body)
		if got := ErrorField(err); got != tt.field || ErrorKind(err) != Invalid {
			t.Errorf("field = %q (%v), want %q\nbody: %s", got, err, tt.field, tt.body)
		}
	}
}

func TestContentRestrictionNeedsNoCategories(t *testing.T) {
	body := edit("data_categories", nil)
	var m map[string]any
	json.Unmarshal([]byte(body), &m)
	m["kind"] = "content_restriction"
	m["targets"] = []map[string]string{{"type": "url", "value": "https://example.org/post/1"}}
	m["requester_type"], m["reason"] = "police", "defamation"
	m["items"] = []map[string]string{{"url": "https://example.org/post/1", "ground": "Defamation Ordinance"}}
	b, _ := json.Marshal(m)
	r, err := check(t, string(b))
	if err != nil {
		t.Fatal(err)
	}
	if r.DataCategories == nil || len(r.DataCategories) != 0 {
		t.Errorf("categories = %#v, want an empty list", r.DataCategories)
	}
}

func TestErrorIs(t *testing.T) {
	err := Errorf(NotFound, "request DP-1 not found")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		t.Errorf("errors.Is misclassifies %v", err)
	}
	wrapped := &Error{Kind: Internal, Err: errors.New("disk on fire")}
	if ErrorMessage(wrapped) != "internal error" || strings.Contains(ErrorMessage(wrapped), "disk") {
		t.Errorf("an internal cause leaked into the safe message: %q", ErrorMessage(wrapped))
	}
}

// FuzzCheck feeds arbitrary JSON to the request checker: it must never
// panic, and whatever it accepts must be consistent.
func FuzzCheck(f *testing.F) {
	f.Add(example)
	f.Add(edit("kind", "emergency"))
	f.Add(`{"targets": [{"type": "email", "value": "a@b.c"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var n NewRequest
		if json.Unmarshal([]byte(body), &n) != nil {
			return
		}
		r, err := n.Check()
		if err != nil {
			if ErrorKind(err) != Invalid || ErrorField(err) == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if len(r.Targets) == 0 || len(r.Targets) > MaxTargets {
			t.Fatalf("accepted %d targets", len(r.Targets))
		}
		if _, err := ParseJurisdiction(r.Jurisdiction); err != nil {
			t.Fatalf("accepted jurisdiction %q: %v", r.Jurisdiction, err)
		}
		if r.DateRange != nil && r.DateRange.To.Before(r.DateRange.From.Time) {
			t.Fatal("accepted a backwards range")
		}
	})
}

func TestCheckRefusesFormatCharacters(t *testing.T) {
	lp := func(ref, by string) map[string]string {
		return map[string]string{"type": "subpoena", "reference": ref, "issued_by": by}
	}
	tests := []struct {
		body, field, codePoint string
	}{
		{edit("legal_process", lp("HKPF\u202E-0113", "HKPF")), "legal_process.reference", "U+202E"},
		{edit("legal_process", lp("HKPF\u00AD-0113", "HKPF")), "legal_process.reference", "U+00AD"},
		{edit("legal_process", lp("HKPF-0113\U000E0041", "HKPF")), "legal_process.reference", "U+E0041"},
		{edit("legal_process", lp("HKPF-0113", "Hong Kong\u2067 Police")), "legal_process.issued_by", "U+2067"},
		{edit("legal_process", lp("HKPF-0113", "Hong Kong\u0085Police")), "legal_process.issued_by", "U+0085"},
		{edit("offence", map[string]string{"category": "subver\u200Bsion"}), "offence.category", "U+200B"},
		{edit("targets", []map[string]string{{"type": "url", "value": "https://example.org/\u2066x"}}), "targets[0].value", "U+2066"},
		{edit("targets", []map[string]string{{"type": "phone", "value": "+852\u200D 2860 2000"}}), "targets[0].value", "U+200D"},
	}
	for _, tt := range tests {
		_, err := check(t, tt.body)
		if ErrorField(err) != tt.field || !strings.Contains(ErrorMessage(err), tt.codePoint) {
			t.Errorf("got %v; want an error naming %s and %s", err, tt.field, tt.codePoint)
		}
	}
	// Free text keeps the joiners and marks that correct spelling needs.
	ok := edit("offence", map[string]string{"category": "fraud", "description": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200Fx"})
	if _, err := check(t, ok); err != nil {
		t.Errorf("a description with a zero-width non-joiner and a right-to-left mark: %v", err)
	}
}
