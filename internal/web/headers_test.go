package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// TestSecurityHeadersOnEveryResponse asks for one answer of every kind the
// server gives (JSON, errors, documents, CSV, plain text, CSS, pages,
// redirects) and checks that each carries nosniff and a Content-Security-
// Policy that forbids framing (OWASP ASVS 3.4.3, 3.4.4, 3.4.6), that pages'
// policy has object-src and base-uri 'none', and that text answers name
// their charset (ASVS 4.1.1).
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	seedHistory(t, e)
	_, m := e.submit(e.hk, hkRequest)
	id := m["id"].(string)
	status, b := e.do("POST", "/api/v1/requests/"+id+"/documents?filename=order.pdf", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
	if status != 201 {
		t.Fatalf("document: %d %s", status, b)
	}
	var doc struct{ ID string }
	json.Unmarshal(b, &doc)

	tests := []struct {
		name, method, path, token string
		status                    int
		page                      bool // a console page, with the page policy
	}{
		{"a request", "GET", "/api/v1/requests/" + id, e.hk, 200, false},
		{"an API error", "GET", "/api/v1/requests", "", 401, false},
		{"an unknown route", "GET", "/no/such/page", "", 404, false},
		{"TRACE", "TRACE", "/console", "", 404, false},
		{"a document", "GET", "/api/v1/requests/" + id + "/documents/" + doc.ID, e.hk, 200, false},
		{"the OpenAPI document", "GET", "/api/v1/openapi.json", "", 200, false},
		{"an audit entry", "GET", "/api/v1/audit/entries/0", e.auditor, 200, false},
		{"a checkpoint", "GET", "/api/v1/audit/checkpoint", "", 200, false},
		{"the report as CSV", "GET", "/transparency/2020-H2.csv", "", 200, false},
		{"the report as JSON", "GET", "/transparency/2020-H2.json", "", 200, false},
		{"the style sheet", "GET", "/static/style.css", "", 200, false},
		{"the static directory", "GET", "/static/", "", 404, false},
		{"metrics", "GET", "/metrics", "", 200, false},
		{"a redirect to sign in", "GET", "/console", "", 303, false},
		{"the sign-in page", "GET", "/console/signin", "", 200, true},
		{"the transparency page", "GET", "/transparency?period=2020-H2", "", 200, true},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.url+tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", h.Get("X-Content-Type-Options"))
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "base-uri 'none'") {
				t.Errorf("Content-Security-Policy = %q, want frame-ancestors and base-uri 'none'", csp)
			}
			if tt.page && !strings.Contains(csp, "object-src 'none'") {
				t.Errorf("page policy %q has no object-src 'none'", csp)
			}
			if !tt.page && !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("policy %q of a non-page answer lets it load things", csp)
			}
			if ct := h.Get("Content-Type"); (strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json")) && !strings.Contains(ct, "charset=utf-8") {
				t.Errorf("Content-Type = %q, want a charset", ct)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Errorf("HSTS %q sent over plain HTTP without --secure-cookies", h.Get("Strict-Transport-Security"))
			}
		})
	}

	// A download is an attachment with its cleaned name, never rendered.
	req, _ := http.NewRequest("GET", e.url+"/api/v1/requests/"+id+"/documents/"+doc.ID, nil)
	req.Header.Set("Authorization", "Bearer "+e.hk)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename=order.pdf` || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("document download: Content-Disposition %q, Cache-Control %q", cd, resp.Header.Get("Cache-Control"))
	}
}

// TestHSTSBehindTLS: a server told that TLS is terminated in front of it
// (--secure-cookies) sends Strict-Transport-Security for a year, covering
// subdomains (ASVS 3.4.1), on API answers and pages alike.
func TestHSTSBehindTLS(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cp, vkey := checkpointer(t, db)
	srv := httptest.NewServer(web.New(web.Config{DB: db, Blobs: blobs, Decide: defaultPolicy, Checkpoints: cp, VerifierKey: vkey, SecureCookies: true}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/healthz", "/console/signin", "/no/such/page"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s: Strict-Transport-Security = %q", path, got)
		}
	}
}
