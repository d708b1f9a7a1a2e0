package web_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestAuditorChecksTheLog plays an outside auditor who holds only the
// verifier key, a read-only token and the API, and checks with nothing but
// tlog and note that an entry is in the log, and that a later checkpoint
// extends an earlier one.
func TestAuditorChecksTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.submit(e.hk, hkRequest)

		status, key := e.do("GET", "/api/v1/audit/key", "", nil)
		if status != 200 || strings.TrimSpace(string(key)) != e.verifierKey {
			t.Fatalf("key: %d %q, want %q", status, key, e.verifierKey)
		}
		verifier, err := note.NewVerifier(e.verifierKey) // held from before, out of band
		if err != nil {
			t.Fatal(err)
		}
		checkpoint := func() (int64, tlog.Hash) {
			t.Helper()
			status, text := e.do("GET", "/api/v1/audit/checkpoint", "", nil)
			if status != 200 {
				t.Fatalf("checkpoint: %d %s", status, text)
			}
			n, err := note.Open(text, note.VerifierList(verifier))
			if err != nil {
				t.Fatalf("checkpoint does not verify: %v\n%s", err, text)
			}
			lines := strings.SplitN(n.Text, "\n", 4)
			size, err := strconv.ParseInt(lines[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			root, err := base64.StdEncoding.DecodeString(lines[2])
			if err != nil || len(root) != tlog.HashSize {
				t.Fatalf("root %q", lines[2])
			}
			return size, tlog.Hash(root)
		}
		proof := func(path string) []tlog.Hash {
			t.Helper()
			status, body := e.do("GET", path, "", nil)
			var out struct{ Proof []string }
			if status != 200 || json.Unmarshal(body, &out) != nil {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			hs := make([]tlog.Hash, len(out.Proof))
			for i, s := range out.Proof {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil || len(b) != tlog.HashSize {
					t.Fatalf("proof hash %q", s)
				}
				hs[i] = tlog.Hash(b)
			}
			return hs
		}

		oldSize, oldRoot := checkpoint()
		if oldSize < 5 {
			t.Fatalf("only %d entries after set-up and one request", oldSize)
		}
		for i := range oldSize {
			status, entry := e.do("GET", fmt.Sprintf("/api/v1/audit/entries/%d", i), e.auditor, nil)
			if status != 200 {
				t.Fatalf("entry %d: %d %s", i, status, entry)
			}
			p := proof(fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", i, oldSize))
			if err := tlog.CheckRecord(tlog.RecordProof(p), oldSize, oldRoot, i, tlog.RecordHash(entry)); err != nil {
				t.Errorf("entry %d is not proved in the checkpoint: %v", i, err)
			}
		}
		if strings.Contains(string(mustGet(t, e, fmt.Sprintf("/api/v1/audit/entries/%d", oldSize-1), e.auditor)), "demosisto") {
			t.Error("an audit entry holds a target identifier")
		}

		// More happens; the new checkpoint extends the old one.
		e.submit(e.hk, hkRequest)
		e.do("GET", "/api/v1/requests", e.staff, nil)
		newSize, newRoot := checkpoint()
		if newSize <= oldSize {
			t.Fatalf("the log did not grow: %d → %d", oldSize, newSize)
		}
		p := proof(fmt.Sprintf("/api/v1/audit/proof/consistency?old=%d&new=%d", oldSize, newSize))
		if err := tlog.CheckTree(tlog.TreeProof(p), newSize, newRoot, oldSize, oldRoot); err != nil {
			t.Errorf("the new checkpoint does not extend the old: %v", err)
		}
		if again, _ := checkpoint(); again != newSize {
			t.Errorf("asking again without new entries gave size %d, want %d", again, newSize)
		}

		// Entries need the auditor or admin role; proofs check their input.
		for _, tc := range []struct {
			path, token string
			status      int
			field       string
		}{
			{"/api/v1/audit/entries/0", "", 401, ""},
			{"/api/v1/audit/entries/0", e.staff, 403, ""},
			{"/api/v1/audit/entries/0", e.admin, 200, ""},
			{"/api/v1/audit/entries/x", e.auditor, 400, "index"},
			{"/api/v1/audit/entries/999999", e.auditor, 404, ""},
			{"/api/v1/audit/proof/inclusion?size=3", "", 400, "index"},
			{"/api/v1/audit/proof/inclusion?index=3&size=999999", "", 400, "size"},
			{"/api/v1/audit/proof/inclusion?index=5&size=3", "", 400, "index"},
			{"/api/v1/audit/proof/consistency?old=0&new=3", "", 400, "old"},
			{"/api/v1/audit/proof/consistency?old=4&new=3", "", 400, "new"},
			{"/api/v1/audit/proof/consistency?old=1&new=-1", "", 400, "new"},
		} {
			status, body := e.do("GET", tc.path, tc.token, nil)
			var m map[string]any
			json.Unmarshal(body, &m)
			if _, field, _ := errorOf(m); status != tc.status || field != tc.field {
				t.Errorf("GET %s: %d field %q, want %d field %q: %s", tc.path, status, field, tc.status, tc.field, body)
			}
		}
	})
}

func mustGet(t *testing.T, e *env, path, token string) []byte {
	t.Helper()
	status, body := e.do("GET", path, token, nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}
