package dueprocess

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestReplyCheck(t *testing.T) {
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	r := &Request{ID: "DP-2026-000001", Kind: KindUserData,
		Targets:        []Target{{Type: TargetUsername, Value: "a"}, {Type: TargetEmail, Value: "b@example.org", Country: "DE"}},
		DataCategories: []DataCategory{CategorySubscriber, CategoryIPLogs},
		DateRange:      &DateRange{From: d("2026-01-01"), To: d("2026-03-01")}}
	noRange := *r
	noRange.DateRange = nil
	for _, c := range []struct {
		r       *Request
		body    string
		field   string   // the field refused, or ""
		changed []string // what a good reply narrows
	}{
		{r, `{"note": "as it is"}`, "", []string{}},
		{r, `{"note": "n", "targets": [{"type": "email", "value": "B@example.org"}]}`, "", []string{"targets"}},
		{r, `{"note": "n", "targets": [{"type": "username", "value": "a"}, {"type": "email", "value": "b@example.org"}]}`, "", []string{}},
		{r, `{"note": "n", "data_categories": ["ip_logs"], "date_range": {"from": "2026-01-01", "to": "2026-01-31"}}`, "", []string{"data_categories", "date_range"}},
		{&noRange, `{"note": "n", "date_range": {"from": "2026-01-01", "to": "2026-01-31"}}`, "", []string{"date_range"}},
		{r, `{"note": "n", "targets": [{"type": "username", "value": "c"}]}`, "targets[0]", nil},
		{r, `{"note": "n", "data_categories": ["content"]}`, "data_categories[0]", nil},
		{r, `{"note": "n", "data_categories": []}`, "data_categories", nil},
		{r, `{"note": "n", "date_range": {"from": "2025-12-31", "to": "2026-01-31"}}`, "date_range.from", nil},
		{r, `{"note": "n", "date_range": {"from": "2026-01-02", "to": "2026-03-02"}}`, "date_range.to", nil},
		{r, `{"note": "n", "date_range": {"from": "2026-02-02", "to": "2026-02-01"}}`, "date_range.to", nil},
		{r, `{"note": ""}`, "note", nil},
	} {
		var in NewReply
		if err := json.Unmarshal([]byte(c.body), &in); err != nil {
			t.Fatal(err)
		}
		n, err := in.Check(c.r)
		if got := ErrorField(err); got != c.field {
			t.Errorf("%s: field %q (%v), want %q", c.body, got, err, c.field)
			continue
		}
		if c.field == "" && !slices.Equal(n.Changed, c.changed) {
			t.Errorf("%s: changed %v, want %v", c.body, n.Changed, c.changed)
		}
	}
	// A target kept keeps what the platform knows of it: its home country.
	var in NewReply
	json.Unmarshal([]byte(`{"note": "n", "targets": [{"type": "email", "value": "b@example.org"}]}`), &in)
	if n, err := in.Check(r); err != nil || len(n.Targets) != 1 || n.Targets[0].Country != "DE" {
		t.Errorf("narrowed to a target with a home country: %+v, %v", n, err)
	}
}
