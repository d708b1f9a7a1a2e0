package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestSuspendFromTheCommandLine sets an agency's callback number,
// suspends its official (the token dies at once), reinstates them, and
// suspends the agency, each through run.
func TestSuspendFromTheCommandLine(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir()}
			agency, token := registerOfficial(t, vars)
			if _, err := cmd(t, vars, "agency", "set-contact", agency, "--callback-phone", "+852 2860 2000", "--supervisor-contact", "Supt Lee"); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd(t, vars, "agency", "set-key", agency, "--key", "not a key"); err == nil {
				t.Error("a malformed signing key was accepted")
			}
			_, vkey, _ := note.GenerateKey(nil, "police.gov.hk")
			if _, err := cmd(t, vars, "agency", "set-key", agency, "--key", vkey); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd(t, vars, "agency", "set-contact", agency, "--callback-phone", "call me"); err == nil {
				t.Error("a callback number without digits was accepted")
			}
			db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			p, err := db.PrincipalByTokenHash(ctx, auth.HashToken(token))
			if err != nil {
				t.Fatal(err)
			}
			if a, _ := db.Agency(ctx, agency); a.SigningKey != vkey {
				t.Errorf("signing key %q, want the one set", a.SigningKey)
			}
			if p.Agency.CallbackPhone != "+852 2860 2000" {
				t.Errorf("callback phone %q, want the one set", p.Agency.CallbackPhone)
			}
			if _, err := cmd(t, vars, "official", "suspend", p.Official.ID); err == nil {
				t.Error("a suspension without --reason was accepted")
			}
			if _, err := cmd(t, vars, "official", "suspend", "--reason", "a failed callback", p.Official.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.PrincipalByTokenHash(ctx, auth.HashToken(token)); !errors.Is(err, dueprocess.ErrNotFound) {
				t.Errorf("the suspended official's token: %v, want not found", err)
			}
			if _, err := cmd(t, vars, "official", "reinstate", p.Official.ID, "--reason", "confirmed in person"); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd(t, vars, "agency", "suspend", agency, "--reason", "hijacked mail server"); err != nil {
				t.Fatal(err)
			}
			a, err := db.Agency(ctx, agency)
			if err != nil || a.SuspendedAt == nil || !strings.Contains(a.SuspendedReason, "hijacked") {
				t.Errorf("agency after suspend: %+v, %v", a, err)
			}
		})
	}
}
