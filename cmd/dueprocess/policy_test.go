package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// brokenPolicy has an unknown data category on line 4.
const brokenPolicy = `version: 1
ladder:
  subscriber: subpoena
  contents: search_warrant
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyCommands(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "p.db")}
	def, err := cmd(t, vars, "policy", "show-default")
	if err != nil || !strings.Contains(def, "ladder:") {
		t.Fatalf("show-default: %v\n%s", err, def)
	}
	hash, err := cmd(t, vars, "policy", "check", writeFile(t, "default.yaml", def+"\n"))
	if err != nil || !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(hash) {
		t.Errorf("check of the default policy: %q, %v", hash, err)
	}
	broken := writeFile(t, "broken.yaml", brokenPolicy)
	if _, err := cmd(t, vars, "policy", "check", broken); err == nil || !strings.Contains(err.Error(), "broken.yaml:4") {
		t.Errorf("check of a broken policy: %v; want an error naming broken.yaml:4", err)
	}
}

// TestServeRefusesBrokenPolicy: a server never judges requests by a
// policy file it could not read whole.
func TestServeRefusesBrokenPolicy(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "p.db"), "DUEPROCESS_DATA": t.TempDir(),
		"DUEPROCESS_POLICY": writeFile(t, "broken.yaml", brokenPolicy)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:4") {
		t.Fatalf("serve with a broken policy: %v; want a refusal naming broken.yaml:4", err)
	}
	vars["DUEPROCESS_POLICY"] = filepath.Join(t.TempDir(), "missing.yaml")
	if err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, nil, io.Discard, io.Discard); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve with a missing policy file: %v", err)
	}
}

// TestPauseWalkthrough follows docs/policy.md against a running server: a
// pause made from the command line holds the next request the server
// receives; a resume returns it to review.
func TestPauseWalkthrough(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(), "USER": "ops"}
			agency, _ := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
			token, _ := cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
			url, stop := serve(t, vars)
			defer stop()

			if _, err := cmd(t, vars, "jurisdiction", "pause", "HK", "--reason", "National Security Law: human-rights due diligence",
				"--kinds", "user_data,preservation,emergency"); err != nil {
				t.Fatal(err)
			}
			st, m := post(t, url+"/api/v1/requests", token, policyWalkthroughRequest)
			if st != 201 || m["status"] != "paused" {
				t.Fatalf("submit while paused: %d %v", st, m)
			}
			reasons, _ := m["decision"].(map[string]any)["reasons"].([]any)
			if !strings.Contains(strings.ToLower(toJSON(reasons)), "national security law") {
				t.Errorf("decision reasons %s do not give the pause's reason", toJSON(reasons))
			}
			show, err := cmd(t, vars, "jurisdiction", "show", "HK")
			if err != nil || !strings.Contains(show, "paused since") || !strings.Contains(show, "system:cli:ops") {
				t.Errorf("jurisdiction show: %v\n%s", err, show)
			}
			if _, err := cmd(t, vars, "jurisdiction", "resume", "HK", "--reason", "due diligence complete"); err != nil {
				t.Fatal(err)
			}
			id := m["id"].(string)
			if st, m := get(t, url+"/api/v1/requests/"+id, token); st != 200 || m["status"] != "in_review" {
				t.Errorf("after resume: %d %v, want in_review", st, m["status"])
			}

			// Simulating a draft that refuses every HK subpoena shows the change.
			draft := writeFile(t, "draft.yaml", strings.Replace(defaultPolicyText(t), "  HK:\n", "  HK:\n    accept: [court_order, search_warrant, mlat]\n", 1))
			out, err := cmd(t, vars, "policy", "simulate", draft)
			if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "1 of 1 requests would change") {
				t.Errorf("simulate: %v\n%s", err, out)
			}
		})
	}
}

// policyWalkthroughRequest is the request of docs/policy.md's walkthrough:
// a subpoena for subscriber records in a fraud case, which the default
// policy sends to review.
const policyWalkthroughRequest = `{"kind": "user_data", "jurisdiction": "HK",
 "legal_process": {"type": "subpoena", "reference": "HKPF-2026-0420", "issued_by": "Hong Kong Police Force", "issued_on": "2026-03-01"},
 "offence": {"category": "fraud", "description": "an investment scam"},
 "targets": [{"type": "username", "value": "lucky-returns"}],
 "data_categories": ["subscriber"],
 "date_range": {"from": "2026-01-01", "to": "2026-03-01"},
 "deadline": "2026-04-01"}`

func defaultPolicyText(t *testing.T) string {
	t.Helper()
	out, err := cmd(t, nil, "policy", "show-default")
	if err != nil {
		t.Fatal(err)
	}
	return out + "\n"
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSimulateSeesTargets: simulate evaluated stored requests without
// their targets, so a rule about them (a user living abroad, too many
// accounts) seemed to change under an unchanged policy. A Hong Kong
// demand about a user living in Germany stays escalated.
func TestSimulateSeesTargets(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "s.db"), "DUEPROCESS_DATA": t.TempDir()}
	agency, _ := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	token, _ := cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
	url, stop := serve(t, vars)
	abroad := strings.Replace(policyWalkthroughRequest, `"value": "lucky-returns"}`, `"value": "lucky-returns", "country": "DE"}`, 1)
	if st, m := post(t, url+"/api/v1/requests", token, abroad); st != 201 || m["status"] != "escalated" {
		t.Fatalf("submit: %d %v", st, m)
	}
	stop()
	out, err := cmd(t, vars, "policy", "simulate", writeFile(t, "same.yaml", defaultPolicyText(t)))
	if err != nil || !strings.Contains(out, "0 of 1 requests would change") {
		t.Errorf("simulate the policy in force: %v\n%s", err, out)
	}
}
