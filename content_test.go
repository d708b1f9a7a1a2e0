package dueprocess

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// contentBody returns a content demand with the given items, the other
// fields valid, and extra set on top.
func contentBody(items any, extra map[string]any) string {
	m := map[string]any{
		"kind": "content_restriction", "jurisdiction": "HK",
		"legal_process":  map[string]string{"type": "other", "reference": "HKPF-NSL-7", "issued_by": "Hong Kong Police Force"},
		"requester_type": "police", "reason": "national_security", "items": items,
	}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestContentVocabularies(t *testing.T) {
	if len(RemovalReasons) != 22 {
		t.Errorf("%d reasons, want Google's 22", len(RemovalReasons))
	}
	for _, want := range []RemovalReason{"bullying_harassment", "obscenity_nudity", "government_criticism", "regulated_goods_and_services", "religious_offense"} {
		if !slices.Contains(RemovalReasons, want) {
			t.Errorf("reasons lack %q", want)
		}
	}
	if got := RemovalReason("bullying_harassment").Label(); got != "Bullying/Harassment" {
		t.Errorf("label = %q", got)
	}
	for _, rt := range RequesterTypes {
		back, ok := ParseRequesterLabel(rt.Label())
		if !ok || back != rt {
			t.Errorf("requester %q: label %q reads back as %q", rt, rt.Label(), back)
		}
	}
	if rt, _ := ParseRequesterLabel("Information and Communications Authority Under Federal Law 276-FZ"); rt != "information_and_communications_authority" {
		t.Errorf("Russia's authority reads as %q", rt)
	}
}

func TestCheckContentItems(t *testing.T) {
	ok := []map[string]string{{"url": "https://video.example/1", "ground": "NSL art. 23", "quote": "liberate"}, {"id": "post:42", "ground": "NSL art. 23"}}
	r, err := check(t, contentBody(ok, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 2 || r.Items[1].ContentID != "post:42" || r.Items[1].Index != 1 || r.Reason != ReasonNationalSecurity || len(r.Targets) != 0 {
		t.Errorf("checked: %+v", r)
	}
	many := make([]map[string]string, MaxItems+1)
	for i := range many {
		many[i] = map[string]string{"id": fmt.Sprint(i), "ground": "g"}
	}
	for _, tt := range []struct {
		body, field string
	}{
		{contentBody(nil, nil), "items"},
		{contentBody(many, nil), "items"},
		{contentBody(ok, map[string]any{"requester_type": "Police"}), "requester_type"},
		{contentBody(ok, map[string]any{"reason": "criticism"}), "reason"},
		{contentBody(ok, map[string]any{"reason": ""}), "reason"},
		{contentBody([]map[string]string{ok[0], ok[1], {"ground": "g"}, {"url": "ftp://x", "ground": "g"}}, nil), "items[2].url"},
		{contentBody([]map[string]string{ok[0], ok[1], ok[1], {"url": "javascript:alert(1)", "ground": "g"}}, nil), "items[2]"},
		{contentBody([]map[string]string{ok[0], ok[1], {"id": "post:43", "ground": "g"}, {"url": "javascript:alert(1)", "ground": "g"}}, nil), "items[3].url"},
		{contentBody([]map[string]string{{"url": "https://a.example/", "id": "x", "ground": "g"}}, nil), "items[0].url"},
		{contentBody([]map[string]string{{"id": "x"}}, nil), "items[0].ground"},
		{contentBody([]map[string]string{{"id": "x\u200b", "ground": "g"}}, nil), "items[0].id"},
		{contentBody([]map[string]string{{"id": "x", "ground": "g", "quote": strings.Repeat("q", MaxQuoteLength+1)}}, nil), "items[0].quote"},
		{edit("items", ok), "items"},
		{edit("reason", "defamation"), "reason"},
	} {
		_, err := check(t, tt.body)
		if got := ErrorField(err); got != tt.field || ErrorKind(err) != Invalid {
			t.Errorf("field = %q (%v), want %q\nbody: %.300s", got, err, tt.field, tt.body)
		}
	}
}

func TestCheckItemActions(t *testing.T) {
	r := &Request{ID: "DP-1", Items: make([]Item, 3)}
	for _, tt := range []struct {
		in    NewItemActions
		field string
	}{
		{NewItemActions{Items: []int{0, 2}, Action: "no_action", Reason: "speech"}, ""},
		{NewItemActions{Action: "no_action", Reason: "x"}, "items"},
		{NewItemActions{Items: []int{0, 3}, Action: "no_action", Reason: "x"}, "items[1]"},
		{NewItemActions{Items: []int{1, 1}, Action: "no_action", Reason: "x"}, "items[1]"},
		{NewItemActions{Items: []int{1}, Action: "delete", Reason: "x"}, "action"},
		{NewItemActions{Items: []int{1}, Action: "no_action"}, "reason"},
	} {
		_, _, _, err := tt.in.Check(r)
		if got := ErrorField(err); got != tt.field {
			t.Errorf("%+v: field %q (%v), want %q", tt.in, got, err, tt.field)
		}
	}
}
