package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/disclose"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// courtOrder is a Hong Kong court order about fraud for demosisto's
// subscriber records and IP logs from 2026-01-01 to 2026-03-01: the
// policy sends it to review and allows both categories.
var courtOrder = strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)

// approve submits body as token's official, has the reviewer propose
// proposal and a different staff member (the approver) confirm it, and
// puts both on the case. It returns the request's id.
func (e *env) approve(token, body, proposal string) string {
	e.t.Helper()
	status, m := e.submit(token, body)
	if status != 201 || m["status"] != "in_review" {
		e.t.Fatalf("submit: %d %v", status, m)
	}
	id := m["id"].(string)
	e.assign(id, e.staff)
	e.assign(id, e.approver)
	if status, b := e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(proposal)); status != 200 {
		e.t.Fatalf("review: %d %s", status, b)
	}
	if status, b := e.do("POST", "/api/v1/requests/"+id+"/approve", e.approver, strings.NewReader(`{"note": "checked the order"}`)); status != 200 {
		e.t.Fatalf("approve: %d %s", status, b)
	}
	// The tests submit the same legal process again and again, which the
	// duplicate signal holds back until a callback confirms the sender.
	e.confirmCallback(id)
	return id
}

// confirmCallback records a confirmed callback to the agency's number in
// the registry, as staff do before releasing a request that a signal or
// an emergency holds back (docs/verification.md).
func (e *env) confirmCallback(id string) {
	e.t.Helper()
	p, err := e.db.PrincipalByTokenHash(ctx, auth.HashToken(e.staff))
	if err != nil {
		e.t.Fatal(err)
	}
	c := &dueprocess.Callback{Dialled: "+852 2860 2000", CalledAt: e.db.Now(), Reached: "the duty officer", Outcome: dueprocess.CallbackConfirmed}
	if err := e.db.RecordCallback(ctx, id, c, p.Actor()); err != nil {
		e.t.Fatalf("callback: %v", err)
	}
}

const approveAll = `{"decision": "approve", "note": "as the court order allows"}`

func (e *env) post(path, token, body string) (int, map[string]any) {
	e.t.Helper()
	status, b := e.do("POST", path, token, strings.NewReader(body), "Content-Type", "text/csv")
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("%s: %d, not JSON: %s", path, status, b)
	}
	return status, m
}

// released collects and releases request id as the reviewer.
func (e *env) released(id string) map[string]any {
	e.t.Helper()
	if status, m := e.post("/api/v1/requests/"+id+"/collect", e.staff, ""); status != 200 {
		e.t.Fatalf("collect: %d %v", status, m)
	}
	status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, "")
	if status != 200 {
		e.t.Fatalf("release: %d %v", status, m)
	}
	return m
}

