package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

const preservationRequest = `{"kind": "preservation", "jurisdiction": "HK",
 "legal_process": {"type": "court_order", "reference": "HKPF-2026-0200", "issued_by": "Hong Kong Police Force", "issued_on": "2026-03-01"},
 "offence": {"category": "fraud", "description": "an investment scam"},
 "targets": [{"type": "username", "value": "alice"}],
 "data_categories": ["subscriber"],
 "deadline": "2026-04-01"}`

// TestServeHolds follows docs/holds.md against the real program: the
// policy file's terms for HK (10 days) give a new hold its end, a platform
// token made by "staff add --role platform" checks it and may do nothing
// else, and the loop serve owns expires a hold whose end has passed,
// without being asked.
func TestServeHolds(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "policy.yaml")
			yaml := string(policy.DefaultYAML) + "    HK:\n      days: 10\n      extension_days: 5\n"
			if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": dir, "DUEPROCESS_POLICY": file}
			_, official := registerOfficial(t, vars)
			platform, err := cmd(t, vars, "staff", "add", "--email", "deletion-job@platform.example", "--name", "Deletion job", "--role", "platform")
			if err != nil || !strings.HasPrefix(platform, "dpt_") {
				t.Fatalf("staff add --role platform printed %q, %v; want a token", platform, err)
			}
			// A hold placed 20 days ago, whose 10 days are over: the loop
			// must expire it when serve starts.
			old := submitAt(t, vars, time.Now().Add(-20*24*time.Hour))

			url, stop := serve(t, vars)
			defer stop()
			st, m := post(t, url+"/api/v1/requests", official, preservationRequest)
			if st != 201 || m["status"] != "in_review" {
				t.Fatalf("submit: %d %v", st, m)
			}
			st, m = get(t, url+"/api/v1/holds/check?type=username&value=alice", platform)
			until, _ := time.Parse(time.RFC3339, fmt.Sprint(m["until"]))
			if st != 200 || m["held"] != true || until.Sub(time.Now()) < 9*24*time.Hour || until.Sub(time.Now()) > 10*24*time.Hour {
				t.Errorf("check: %d %v, want held for the policy's 10 days", st, m)
			}
			if st, _ := get(t, url+"/api/v1/requests", platform); st != 403 {
				t.Errorf("the platform lists requests: %d, want 403", st)
			}
			db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				h, err := db.Holds(context.Background(), dueprocess.HoldFilter{RequestID: old})
				if err != nil {
					t.Fatal(err)
				}
				if len(h) == 1 && h[0].Status == dueprocess.HoldExpired {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the old hold is still %v 10 s after serve started; want expired by its loop", h[0].Status)
				}
			}
		})
	}
}

// submitAt takes in a preservation request from the Hong Kong agency as
// if it arrived at at, with the store alone, and returns its id.
func submitAt(t *testing.T, vars map[string]string, at time.Time) string {
	t.Helper()
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return at }
	db.HoldTerms = func(string) dueprocess.HoldTerms { return dueprocess.HoldTerms{Days: 10} }
	o, err := db.OfficialByEmail(context.Background(), "officer@police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	var n dueprocess.NewRequest
	if err := json.Unmarshal([]byte(preservationRequest), &n); err != nil {
		t.Fatal(err)
	}
	r, err := n.Check()
	if err != nil {
		t.Fatal(err)
	}
	r.AgencyID, r.OfficialID = o.AgencyID, o.ID
	done, err := db.Submit(context.Background(), store.Submission{Request: r, By: dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID},
		Decide: func(*dueprocess.Request, []dueprocess.Pause) dueprocess.Decision {
			return dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:test"}
		},
		Answer: func(*dueprocess.Request) ([]byte, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return done.ID
}
