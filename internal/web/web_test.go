package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

var ctx = context.Background()

// env is a running server over a real database with two agencies (Hong
// Kong and Germany), an official of each, and staff of several roles.
type env struct {
	t           testing.TB
	db          *store.DB
	url         string
	hk, de      string // officials' tokens
	hkID        string // the Hong Kong agency's id
	staff       string // a reviewer's token
	intake      string // an intake clerk's token
	admin       string // an administrator's token
	approver    string // an approver's token
	auditor     string // an auditor's token
	verifierKey string // the audit log's
	humanRights string // the human-rights officer's token
	platform    string // the platform's deletion job's token
	// hkKey is the age identity whose recipient the Hong Kong official
	// registered; the German official has none (packages to them are
	// encrypted to a one-time passphrase).
	hkKey      *age.X25519Identity
	blobs      *blob.Store
	platformDB *platform // the platform's database the connectors read
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	return newEnvLimited(t, db, web.Limits{})
}

func newEnvLimited(t testing.TB, db *store.DB, limits web.Limits) *env {
	t.Helper()
	// As dueprocess serve does: documents on the disk beside SQLite, in
	// the database with PostgreSQL.
	var backend blob.Backend = db.Blobs()
	if db.Dialect() == store.SQLite {
		dir, err := blob.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		backend = dir
	}
	return newEnvBlobs(t, db, limits, backend)
}

// newEnvBlobs is newEnvLimited with the documents kept in backend.
func newEnvBlobs(t testing.TB, db *store.DB, limits web.Limits, backend blob.Backend) *env {
	t.Helper()
	return newEnvWith(t, db, limits, backend, defaultPolicy)
}

// newEnvWith is newEnvBlobs with the policy decide.
func newEnvWith(t testing.TB, db *store.DB, limits web.Limits, backend blob.Backend, decide store.Decider) *env {
	t.Helper()
	blobs, err := blob.New(backend, filepath.Join(t.TempDir(), "blob.key"))
	if err != nil {
		t.Fatal(err)
	}
	cp, vkey := checkpointer(t, db)
	plat := newPlatform(t)
	srv := httptest.NewServer(web.New(web.Config{DB: db, Blobs: blobs, Limits: limits, Decide: decide, Checkpoints: cp, VerifierKey: vkey,
		Gatherer: plat, Contacts: contacts{"demosisto": "demo@example.net"}}))
	t.Cleanup(srv.Close)
	hkKey, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, url: srv.URL, verifierKey: vkey, hkKey: hkKey, blobs: blobs, platformDB: plat}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		official := func(name, juris, domain string) (string, string, error) {
			a := &dueprocess.Agency{Name: name, Jurisdiction: juris, Kind: dueprocess.AgencyPolice, Domains: []string{domain}, CallbackPhone: "+852 2860 2000"}
			if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
				return "", "", err
			}
			o := &dueprocess.Official{AgencyID: a.ID, Email: "officer@" + domain, Name: "Officer"}
			if juris == "HK" {
				o.AgeRecipient = hkKey.Recipient().String()
			}
			if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
				return "", "", err
			}
			tok, err := auth.IssueToken(ctx, tx, &dueprocess.Token{OfficialID: o.ID}, dueprocess.System)
			return a.ID, tok, err
		}
		staff := func(email string, role dueprocess.Role) (string, error) {
			s := &dueprocess.Staff{Email: email, Name: "Staff", Roles: []dueprocess.Role{role}}
			if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
				return "", err
			}
			return auth.IssueToken(ctx, tx, &dueprocess.Token{StaffID: s.ID}, dueprocess.System)
		}
		var err error
		if e.hkID, e.hk, err = official("Hong Kong Police Force", "HK", "police.gov.hk"); err != nil {
			return err
		}
		if _, e.de, err = official("Bundeskriminalamt", "DE", "bka.bund.de"); err != nil {
			return err
		}
		if e.staff, err = staff("reviewer@example.com", dueprocess.RoleReviewer); err != nil {
			return err
		}
		if e.intake, err = staff("intake@example.com", dueprocess.RoleIntake); err != nil {
			return err
		}
		if e.admin, err = staff("admin@example.com", dueprocess.RoleAdmin); err != nil {
			return err
		}
		if e.approver, err = staff("approver@example.com", dueprocess.RoleApprover); err != nil {
			return err
		}
		if e.auditor, err = staff("auditor@example.com", dueprocess.RoleAuditor); err != nil {
			return err
		}
		if e.platform, err = staff("deletion-job@example.com", dueprocess.RolePlatform); err != nil {
			return err
		}
		e.humanRights, err = staff("hr@example.com", dueprocess.RoleHumanRights)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a request and returns the status and body.
