package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// TestOfficialAgeRecipient registers an official's age key when adding
// them and later, refuses what is not an age key, and removes it with
// "none".
func TestOfficialAgeRecipient(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	agency, err := cmd(t, nil, "agency", "add", "--db", path, "--name", "BKA", "--jurisdiction", "DE", "--kind", "police", "--domain", "bka.bund.de")
	if err != nil {
		t.Fatal(err)
	}
	agency = strings.TrimSpace(agency)
	_, err = cmd(t, nil, "official", "add", "--db", path, "--agency", agency, "--email", "a@bka.bund.de", "--name", "A", "--age-recipient", "age1notakey")
	if err == nil || !strings.Contains(err.Error(), "--age-recipient") {
		t.Fatalf("a bad key: %v, want an error naming --age-recipient", err)
	}
	id1, _ := age.GenerateX25519Identity()
	token, err := cmd(t, nil, "official", "add", "--db", path, "--agency", agency, "--email", "a@bka.bund.de", "--name", "A", "--age-recipient", id1.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	recipient := func() string {
		t.Helper()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p, err := db.PrincipalByTokenHash(ctx, auth.HashToken(strings.TrimSpace(token)))
		if err != nil {
			t.Fatal(err)
		}
		o, err := db.Official(ctx, p.Official.ID)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID + " " + o.AgeRecipient
	}
	got := recipient()
	official, key, _ := strings.Cut(got, " ")
	if key != id1.Recipient().String() {
		t.Fatalf("recipient %q, want %s", key, id1.Recipient())
	}
	id2, _ := age.GenerateX25519Identity()
	if _, err := cmd(t, nil, "official", "set-age-recipient", "--db", path, "--official", official, "--age-recipient", id2.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	if got := recipient(); !strings.HasSuffix(got, " "+id2.Recipient().String()) {
		t.Errorf("after set-age-recipient: %q", got)
	}
	if _, err := cmd(t, nil, "official", "set-age-recipient", "--db", path, "--official", official, "--age-recipient", id2.String()); err == nil {
		t.Error("a secret key was taken as a recipient")
	}
	if _, err := cmd(t, nil, "official", "set-age-recipient", "--db", path, "--official", "of_missing", "--age-recipient", id2.Recipient().String()); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("an unknown official: %v, want not found", err)
	}
	if _, err := cmd(t, nil, "official", "set-age-recipient", "--db", path, "--official", official, "--age-recipient", "none"); err != nil {
		t.Fatal(err)
	}
	if got := recipient(); !strings.HasSuffix(got, " ") {
		t.Errorf("after none: %q, want no key", got)
	}
}