// TestDisclosureEndToEnd is the walkthrough of docs/disclosure.md: an
// approved court order is gathered by connector and by hand, released,
// downloaded once by the official, decrypted with their key, and checked
// against its manifest and the audit log. Rows outside the date range,
// and another user's rows, never reach the package.
func TestDisclosureEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		base := "/api/v1/requests/" + id

		// By hand: an approved category is taken; another is 409 naming it.
		status, m := e.post(base+"/files?category=subscriber&name=subscriber-notes.txt", e.staff, "notes taken by hand\n")
		if status != 201 || m["sha256"] != seal.SHA256([]byte("notes taken by hand\n")) {
			t.Fatalf("add file: %d %v", status, m)
		}
		status, m = e.post(base+"/files?category=location&name=loc.csv", e.staff, "x\n")
		if _, _, msg := errorOf(m); status != 409 || !strings.Contains(msg, "location") {
			t.Errorf("a file of a category not approved: %d %v, want 409 naming location", status, m)
		}
		status, m = e.post(base+"/files?category=subscriber&name=../etc/passwd", e.staff, "x\n")
		if _, field, _ := errorOf(m); status != 400 || field != "name" {
			t.Errorf("a name with a directory: %d %v, want 400 on name", status, m)
		}
		// Off the case: an approver not assigned is refused.
		if status, m := e.post(base+"/collect", e.admin, ""); status != 403 {
			t.Errorf("collect by an admin: %d %v, want 403", status, m)
		}
		rel := e.released(id)
		pkg := rel["package"].(map[string]any)
		if rel["status"] != "disclosed" || rel["passphrase"] != nil || pkg["encryption"] != "age_recipient" {
			t.Fatalf("release = %v", rel)
		}

		// The answer, then the one download.
		status, b := e.do("GET", base+"/response", e.hk, nil)
		var resp dueprocess.Response
		json.Unmarshal(b, &resp)
		if status != 200 || resp.Package == nil || resp.Outcome != "disclosed" || resp.Package.SHA256 != pkg["sha256"] {
			t.Fatalf("response: %d %s", status, b)
		}
		for _, c := range resp.Categories {
			if c.Outcome != dueprocess.AnswerProduced {
				t.Errorf("category %s: %s, want produced", c.Category, c.Outcome)
			}
		}
		if status, _ := e.do("GET", base+"/package", e.de, nil); status != 404 {
			t.Errorf("another agency's download: %d, want 404", status)
		}
		if status, _ := e.do("GET", base+"/response", e.de, nil); status != 404 {
			t.Errorf("another agency's response: %d, want 404", status)
		}
		status, ct := e.do("GET", resp.Package.URL, e.hk, nil)
		if status != 200 || seal.SHA256(ct) != resp.Package.SHA256 || int64(len(ct)) != resp.Package.Bytes {
			t.Fatalf("download: %d, %d bytes, sha256 %s; want 200 and the answer's %d bytes, %s", status, len(ct), seal.SHA256(ct), resp.Package.Bytes, resp.Package.SHA256)
		}
		if status, b := e.do("GET", resp.Package.URL, e.hk, nil); status != 410 {
			t.Errorf("second download: %d %s, want 410", status, b)
		}
		opened, err := seal.Open(bytes.NewReader(ct), e.hkKey)
		if err != nil {
			t.Fatal(err)
		}
		checkPackage(t, opened, id)
		checkReleaseLogged(t, db, id, seal.SHA256(opened.ManifestRaw), resp.Package.SHA256)

		// The plaintext was deleted once sealed; the ciphertext once
		// downloaded (possibly a moment after the last byte).
		files, _ := db.Gathered(ctx, id)
		for _, f := range files {
			if f.NoData {
				continue
			}
			if f.PackageID == "" {
				t.Errorf("%s not sealed", f.Name)
			}
			if rc, err := e.blobs.Get(ctx, f.SHA256); err == nil {
				rc.Close()
				t.Errorf("the plaintext of %s is still stored", f.Name)
			}
		}
		waitDeleted(t, db, id)
		if p, _ := db.Package(ctx, id); len(p.Manifest) == 0 || p.ManifestSHA256 != seal.SHA256(p.Manifest) {
			t.Errorf("the manifest was not kept with its hash")
		}
	})
}

// checkPackage checks a package's content: the manifest's hashes match
// the files, and only demosisto's rows inside the date range are in it.
func checkPackage(t *testing.T, o *seal.Opened, id string) {
	t.Helper()
	m := o.Manifest
	if m.RequestID != id || m.LegalProcess.Reference != "HKPF-2026-0113" || len(m.ApprovedBy) != 2 || m.ApprovedBy[0] == m.ApprovedBy[1] || m.PolicyHash == "" {
		t.Errorf("manifest = %s", o.ManifestRaw)
	}
	var all []byte
	for _, f := range m.Files {
		b := o.Files[f.Name]
		if seal.SHA256(b) != f.SHA256 || int64(len(b)) != f.Bytes {
			t.Errorf("%s: the manifest's sha256 or size does not match the file", f.Name)
		}
		if f.Category != dueprocess.CategorySubscriber && f.Category != dueprocess.CategoryIPLogs {
			t.Errorf("%s: category %s was not approved", f.Name, f.Category)
		}
		all = append(all, b...)
	}
	for _, want := range []string{"demosisto@example.org", "192.0.2.10", "192.0.2.11", "notes taken by hand"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("the package lacks %q", want)
		}
	}
	for _, never := range []string{"198.51.100.1", "198.51.100.2", "bystander", "203.0.113.9", "private words"} {
		if bytes.Contains(all, []byte(never)) {
			t.Errorf("the package holds %q, outside the date range, the targets or the approval", never)
		}
	}
}