func (e *env) do(method, path, token string, body io.Reader, header ...string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// submit posts a request body as the given official.
func (e *env) submit(token, body string, header ...string) (int, map[string]any) {
	e.t.Helper()
	status, b := e.do("POST", "/api/v1/requests", token, strings.NewReader(body), header...)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
	return status, m
}

// counts returns how many rows hold requests and their parts, to check
// that a refused submission stored nothing.
func (e *env) counts() string {
	e.t.Helper()
	var parts []string
	for _, table := range []string{"requests", "request_targets", "request_events", "idempotency_keys", "documents", "counters"} {
		var n int
		if err := e.db.SQL().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(parts, " ")
}

const hkRequest = `{"kind": "user_data", "jurisdiction": "HK",
 "legal_process": {"type": "subpoena", "reference": "HKPF-2026-0113", "issued_by": "Hong Kong Police Force", "issued_on": "2026-03-01"},
 "offence": {"category": "subversion", "description": "posts calling for a boycott"},
 "targets": [{"type": "username", "value": "demosisto"}],
 "data_categories": ["subscriber", "ip_logs"],
 "date_range": {"from": "2026-01-01", "to": "2026-03-01"},
 "nondisclosure": {"until": "2026-12-31"},
 "deadline": "2026-04-01"}`

// with returns hkRequest with one top-level field replaced (or removed,
// when value is nil).
func with(field string, value any) string {
	var m map[string]any
	json.Unmarshal([]byte(hkRequest), &m)
	if value == nil {
		delete(m, field)
	} else {
		m[field] = value
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func errorOf(m map[string]any) (code, field, message string) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	message, _ = e["message"].(string)
	return
}

func TestSubmitBadInput(t *testing.T) {
	many := make([]map[string]string, 501)
	for i := range many {
		many[i] = map[string]string{"type": "username", "value": fmt.Sprintf("u%d", i)}
	}
	tests := []struct {
		name   string
		body   string
		header []string
		token  string // "" means the Hong Kong official
		status int
		field  string
	}{
		{"unknown field", with("colour", "red"), nil, "", 400, "colour"},
		{"unknown nested field", with("legal_process", map[string]any{"type": "subpoena", "reference": "r", "issued_by": "i", "judge": "x"}), nil, "", 400, "legal_process.judge"},
		{"wrong kind", with("kind", "data"), nil, "", 400, "kind"},
		{"missing kind", with("kind", nil), nil, "", 400, "kind"},
		{"wrong process type", with("legal_process", map[string]any{"type": "warrant", "reference": "r", "issued_by": "i"}), nil, "", 400, "legal_process.type"},
		{"process type not a string", with("legal_process", map[string]any{"type": 7, "reference": "r", "issued_by": "i"}), nil, "", 400, "legal_process.type"},
		{"missing reference", with("legal_process", map[string]any{"type": "subpoena", "issued_by": "i"}), nil, "", 400, "legal_process.reference"},
		{"no such country", with("jurisdiction", "XK"), nil, "", 400, "jurisdiction"},
		{"not a code", with("jurisdiction", "Hong Kong"), nil, "", 400, "jurisdiction"},
		{"another agency's jurisdiction", with("jurisdiction", "DE"), nil, "", 400, "jurisdiction"},
		{"wrong category", with("data_categories", []string{"subscriber", "photos"}), nil, "", 400, "data_categories[1]"},
		{"no categories", with("data_categories", []string{}), nil, "", 400, "data_categories"},
		{"wrong target type", with("targets", []map[string]string{{"type": "ip", "value": "1.2.3.4"}}), nil, "", 400, "targets[0].type"},
		{"bad e-mail target", with("targets", []map[string]string{{"type": "email", "value": "not an address"}}), nil, "", 400, "targets[0].value"},
		{"no targets", with("targets", []map[string]string{}), nil, "", 400, "targets"},
		{"501 targets", with("targets", many), nil, "", 400, "targets"},
		{"date that does not parse", with("deadline", "1 April 2026"), nil, "", 400, "deadline"},
		{"impossible date", with("deadline", "2026-02-30"), nil, "", 400, "deadline"},
		{"range runs backwards", with("date_range", map[string]string{"from": "2026-03-01", "to": "2026-01-01"}), nil, "", 400, "date_range.to"},
		{"emergency without claim", with("kind", "emergency"), nil, "", 400, "emergency"},
		{"claim on a non-emergency", with("emergency", map[string]string{"harm": "death", "justification": "x"}), nil, "", 400, "emergency"},
		{"body over 1 MB", `{"kind": "` + strings.Repeat("x", 1<<20) + `"}`, nil, "", 413, ""},
		{"not JSON", `kind=user_data`, nil, "", 400, ""},
		{"truncated JSON", hkRequest[:40], nil, "", 400, ""},
		{"two JSON values", hkRequest + hkRequest, nil, "", 400, ""},
		{"an array", `[]`, nil, "", 400, ""},
		{"empty body", ``, nil, "", 400, ""},
		{"form content type", hkRequest, []string{"Content-Type", "application/x-www-form-urlencoded"}, "", 400, "Content-Type"},
		{"bad idempotency key", hkRequest, []string{"Idempotency-Key", "has spaces in it"}, "", 400, "Idempotency-Key"},
		{"no token", hkRequest, nil, "-", 401, ""},
		{"unknown token", hkRequest, nil, "dpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, ""},
		{"malformed token", hkRequest, nil, "secret", 401, ""},
		{"staff token", hkRequest, nil, "staff", 403, ""},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		before := e.counts()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				token := e.hk
				switch tt.token {
				case "":
				case "-":
					token = ""
				case "staff":
					token = e.staff
				default:
					token = tt.token
				}
				status, m := e.submit(token, tt.body, tt.header...)
				code, field, msg := errorOf(m)
				if status != tt.status || field != tt.field || msg == "" || code == "" {
					t.Errorf("status %d, field %q, message %q; want status %d, field %q and a message", status, field, msg, tt.status, tt.field)
				}
				if after := e.counts(); after != before {
					t.Errorf("rows changed after a refused submission:\n before %s\n after  %s", before, after)
				}
			})
		}
	})
}

func TestSubmitAndRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, hkRequest)
		if status != 201 {
			t.Fatalf("status %d: %v", status, m)
		}
		id, _ := m["id"].(string)
		decision, _ := m["decision"].(map[string]any)
		outcome, _ := decision["outcome"].(string)
		if !strings.HasPrefix(id, "DP-") || m["received_at"] == nil || outcome == "" ||
			m["status"] != string(dueprocess.Outcome(outcome).Status()) {
			t.Errorf("answer = %v; want an id, received_at, a decision and the status it calls for", m)
		}
		// Everything submitted comes back.
		var sent map[string]any
		json.Unmarshal([]byte(hkRequest), &sent)
		for k, v := range sent {
			if got, _ := json.Marshal(m[k]); string(got) != mustJSON(v) {
				t.Errorf("%s = %s, want %s", k, got, mustJSON(v))
			}
		}
		// Staff not on the case see the request without its targets;
		// once assigned, they see what the official sees.
		_, own := e.do("GET", "/api/v1/requests/"+id, e.hk, nil)
		_, unassigned := e.request(e.staff, id)
		if unassigned["withheld"] != dueprocess.CaseBound || len(unassigned["targets"].([]any)) != 0 {
			t.Errorf("unassigned staff read targets: %v", unassigned)
		}
		e.assign(id, e.staff)
		_, created := e.do("GET", "/api/v1/requests/"+id, e.staff, nil)
		// Staff see the signals too (docs/verification.md); officials never.
		var staffView map[string]any
		json.Unmarshal(created, &staffView)
		if staffView["signals"] == nil || bytes.Contains(own, []byte(`"signals"`)) {
			t.Errorf("signals: staff read %v, the official read %s; want them for staff only", staffView["signals"], own)
		}
		delete(staffView, "signals")
		if got := mustJSON(staffView); got != mustJSON(decodeMap(own)) {
			t.Errorf("official and assigned staff read different requests:\n%s\n%s", own, got)
		}
		// Another agency's official gets exactly what a missing id gets.
		st1, other := e.do("GET", "/api/v1/requests/"+id, e.de, nil)
		st2, missing := e.do("GET", "/api/v1/requests/DP-2026-999999", e.de, nil)
		other = bytes.ReplaceAll(other, []byte(id), []byte("DP-2026-999999"))
		if st1 != 404 || st2 != 404 || !bytes.Equal(other, missing) {
			t.Errorf("other agency's request: %d %s; missing: %d %s; want the same 404", st1, other, st2, missing)
		}
		if st, _ := e.do("GET", "/api/v1/requests/"+id+"/events", e.de, nil); st != 404 {
			t.Errorf("other agency's events: status %d, want 404", st)
		}
		st, body := e.do("GET", "/api/v1/requests/"+id+"/events", e.hk, nil)
		if st != 200 || !bytes.Contains(body, []byte(`"received"`)) {
			t.Errorf("events: %d %s", st, body)
		}
		// Officials cannot list; staff can.
		if st, _ := e.do("GET", "/api/v1/requests", e.hk, nil); st != 403 {
			t.Errorf("official listing: status %d, want 403", st)
		}
		st, body = e.do("GET", "/api/v1/requests?jurisdiction=hk&kind=user_data&status="+m["status"].(string), e.staff, nil)
		if st != 200 || !bytes.Contains(body, []byte(id)) {
			t.Errorf("staff listing: %d %s", st, body)
		}
		for _, q := range []string{"status=open", "kind=x", "jurisdiction=ZZ", "limit=0", "limit=501", "colour=red"} {
			if st, _ := e.do("GET", "/api/v1/requests?"+q, e.staff, nil); st != 400 {
				t.Errorf("listing with %s: status %d, want 400", q, st)
			}
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestListPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i := 0; i < 7; i++ {
			if st, m := e.submit(e.hk, hkRequest); st != 201 {
				t.Fatal(m)
			}
		}
		var seen []string
		after := ""
		for pages := 0; pages < 10; pages++ {
			st, body := e.do("GET", "/api/v1/requests?limit=3&after="+after, e.staff, nil)
			if st != 200 {
				t.Fatalf("status %d %s", st, body)
			}
			var page struct {
				Requests []struct{ ID string }
				Next     string
			}
			json.Unmarshal(body, &page)
			for _, r := range page.Requests {
				seen = append(seen, r.ID)
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
		if len(seen) != 7 || seen[0] != "DP-2026-000001" || seen[6] != "DP-2026-000007" {
			t.Errorf("paged ids = %v, want DP-2026-000001 … 000007", seen)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st1, first := e.submit(e.hk, hkRequest, "Idempotency-Key", "retry-1")
		st2, second := e.submit(e.hk, hkRequest, "Idempotency-Key", "retry-1")
		if st1 != 201 || st2 != 201 || mustJSON(first) != mustJSON(second) {
			t.Errorf("retry: %d %v / %d %v; want the same 201 answer", st1, first["id"], st2, second["id"])
		}
		st, m := e.submit(e.hk, with("deadline", "2026-05-01"), "Idempotency-Key", "retry-1")
		if _, field, _ := errorOf(m); st != 409 || field != "Idempotency-Key" {
			t.Errorf("same key, other body: %d %v; want 409 naming Idempotency-Key", st, m)
		}
		// The same key from another official is another key.
		deBody := strings.ReplaceAll(hkRequest, `"HK"`, `"DE"`)
		if st, m := e.submit(e.de, deBody, "Idempotency-Key", "retry-1"); st != 201 || m["id"] == first["id"] {
			t.Errorf("other official, same key: %d %v; want a new request", st, m["id"])
		}
		// Concurrent retries create exactly one request.
		var wg sync.WaitGroup
		ids := make([]any, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, m := e.submit(e.hk, hkRequest, "Idempotency-Key", "burst")
				if st != 201 {
					t.Errorf("concurrent retry %d: status %d %v", i, st, m)
				}
				ids[i] = m["id"]
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Errorf("concurrent retries got ids %v; want one", ids)
				break
			}
		}
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM requests`).Scan(&n)
		if n != 3 {
			t.Errorf("%d requests stored, want 3", n)
		}
	})
}

// pdf returns a small valid-looking PDF of about size bytes.
func pdf(size int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
	for b.Len() < size-20 {
		b.WriteString("% padding to make the file as large as the test needs\n")
	}
	b.WriteString("trailer\n%%EOF\n")
	return b.Bytes()
}

func TestDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		path := "/api/v1/requests/" + id + "/documents"
		file := pdf(50_000)

		st, body := e.do("POST", path+"?filename=../../order.pdf", e.hk, bytes.NewReader(file), "Content-Type", "application/pdf")
		if st != 201 {
			t.Fatalf("raw upload: %d %s", st, body)
		}
		var doc dueprocess.Document
		json.Unmarshal(body, &doc)
		if doc.Size != int64(len(file)) || len(doc.SHA256) != 64 || doc.Filename != "order.pdf" {
			t.Errorf("document = %+v", doc)
		}
		if st, _ := e.do("GET", path+"/"+doc.ID, e.staff, nil); st != 403 {
			t.Errorf("download by staff not on the case: %d, want 403", st)
		}
		e.assign(id, e.staff)
		st, got := e.do("GET", path+"/"+doc.ID, e.staff, nil)
		if st != 200 || !bytes.Equal(got, file) {
			t.Errorf("download: status %d, %d bytes; want 200 and the %d bytes uploaded", st, len(got), len(file))
		}
		if st, _ := e.do("GET", path+"/"+doc.ID, e.de, nil); st != 404 {
			t.Errorf("download by another agency: %d, want 404", st)
		}

		// Multipart, as a browser form sends it.
		var mp bytes.Buffer
		w := multipart.NewWriter(&mp)
		fw, _ := w.CreateFormFile("file", "warrant.pdf")
		fw.Write(pdf(2000))
		w.Close()
		if st, body := e.do("POST", path, e.hk, &mp, "Content-Type", w.FormDataContentType()); st != 201 || !strings.Contains(string(body), "warrant.pdf") {
			t.Errorf("multipart upload: %d %s", st, body)
		}

		before := e.counts()
		bad := []struct {
			name   string
			token  string
			body   []byte
			ctype  string
			status int
		}{
			{"a PNG named .pdf", e.hk, append([]byte("\x89PNG\r\n\x1a\n"), pdf(1000)[8:]...), "application/pdf", 400},
			{"a truncated PDF", e.hk, pdf(5000)[:4000], "application/pdf", 400},
			{"empty", e.hk, nil, "application/pdf", 400},
			{"over 20 MB", e.hk, pdf(dueprocess.MaxDocumentSize + 100), "application/pdf", 413},
			{"wrong content type", e.hk, file, "text/plain", 400},
			{"another agency", e.de, file, "application/pdf", 404},
			{"a reviewer", e.staff, file, "application/pdf", 403},
		}
		for _, b := range bad {
			st, body := e.do("POST", path, b.token, bytes.NewReader(b.body), "Content-Type", b.ctype)
			if st != b.status {
				t.Errorf("%s: status %d %s, want %d", b.name, st, body, b.status)
			}
		}
		if after := e.counts(); after != before {
			t.Errorf("refused uploads changed rows:\n before %s\n after  %s", before, after)
		}
		if st, _ := e.do("POST", path, e.intake, bytes.NewReader(file), "Content-Type", "application/pdf"); st != 201 {
			t.Errorf("intake staff upload: %d, want 201", st)
		}
	})
}

func TestHealthAndMetrics(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	if st, body := e.do("GET", "/healthz", "", nil); st != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz: %d %s", st, body)
	}
	e.submit(e.hk, hkRequest)
	st, body := e.do("GET", "/metrics", "", nil)
	if st != 200 || !strings.Contains(string(body), `dueprocess_http_requests_total{code="201",route="POST /api/v1/requests"} 1`) {
		t.Errorf("metrics: %d, missing the request counter:\n%.2000s", st, body)
	}
	if st, body := e.do("GET", "/no/such/page", "", nil); st != 404 || !strings.Contains(string(body), `"not_found"`) {
		t.Errorf("unknown route: %d %s", st, body)
	}
}

func TestRateLimits(t *testing.T) {
	e := newEnvLimited(t, storetest.Open(t, store.SQLite), web.Limits{PerCaller: 1, Burst: 3, FailedAuthPerMinute: 1})
	var got []int
	for i := 0; i < 5; i++ {
		st, _ := e.do("GET", "/api/v1/requests", e.staff, nil)
		got = append(got, st)
	}
	if fmt.Sprint(got) != "[200 200 200 429 429]" {
		t.Errorf("statuses = %v, want three calls allowed, then 429", got)
	}
	// Another caller has their own allowance.
	if st, _ := e.do("GET", "/api/v1/requests", e.intake, nil); st != 200 {
		t.Errorf("another caller: %d, want 200", st)
	}
	// An address that keeps presenting bad tokens is cut off, even with a good one.
	for i := 0; i < 20; i++ {
		e.do("GET", "/api/v1/requests", "dpt_wrong", nil)
	}
	st, body := e.do("GET", "/api/v1/requests/DP-2026-000001", e.hk, nil)
	if st != 429 || !strings.Contains(string(body), "rate_limited") {
		t.Errorf("after 20 failed authentications: %d %s, want 429", st, body)
	}
}

// assign puts the staff member holding token on request id's case.
func (e *env) assign(id, token string) {
	e.t.Helper()
	p, err := e.db.PrincipalByTokenHash(ctx, auth.HashToken(token))
	if err != nil {
		e.t.Fatal(err)
	}
	status, b := e.do("POST", "/api/v1/requests/"+id+"/assign", e.admin, strings.NewReader(`{"staff_id": "`+p.Staff.ID+`"}`))
	if status != 200 {
		e.t.Fatalf("assign: %d %s", status, b)
	}
}

// TestOtherAgencyAndMissingAnswerAlike: on every route an official uses
// with a request's id, another agency's request answers exactly what a
// missing id answers, and by the same path: the official's load names the
// agency in its one query, so neither reads the request's targets or
// documents, and the two cost the same (no timed assertion here; see
// store.AgencyRequest). To show that nothing more is read, the tables of
// targets and documents are renamed away: a read of either would fail,
// as the own agency's read then does.
func TestOtherAgencyAndMissingAnswerAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		targets := make([]map[string]string, 500)
		for i := range targets {
			targets[i] = map[string]string{"type": "username", "value": fmt.Sprintf("user%d", i)}
		}
		_, m := e.submit(e.hk, with("targets", targets))
		id := m["id"].(string)
		status, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
		if status != 201 {
			t.Fatalf("document: %d %s", status, b)
		}
		var doc dueprocess.Document
		json.Unmarshal(b, &doc)
		for _, table := range []string{"request_targets", "documents"} {
			if _, err := db.SQL().Exec("ALTER TABLE " + table + " RENAME TO " + table + "_away"); err != nil {
				t.Fatal(err)
			}
		}

		const missing = "DP-2026-999999"
		for _, call := range []struct {
			method, path, ctype, body string
		}{
			{"GET", "", "", ""},
			{"GET", "/events", "", ""},
			{"GET", "/documents/" + doc.ID, "", ""},
			{"POST", "/documents", "application/pdf", string(pdf(2000))},
			{"POST", "/withdraw", "application/json", `{"reason": "the investigation closed"}`},
			{"GET", "/response", "", ""},
			{"GET", "/package", "", ""},
		} {
			answer := func(id string) (int, []byte) {
				var body io.Reader
				if call.method == "POST" {
					body = strings.NewReader(call.body)
				}
				return e.do(call.method, "/api/v1/requests/"+id+call.path, e.de, body, "Content-Type", call.ctype)
			}
			st1, other := answer(id)
			st2, gone := answer(missing)
			other = bytes.ReplaceAll(other, []byte(id), []byte(missing))
			if st1 != 404 || st2 != 404 || !bytes.Equal(other, gone) {
				t.Errorf("%s %s: another agency's request: %d %s; a missing one: %d %s; want the same 404",
					call.method, call.path, st1, other, st2, gone)
			}
		}
		if status, b := e.do("GET", "/api/v1/requests/"+id, e.hk, nil); status != 500 {
			t.Errorf("own agency's read with the targets' table gone: %d %.200s, want 500: the rename must stop any read of targets", status, b)
		}
	})
}

func decodeMap(b []byte) map[string]any {
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}
