package dueprocess

import (
	"encoding/json"
	"errors"
	"testing"
)

// epocExample is the German production order: a prosecutor's,
// validated by a court.
const epocExample = `{"kind": "user_data", "jurisdiction": "DE",
 "legal_process": {"type": "epoc", "reference": "276 Js 1234/26", "issued_by": "Staatsanwaltschaft Berlin",
   "issued_on": "2026-11-20", "issuing_state": "DE", "issuing_authority_type": "prosecutor",
   "validated_by": {"name": "Amtsgericht Tiergarten", "type": "court", "reference": "352 Gs 77/26"},
   "enforcing_authority": {"state": "IE", "name": "An Garda Síochána", "notified": true}},
 "targets": [{"type": "username", "value": "kontoinhaber", "country": "de"}],
 "data_categories": ["subscriber", "ip_logs"], "identification_only": true}`

const dsaExample = `{"kind": "user_data", "jurisdiction": "FR",
 "legal_process": {"type": "dsa_information_order", "reference": "ARCOM-2026-17", "issued_by": "Arcom",
   "issuing_state": "FR", "legal_basis": "Regulation (EU) 2022/2065, Article 10",
   "reasons": "Needed to identify the sender of threats.", "redress": "Tribunal administratif de Paris, two months",
   "answer_to": "dsa@arcom.fr"},
 "targets": [{"type": "username", "value": "menace"}], "data_categories": ["subscriber"]}`

const daaExample = `{"kind": "user_data", "jurisdiction": "GB",
 "legal_process": {"type": "uk_daa_order", "reference": "IPC-2026-0042", "issued_by": "Investigatory Powers Commissioner",
   "designated_authority": "Home Office", "certification": {"not_us_person": true, "not_in_us": true}},
 "targets": [{"type": "email", "value": "suspect@example.org"}], "data_categories": ["content"]}`