// checkReleaseLogged checks that the log verifies and holds the release
// with the manifest's and the package's sha256, and the download.
func checkReleaseLogged(t *testing.T, db *store.DB, id, manifestSum, packageSum string) {
	t.Helper()
	_, datas, err := db.AuditLog().ObjectEntries(ctx, "request:"+id)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, d := range datas {
		en, err := audit.Decode(d)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			ManifestSHA256 string `json:"manifest_sha256"`
			SHA256         string `json:"sha256"`
			From           string `json:"from"`
		}
		json.Unmarshal(en.Body, &body)
		switch en.Action {
		case dueprocess.ActionPackageReleased:
			found[en.Action] = body.ManifestSHA256 == manifestSum && body.SHA256 == packageSum
		case dueprocess.ActionPackageDownloaded:
			found[en.Action] = body.SHA256 == packageSum && body.From != "" && en.Actor.Type == dueprocess.ActorOfficial
		case dueprocess.ActionDataGathered:
			found[en.Action] = true
		}
	}
	for _, a := range []string{dueprocess.ActionDataGathered, dueprocess.ActionPackageReleased, dueprocess.ActionPackageDownloaded} {
		if !found[a] {
			t.Errorf("no entry %s with the right hashes in the log of %s", a, id)
		}
	}
	_, verifier, _, err := audit.CreateKey(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Verify(ctx, db.AuditLog(), verifier, audit.DefaultKeyName, nil); err != nil {
		t.Errorf("audit verify: %v", err)
	}
}

// waitDeleted waits (briefly) for the download's deletion of the
// ciphertext, which follows the last byte sent.
func waitDeleted(t *testing.T, db *store.DB, id string) {
	t.Helper()
	for range 200 {
		if p, err := db.Package(ctx, id); err == nil && p.DeletedAt != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the ciphertext of %s was not deleted after its download", id)
}

// TestSubpoenaNeverDisclosesContent: a subpoena asking for content gets
// subscriber records only, however it is gathered.
func TestSubpoenaNeverDisclosesContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		subpoena := strings.NewReplacer(`"subversion"`, `"fraud"`, `["subscriber", "ip_logs"]`, `["subscriber", "content"]`).Replace(hkRequest)
		id := e.approve(e.hk, subpoena, approveAll)
		base := "/api/v1/requests/" + id
		status, m := e.post(base+"/files?category=content&name=statuses.csv", e.staff, "private words\n")
		if _, _, msg := errorOf(m); status != 409 || !strings.Contains(msg, "content") {
			t.Errorf("content by hand: %d %v, want 409 naming content", status, m)
		}
		rel := e.released(id)
		status, ct := e.do("GET", "/api/v1/requests/"+id+"/package", e.hk, nil)
		if status != 200 {
			t.Fatalf("download: %d", status)
		}
		o, err := seal.Open(bytes.NewReader(ct), e.hkKey)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range o.Manifest.Files {
			if f.Category != dueprocess.CategorySubscriber {
				t.Errorf("the package holds %s (%s); a subpoena allows subscriber records only", f.Name, f.Category)
			}
		}
		for name, b := range o.Files {
			if bytes.Contains(b, []byte("private words")) {
				t.Errorf("%s holds a status's content", name)
			}
		}
		status, b := e.do("GET", "/api/v1/requests/"+id+"/response", e.hk, nil)
		var resp dueprocess.Response
		json.Unmarshal(b, &resp)
		got := map[dueprocess.DataCategory]dueprocess.CategoryAnswer{}
		for _, c := range resp.Categories {
			got[c.Category] = c
		}
		if status != 200 || got["content"].Outcome != dueprocess.AnswerRefused || got["content"].Reason == "" || got["subscriber"].Outcome != dueprocess.AnswerProduced {
			t.Errorf("response: %d %s (release %v)", status, b, rel)
		}
	})
}

