package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess/internal/store"
)

// TestAgencyDomains sets an agency's verified domains from the command
// line, refuses a malformed one without changing them, and refuses passkey
// settings that name no origin.
func TestAgencyDomains(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "d.db"), "DUEPROCESS_DATA": t.TempDir()}
	agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "agency", "domains", agency, "--domain", "police.gov.hk,hkpf.gov.hk"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "agency", "domains", agency, "--domain", "not a domain"); err == nil || !strings.Contains(err.Error(), "domain") {
		t.Errorf("a malformed domain: %v", err)
	}
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.Agency(context.Background(), agency)
	if err != nil || !slices.Equal(a.Domains, []string{"hkpf.gov.hk", "police.gov.hk"}) {
		t.Errorf("domains after setting them: %v, %v", a, err)
	}
	if _, err := cmd(t, vars, "serve", "--addr", "127.0.0.1:0", "--passkey-rp-id", "dp.example"); err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("passkeys without an origin: %v", err)
	}
}
