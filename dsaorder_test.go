package dueprocess

import (
	"encoding/json"
	"testing"
	"time"
)

// dsaBody returns an order under DSA Art. 9 from Germany, valid, with
// change applied to its map first.
func dsaBody(change func(m map[string]any, order map[string]any)) string {
	order := map[string]any{
		"legal_basis": "§ 130 StGB (incitement to hatred)", "statement_of_reasons": "The video calls for violence against a group.",
		"territorial_scope": []string{"DE"}, "redress": "Objection to the Landgericht Berlin within one month; the uploader may appeal likewise.",
		"inform": "Bundeskriminalamt, ZMI", "transmitted_at": "2026-03-02T08:00:00Z",
	}
	m := map[string]any{
		"kind": "content_restriction", "jurisdiction": "DE",
		"legal_process":  map[string]string{"type": "dsa_removal_order", "reference": "ZMI-2026-41", "issued_by": "Bundeskriminalamt"},
		"requester_type": "police", "reason": "hate_speech",
		"items":     []map[string]string{{"url": "https://video.example/watch?v=h1", "ground": "§ 130 StGB"}},
		"dsa_order": order,
	}
	if change != nil {
		change(m, order)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestCheckDSAOrder(t *testing.T) {
	r, err := check(t, dsaBody(nil))
	if err != nil {
		t.Fatal(err)
	}
	if o := r.DSAOrder; o == nil || o.Inform != "Bundeskriminalamt, ZMI" || o.TerritorialScope[0] != "DE" ||
		!o.TransmittedAt.Equal(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)) || r.LegalProcess.Type != ProcessDSARemovalOrder {
		t.Errorf("checked: %+v", r.DSAOrder)
	}
	if HateSpeech := RemovalReason("hate_speech").DSACategory(); HateSpeech != "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" {
		t.Errorf("category of hate speech: %s", HateSpeech)
	}
	for _, tt := range []struct {
		name, field string
		change      func(m, o map[string]any)
	}{
		{"no order", "dsa_order", func(m, o map[string]any) { delete(m, "dsa_order") }},
		{"no legal basis", "dsa_order.legal_basis", func(m, o map[string]any) { delete(o, "legal_basis") }},
		{"no reasons", "dsa_order.statement_of_reasons", func(m, o map[string]any) { o["statement_of_reasons"] = " " }},
		{"no redress", "dsa_order.redress", func(m, o map[string]any) { delete(o, "redress") }},
		{"no one to inform", "dsa_order.inform", func(m, o map[string]any) { delete(o, "inform") }},
		{"no scope", "dsa_order.territorial_scope", func(m, o map[string]any) { o["territorial_scope"] = []string{} }},
		{"scope outside the EU", "dsa_order.territorial_scope[1]", func(m, o map[string]any) { o["territorial_scope"] = []string{"DE", "CH"} }},
		{"scope twice", "dsa_order.territorial_scope[1]", func(m, o map[string]any) { o["territorial_scope"] = []string{"DE", "DE"} }},
		{"bad time", "dsa_order.transmitted_at", func(m, o map[string]any) { o["transmitted_at"] = "2 March" }},
		{"not from the EU", "jurisdiction", func(m, o map[string]any) { m["jurisdiction"] = "GB" }},
		{"an id, not a URL", "items[1].url", func(m, o map[string]any) {
			m["items"] = []map[string]string{{"url": "https://video.example/1", "ground": "g"}, {"id": "post:1", "ground": "g"}}
		}},
		{"not a content demand", "legal_process.type", func(m, o map[string]any) {
			m["kind"], m["targets"], m["data_categories"] = "user_data", []map[string]string{{"type": "username", "value": "x"}}, []string{"subscriber"}
			delete(m, "items")
			delete(m, "reason")
			delete(m, "requester_type")
		}},
		{"an order on another process", "dsa_order", func(m, o map[string]any) {
			m["legal_process"] = map[string]string{"type": "court_order", "reference": "x", "issued_by": "y"}
		}},
	} {
		_, err := check(t, dsaBody(tt.change))
		if got := ErrorField(err); got != tt.field || ErrorKind(err) != Invalid {
			t.Errorf("%s: field = %q (%v), want %q", tt.name, got, err, tt.field)
		}
	}
}