// TestReleaseRefusals: nothing is released without four eyes, while a
// pause holds the request, or before anything was gathered; nor is
// anything gathered for a request that is not approved.
func TestReleaseRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Approved by the system without any review: no four eyes.
		status, m := e.submit(e.hk, courtOrder)
		if status != 201 {
			t.Fatal(m)
		}
		lone := m["id"].(string)
		e.assign(lone, e.staff)
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.SetStatus(ctx, lone, dueprocess.StatusAwaitingApproval, dueprocess.System, ""); err != nil {
				return err
			}
			return tx.SetStatus(ctx, lone, dueprocess.StatusApproved, dueprocess.System, "")
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/release", "/collect", "/files?category=subscriber&name=a.csv"} {
			status, m := e.post("/api/v1/requests/"+lone+path, e.staff, "a\n")
			if _, _, msg := errorOf(m); status != 409 || !strings.Contains(msg, "four eyes") {
				t.Errorf("%s without four eyes: %d %v, want 409 naming four eyes", path, status, m)
			}
		}

		// In review: cannot gather.
		status, m = e.submit(e.hk, courtOrder)
		inReview := m["id"].(string)
		e.assign(inReview, e.staff)
		if status, m := e.post("/api/v1/requests/"+inReview+"/collect", e.staff, ""); status != 409 {
			t.Errorf("collect in review: %d %v, want 409", status, m)
		}

		// Approved, gathered, then paused: never released.
		id := e.approve(e.hk, courtOrder, approveAll)
		if status, m := e.post("/api/v1/requests/"+id+"/collect", e.staff, ""); status != 200 {
			t.Fatalf("collect: %d %v", status, m)
		}
		if status, b := e.do("POST", "/api/v1/jurisdictions/HK/pause", e.admin, strings.NewReader(`{"reason": "due diligence"}`)); status != 201 {
			t.Fatalf("pause: %d %s", status, b)
		}
		if status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, ""); status != 409 {
			t.Errorf("release while paused: %d %v, want 409", status, m)
		}
		// Even a request the pause did not move (as if it slipped past)
		// is refused by the release's own check.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.Release(ctx, store.Release{RequestID: id}, dueprocess.System, nil)
			return err
		})
		if dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("store release while paused: %v, want a conflict", err)
		}
		if _, err := db.Package(ctx, id); dueprocess.ErrorKind(err) != dueprocess.NotFound {
			t.Errorf("a package exists for a paused request: %v", err)
		}
	})
}

// TestDownloadOnce: fifty downloads at once, one succeeds, the rest are
// told it is gone.
func TestDownloadOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		e.released(id)
		var wg sync.WaitGroup
		codes := make(chan int, 50)
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", e.url+"/api/v1/requests/"+id+"/package", nil)
				req.Header.Set("Authorization", "Bearer "+e.hk)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				codes <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		n := map[int]int{}
		for c := range codes {
			n[c]++
		}
		if n[200] != 1 || n[410] != 49 {
			t.Errorf("50 downloads at once: %v, want one 200 and 49 410", n)
		}
		var downloads int
		_, datas, _ := db.AuditLog().ObjectEntries(ctx, "request:"+id)
		for _, d := range datas {
			if en, _ := audit.Decode(d); en.Action == dueprocess.ActionPackageDownloaded {
				downloads++
			}
		}
		if downloads != 1 {
			t.Errorf("%d download entries in the log, want 1", downloads)
		}
	})
}

