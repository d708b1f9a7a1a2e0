package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// withFields returns hkRequest with several top-level fields replaced.
func withFields(fields map[string]any) string {
	var m map[string]any
	json.Unmarshal([]byte(hkRequest), &m)
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestJurisdictionPause walks Google's practice after 1 July 2020 through
// the API: Hong Kong's data requests paused, its content-restriction
// requests still reviewed, and everything back in review on resume.
func TestJurisdictionPause(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		fraud := with("offence", map[string]string{"category": "fraud", "description": "an investment scam"})
		contentReq := withFields(map[string]any{"kind": "content_restriction", "data_categories": nil,
			"offence":        map[string]string{"category": "defamation"},
			"targets":        []map[string]string{{"type": "url", "value": "https://example.org/post/1"}},
			"requester_type": "police", "reason": "defamation",
			"items": []map[string]string{{"url": "https://example.org/post/1", "ground": "Defamation Ordinance"}}})

		status, first := e.submit(e.hk, fraud)
		if status != 201 {
			t.Fatalf("submit: %d %v", status, first)
		}
		if first["status"] == "paused" {
			t.Fatalf("before any pause the request is paused: %v", first)
		}
		firstID := first["id"].(string)

		pause := `{"reason": "National Security Law in force; human-rights due diligence", "kinds": ["user_data", "preservation", "emergency"]}`
		for _, tc := range []struct {
			who, token string
			status     int
		}{{"nobody", "", 401}, {"an official", e.hk, 403}, {"a reviewer", e.staff, 403}} {
			if got, b := e.do("POST", "/api/v1/jurisdictions/HK/pause", tc.token, strings.NewReader(pause)); got != tc.status {
				t.Errorf("pause by %s: %d, want %d: %s", tc.who, got, tc.status, b)
			}
		}
		for _, tc := range []struct{ path, body, field string }{
			{"/api/v1/jurisdictions/XX/pause", pause, "code"},
			{"/api/v1/jurisdictions/HK/pause", `{"kinds": ["user_data"]}`, "reason"},
			{"/api/v1/jurisdictions/HK/pause", `{"reason": "x", "kinds": ["user"]}`, "kinds[0]"},
			{"/api/v1/jurisdictions/HK/pause", `{"reason": "x", "routes": ["direct", "direct"]}`, "routes[1]"},
			{"/api/v1/jurisdictions/HK/pause", `{"reason": "x", "scope": {}}`, "scope"},
		} {
			got, b := e.do("POST", tc.path, e.admin, strings.NewReader(tc.body))
			var m map[string]any
			json.Unmarshal(b, &m)
			if _, field, _ := errorOf(m); got != 400 || field != tc.field {
				t.Errorf("POST %s %s: %d field %q, want 400 field %q: %s", tc.path, tc.body, got, field, tc.field, b)
			}
		}

		got, b := e.do("POST", "/api/v1/jurisdictions/HK/pause", e.admin, strings.NewReader(pause))
		if got != 201 {
			t.Fatalf("pause: %d %s", got, b)
		}
		var answer struct {
			Pause struct{ ID, Jurisdiction string }
			Moved []string
		}
		json.Unmarshal(b, &answer)
		if !slices.Equal(answer.Moved, []string{firstID}) {
			t.Errorf("pause moved %v, want [%s]", answer.Moved, firstID)
		}
		if got, b := e.do("POST", "/api/v1/jurisdictions/HK/pause", e.admin, strings.NewReader(pause)); got != 409 {
			t.Errorf("second pause: %d, want 409: %s", got, b)
		}

		_, during := e.submit(e.hk, fraud)
		if during["status"] != "paused" {
			t.Errorf("new data request while paused: status %v, want paused", during["status"])
		}
		if !strings.Contains(mustJSON(during["decision"]), "National Security Law in force") {
			t.Errorf("decision does not give the pause's reason: %s", mustJSON(during["decision"]))
		}
		_, content := e.submit(e.hk, contentReq)
		if content["status"] == "paused" || content["id"] == nil {
			t.Errorf("content restriction while data requests are paused: %v, want it reviewed", content)
		}
		_, de := e.submit(e.de, strings.ReplaceAll(fraud, `"HK"`, `"DE"`))
		if de["status"] == "paused" {
			t.Errorf("a German request is paused by Hong Kong's pause: %v", de)
		}

		got, b = e.do("GET", "/api/v1/jurisdictions/HK", "", nil)
		var state struct {
			Paused  bool
			History []map[string]any
		}
		json.Unmarshal(b, &state)
		if got != 200 || !state.Paused || len(state.History) != 1 {
			t.Errorf("GET jurisdiction while paused: %d %s", got, b)
		}
		if got, b := e.do("GET", "/api/v1/jurisdictions", "", nil); got != 200 || !strings.Contains(string(b), answer.Pause.ID) {
			t.Errorf("list pauses: %d %s", got, b)
		}

		got, b = e.do("POST", "/api/v1/jurisdictions/HK/resume", e.admin, strings.NewReader(`{"reason": "due diligence complete"}`))
		if got != 200 {
			t.Fatalf("resume: %d %s", got, b)
		}
		json.Unmarshal(b, &answer)
		if want := []string{firstID, during["id"].(string)}; !slices.Equal(answer.Moved, want) {
			t.Errorf("resume moved %v, want %v", answer.Moved, want)
		}
		_, after := e.request(e.staff, during["id"].(string))
		if after["status"] == "paused" {
			t.Errorf("after resume: status %v", after["status"])
		}
		if got, _ := e.do("POST", "/api/v1/jurisdictions/HK/resume", e.admin, strings.NewReader(`{"reason": "again"}`)); got != 409 {
			t.Errorf("second resume: %d, want 409", got)
		}
		got, b = e.do("GET", "/api/v1/jurisdictions/HK", "", nil)
		json.Unmarshal(b, &state)
		if state.Paused || len(state.History) != 1 || state.History[0]["end_reason"] != "due diligence complete" {
			t.Errorf("GET jurisdiction after resume: %d %s", got, b)
		}
	})
}

// request reads one request with token.
func (e *env) request(token, id string) (int, map[string]any) {
	e.t.Helper()
	status, b := e.do("GET", "/api/v1/requests/"+id, token, nil)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
	return status, m
}
