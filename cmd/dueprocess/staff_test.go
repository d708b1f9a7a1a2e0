package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

func TestStaffPassword(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "s.db")}
	if _, err := cmd(t, vars, "staff", "add", "--email", "rev@example.com", "--name", "Rev", "--role", "reviewer"); err != nil {
		t.Fatal(err)
	}
	set := func(stdin string, args ...string) error {
		var stderr bytes.Buffer
		return run(context.Background(), append([]string{"staff", "password"}, args...), func(k string) string { return vars[k] },
			strings.NewReader(stdin), &bytes.Buffer{}, &stderr)
	}
	if err := set("short\n", "--email", "rev@example.com"); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Errorf("a short password: %v", err)
	}
	if err := set("correct horse battery staple\n", "--email", "nobody@example.com"); err == nil {
		t.Error("a password for an unknown staff member was accepted")
	}
	if err := set("correct horse battery staple\n", "--email", "rev@example.com"); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	creds, err := db.CredentialsByEmail(context.Background(), "rev@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.CheckPassword(creds.PasswordHash, "correct horse battery staple"); !ok || err != nil {
		t.Errorf("the stored hash does not check: %v, %v", ok, err)
	}
}