// TestReleaseToPassphrase: an official without an age key gets a package
// encrypted to a one-time passphrase, shown once in the release's answer
// and stored nowhere.
func TestReleaseToPassphrase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		de := strings.NewReplacer(`"HK"`, `"DE"`, "HKPF-2026-0113", "BKA-2026-7").Replace(courtOrder)
		status, m := e.submit(e.de, de)
		if status != 201 || m["status"] != "in_review" {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		e.assign(id, e.staff)
		e.assign(id, e.approver)
		e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(approveAll))
		e.do("POST", "/api/v1/requests/"+id+"/approve", e.approver, strings.NewReader(`{"note": "ok"}`))
		rel := e.released(id)
		pass, _ := rel["passphrase"].(string)
		if pass == "" || rel["package"].(map[string]any)["encryption"] != "passphrase" {
			t.Fatalf("release = %v, want a passphrase", rel)
		}
		status, ct := e.do("GET", "/api/v1/requests/"+id+"/package", e.de, nil)
		if status != 200 {
			t.Fatalf("download: %d", status)
		}
		sid, _ := age.NewScryptIdentity(pass)
		if _, err := seal.Open(bytes.NewReader(ct), sid); err != nil {
			t.Errorf("open with the passphrase: %v", err)
		}
		// Stored nowhere: not in the log, not with the package.
		size, _ := db.AuditLog().Size(ctx)
		db.AuditLog().Entries(ctx, 0, size, func(i int64, data []byte) error {
			if bytes.Contains(data, []byte(pass)) {
				t.Errorf("audit entry %d holds the passphrase", i)
			}
			return nil
		})
		if p, _ := db.Package(ctx, id); bytes.Contains(p.Manifest, []byte(pass)) {
			t.Error("the manifest holds the passphrase")
		}
	})
}

// TestNoDataHeld: gathering that finds nothing for every approved
// category answers the request no_data, with each category not held.
func TestNoDataHeld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, strings.ReplaceAll(courtOrder, "demosisto", "nobody-here"), approveAll)
		rel := e.released(id)
		if rel["status"] != "no_data" || rel["package"] != nil {
			t.Fatalf("release = %v, want no_data without a package", rel)
		}
		status, b := e.do("GET", "/api/v1/requests/"+id+"/response", e.hk, nil)
		var resp dueprocess.Response
		json.Unmarshal(b, &resp)
		if status != 200 || resp.Outcome != "no_data" || resp.Package != nil {
			t.Fatalf("response: %d %s", status, b)
		}
		for _, c := range resp.Categories {
			if c.Outcome != dueprocess.AnswerNotHeld {
				t.Errorf("%s: %s, want not_held", c.Category, c.Outcome)
			}
		}
		if status, _ := e.do("GET", "/api/v1/requests/"+id+"/package", e.hk, nil); status != 404 {
			t.Errorf("download without a package: %d, want 404", status)
		}
	})
}

// TestPackageExpires: a package not downloaded within its lifetime is
// deleted by the retention work, its manifest kept; the download is then
// gone.
func TestPackageExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		rel := e.released(id)
		sum := rel["package"].(map[string]any)["sha256"].(string)
		svc := &disclose.Service{DB: db, Blobs: e.blobs}
		if n, err := svc.Expire(ctx); err != nil || n != 0 {
			t.Fatalf("expire at once: %d, %v; want nothing", n, err)
		}
		now := time.Now().Add(dueprocess.PackageLifetime + time.Hour)
		db.Now = func() time.Time { return now }
		if n, err := svc.Expire(ctx); err != nil || n != 1 {
			t.Fatalf("expire after 14 days: %d, %v; want 1", n, err)
		}
		if _, err := e.blobs.Get(ctx, sum); err == nil {
			t.Error("the ciphertext is still stored")
		}
		if status, b := e.do("GET", "/api/v1/requests/"+id+"/package", e.hk, nil); status != 410 {
			t.Errorf("download after expiry: %d %s, want 410", status, b)
		}
		p, err := db.Package(ctx, id)
		if err != nil || len(p.Manifest) == 0 || p.DeletedAt == nil {
			t.Errorf("package after expiry: %+v, %v; want the manifest kept", p, err)
		}
	})
}