// editIn sets the value at a dotted path of body's JSON, or deletes it
// for a nil value.
func editIn(t *testing.T, body, path string, value any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	obj, keys := m, splitPath(path)
	for _, k := range keys[:len(keys)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	if value == nil {
		delete(obj, keys[len(keys)-1])
	} else {
		obj[keys[len(keys)-1]] = value
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '.' {
			out, start = append(out, p[start:i]), i+1
		}
	}
	return append(out, p[start:])
}

func TestCheckAcceptsTheRegimeExamples(t *testing.T) {
	r, err := check(t, epocExample)
	if err != nil {
		t.Fatal(err)
	}
	f := r.LegalProcess.RegimeFields
	if f.IssuingState != "DE" || f.ValidatedBy == nil || f.ValidatedBy.Type != AuthorityCourt || f.EnforcingAuthority == nil ||
		!f.EnforcingAuthority.Notified || !r.IdentificationOnly || r.Targets[0].Country != "DE" || !f.JudicialOrder() {
		t.Errorf("checked EPOC = %+v", r)
	}
	for _, body := range []string{dsaExample, daaExample} {
		if _, err := check(t, body); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
	// In an emergency another authority's order may come before its
	// validation (Article 4(5)).
	emergency := editIn(t, editIn(t, editIn(t, editIn(t, epocExample, "legal_process.validated_by", nil), "legal_process.issuing_authority_type", "other"),
		"kind", "emergency"), "emergency", map[string]string{"harm": "death", "justification": "a kidnapping under way"})
	if _, err := check(t, emergency); err != nil {
		t.Errorf("emergency EPOC from another authority awaiting validation: %v", err)
	}
	// A prosecutor may issue an order without validation (Article 4(1)(a)).
	if _, err := check(t, editIn(t, epocExample, "legal_process.validated_by", nil)); err != nil {
		t.Errorf("prosecutor's EPOC without validation: %v", err)
	}
}

func TestCheckNamesTheRegimeField(t *testing.T) {
	tests := []struct {
		body, field string
	}{
		{editIn(t, epocExample, "legal_process.issuing_state", nil), "legal_process.issuing_state"},
		{editIn(t, epocExample, "legal_process.issuing_state", "CH"), "legal_process.issuing_state"},
		{editIn(t, epocExample, "legal_process.issuing_state", "DK"), "legal_process.issuing_state"}, // Denmark is not bound
		{editIn(t, epocExample, "legal_process.issuing_state", "FR"), "legal_process.issuing_state"}, // not the jurisdiction
		{editIn(t, epocExample, "legal_process.issuing_authority_type", "police"), "legal_process.issuing_authority_type"},
		{editIn(t, epocExample, "legal_process.issuing_authority_type", nil), "legal_process.issuing_authority_type"},
		{editIn(t, editIn(t, epocExample, "legal_process.issuing_authority_type", "other"), "legal_process.validated_by", nil), "legal_process.validated_by"},
		{editIn(t, epocExample, "legal_process.validated_by.name", ""), "legal_process.validated_by.name"},
		{editIn(t, epocExample, "legal_process.validated_by.type", "other"), "legal_process.validated_by.type"},
		{editIn(t, epocExample, "legal_process.enforcing_authority.state", "US"), "legal_process.enforcing_authority.state"},
		{editIn(t, epocExample, "legal_process.enforcing_authority.name", ""), "legal_process.enforcing_authority.name"},
		{editIn(t, epocExample, "legal_process.issued_on", nil), "legal_process.issued_on"},
		{editIn(t, epocExample, "kind", "preservation"), "kind"},
		{editIn(t, epocExample, "legal_process.type", "epoc_pr"), "kind"},
		{editIn(t, epocExample, "legal_process.legal_basis", "Art. 10"), "legal_process.legal_basis"},
		{editIn(t, epocExample, "data_categories", []string{"subscriber"}), "identification_only"},
		{editIn(t, epocExample, "targets", []map[string]string{{"type": "username", "value": "x", "country": "XX"}}), "targets[0].country"},
		{editIn(t, epocExample, "targets", []map[string]string{{"type": "username", "value": "x", "country": "US-CA"}}), "targets[0].country"},
		{editIn(t, dsaExample, "legal_process.reasons", ""), "legal_process.reasons"},
		{editIn(t, dsaExample, "legal_process.redress", nil), "legal_process.redress"},
		{editIn(t, dsaExample, "legal_process.answer_to", nil), "legal_process.answer_to"},
		{editIn(t, dsaExample, "legal_process.legal_basis", nil), "legal_process.legal_basis"},
		{editIn(t, dsaExample, "legal_process.issuing_state", "NO"), "legal_process.issuing_state"},
		{editIn(t, dsaExample, "identification_only", true), "identification_only"},
		{editIn(t, dsaExample, "legal_process.issuing_authority_type", "court"), "legal_process.issuing_authority_type"},
		{editIn(t, daaExample, "legal_process.designated_authority", nil), "legal_process.designated_authority"},
		{editIn(t, daaExample, "legal_process.certification", nil), "legal_process.certification"},
		{editIn(t, daaExample, "legal_process.certification.not_us_person", false), "legal_process.certification.not_us_person"},
		{editIn(t, daaExample, "legal_process.certification.not_in_us", false), "legal_process.certification.not_in_us"},
		{editIn(t, daaExample, "jurisdiction", "IE"), "jurisdiction"},
		{editIn(t, daaExample, "legal_process.issuing_state", "GB"), "legal_process.issuing_state"},
		{edit("legal_process", map[string]any{"type": "subpoena", "reference": "R", "issued_by": "X", "certification": map[string]any{}}), "legal_process.certification"},
	}
	for _, tt := range tests {
		_, err := check(t, tt.body)
		var e *Error
		if !errors.As(err, &e) || e.Kind != Invalid {
			t.Errorf("%s: err = %v, want Invalid", tt.body, err)
			continue
		}
		if e.Field != tt.field {
			t.Errorf("%s: field = %q (%s), want %q", tt.body, e.Field, e.Message, tt.field)
		}
	}
}

func TestEUCategoryMapping(t *testing.T) {
	for _, tt := range []struct {
		c    DataCategory
		id   bool
		want EUCategory
	}{
		{CategorySubscriber, false, EUSubscriber}, {CategoryIPLogs, true, EUIdentification}, {CategoryIPLogs, false, EUTraffic},
		{CategoryMetadata, true, EUTraffic}, {CategoryLocation, false, EUTraffic}, {CategoryContent, true, EUContent},
	} {
		if got := EUCategoryOf(tt.c, tt.id); got != tt.want {
			t.Errorf("EUCategoryOf(%s, %v) = %s, want %s", tt.c, tt.id, got, tt.want)
		}
	}
}

func TestAwaitsEnforcingAuthority(t *testing.T) {
	r, err := check(t, epocExample) // subscriber and identification data only
	if err != nil {
		t.Fatal(err)
	}
	if r.AwaitsEnforcingAuthority() {
		t.Error("subscriber and identification data wait for the enforcing authority")
	}
	r.IdentificationOnly = false // ip_logs are now traffic data
	if !r.AwaitsEnforcingAuthority() {
		t.Error("traffic data with a notified enforcing authority do not wait for it")
	}
	r.LegalProcess.EnforcingAuthority.Notified = false
	if r.AwaitsEnforcingAuthority() {
		t.Error("an authority that was not notified is waited for")
	}
}
