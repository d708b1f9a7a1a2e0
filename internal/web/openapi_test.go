package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
	Comps   struct {
		Schemas map[string]struct {
			Example json.RawMessage `json:"example"`
		} `json:"schemas"`
	} `json:"components"`
}

// TestOpenAPI keeps the document true: it lists exactly the API routes the
// server serves, and the example request in it is one the server accepts.
func TestOpenAPI(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	var inDoc, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	s := &Server{metrics: newMetrics(nil)}
	for _, rt := range s.routes() {
		if rt.api {
			served = append(served, rt.method+" "+rt.pattern)
		}
	}
	sort.Strings(inDoc)
	sort.Strings(served)
	if strings.Join(inDoc, "\n") != strings.Join(served, "\n") {
		t.Errorf("the OpenAPI document and the routes differ:\ndocument:\n  %s\nroutes:\n  %s", strings.Join(inDoc, "\n  "), strings.Join(served, "\n  "))
	}

	example := doc.Comps.Schemas["NewRequest"].Example
	if len(example) == 0 {
		t.Fatal("NewRequest has no example")
	}
	db := storetest.Open(t, store.SQLite)
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var token string
	err = db.Transact(t.Context(), func(tx *store.Tx) error {
		a := &dueprocess.Agency{Name: "HKPF", Jurisdiction: "HK", Kind: dueprocess.AgencyPolice, Domains: []string{"police.gov.hk"}}
		if err := tx.CreateAgency(t.Context(), a, dueprocess.System); err != nil {
			return err
		}
		o := &dueprocess.Official{AgencyID: a.ID, Email: "o@police.gov.hk", Name: "O"}
		if err := tx.CreateOfficial(t.Context(), o, dueprocess.System); err != nil {
			return err
		}
		token, err = auth.IssueToken(t.Context(), tx, &dueprocess.Token{OfficialID: o.ID}, dueprocess.System)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{DB: db, Blobs: blobs, Decide: testDecide, Checkpoints: &audit.Checkpointer{Store: db.AuditLog()}}))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/requests", strings.NewReader(string(example)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Errorf("the documented example was refused: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	served2, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(served2) != string(openAPI) {
		t.Error("/api/v1/openapi.json does not serve the embedded document")
	}
}