// TestCollectWithoutConnectors: a server with no connectors says so, and
// files added by hand still work.
func TestCollectWithoutConnectors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		cp, _ := checkpointer(t, db)
		srv := web.New(web.Config{DB: db, Blobs: e.blobs, Decide: defaultPolicy, Checkpoints: cp})
		bare := &env{t: t, db: db, url: serve(t, srv)}
		status, b := bare.do("POST", "/api/v1/requests/"+id+"/collect", e.staff, nil)
		if status != 409 || !bytes.Contains(b, []byte("no connectors")) {
			t.Errorf("collect without connectors: %d %s, want 409 saying no connectors are configured", status, b)
		}
		status, b = bare.do("POST", "/api/v1/requests/"+id+"/files?category=ip_logs&name=ip.csv", e.staff, strings.NewReader("ip\n192.0.2.1\n"))
		if status != 201 {
			t.Errorf("a file by hand without connectors: %d %s", status, b)
		}
		// Released with nothing gathered for subscriber: it is not held,
		// in the answer and in the manifest.
		if status, b := bare.do("POST", "/api/v1/requests/"+id+"/release", e.approver, nil); status != 200 {
			t.Fatalf("release: %d %s", status, b)
		}
		status, b = bare.do("GET", "/api/v1/requests/"+id+"/response", e.hk, nil)
		var resp dueprocess.Response
		json.Unmarshal(b, &resp)
		got := map[dueprocess.DataCategory]string{}
		for _, c := range resp.Categories {
			got[c.Category] = c.Outcome
		}
		if status != 200 || got["ip_logs"] != dueprocess.AnswerProduced || got["subscriber"] != dueprocess.AnswerNotHeld {
			t.Errorf("response: %d %s, want ip_logs produced and subscriber not held", status, b)
		}
		_, ct := bare.do("GET", "/api/v1/requests/"+id+"/package", e.hk, nil)
		o, err := seal.Open(bytes.NewReader(ct), e.hkKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Manifest.NoData) != 1 || o.Manifest.NoData[0].Category != dueprocess.CategorySubscriber {
			t.Errorf("manifest no_data = %+v, want subscriber", o.Manifest.NoData)
		}
	})
}

// serve runs h on a test server and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSealedFileKeepsSharedBlob: blobs are shared by content, so sealing
// a gathered file that holds the same bytes as the request's document
// deletes the file's plaintext only where nothing else refers to it: the
// document still downloads.
func TestSealedFileKeepsSharedBlob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		doc := pdf(3000)
		status, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(doc), "Content-Type", "application/pdf")
		if status != 201 {
			t.Fatalf("document: %d %s", status, b)
		}
		var d dueprocess.Document
		json.Unmarshal(b, &d)
		status, b = e.do("POST", "/api/v1/requests/"+id+"/files?category=subscriber&name=order.pdf", e.staff, bytes.NewReader(doc))
		if status != 201 {
			t.Fatalf("file: %d %s", status, b)
		}
		e.released(id)
		status, got := e.do("GET", "/api/v1/requests/"+id+"/documents/"+d.ID, e.hk, nil)
		if status != 200 || !bytes.Equal(got, doc) {
			t.Errorf("the document after its bytes were sealed in a package: %d, %d bytes; want it whole", status, len(got))
		}
	})
}

// TestCollectFailureRecordsNothing: when the platform's database fails
// part-way, collect answers 503 and records nothing, and a later collect
// gathers everything.
func TestCollectFailureRecordsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.approve(e.hk, courtOrder, approveAll)
		// ip_logs is gathered after subscriber: break only its table.
		if _, err := e.platformDB.db.Exec(`ALTER TABLE logins RENAME TO logins_away`); err != nil {
			t.Fatal(err)
		}
		status, m := e.post("/api/v1/requests/"+id+"/collect", e.staff, "")
		if status != 503 {
			t.Errorf("collect with a broken platform database: %d %v, want 503", status, m)
		}
		if files, _ := db.Gathered(ctx, id); len(files) != 0 {
			t.Errorf("a failed collect recorded %d files", len(files))
		}
		// The subscriber file written before the failure is deleted again.
		sub := seal.SHA256([]byte("username,email,created_at\ndemosisto,demosisto@example.org,2019-04-01T00:00:00Z\n"))
		if rc, err := e.blobs.Get(ctx, sub); err == nil {
			rc.Close()
			t.Error("the subscriber file of the failed collect is still stored")
		}
		if _, err := e.platformDB.db.Exec(`ALTER TABLE logins_away RENAME TO logins`); err != nil {
			t.Fatal(err)
		}
		if status, m := e.post("/api/v1/requests/"+id+"/collect", e.staff, ""); status != 200 || len(m["gathered"].([]any)) != 2 {
			t.Errorf("collect again: %d %v, want both categories gathered", status, m)
		}
	})
}
