package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// TestReadOnlyCommandsCreateNoDatabase runs read-only commands in a folder
// without a database: each says which file it looked for, and none leaves
// an empty database behind for a later command to mistake for the real one.
func TestReadOnlyCommandsCreateNoDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	want := filepath.Join(dir, "dueprocess.db")
	for _, args := range [][]string{
		{"agency", "list"},
		{"jurisdiction", "list"},
		{"jurisdiction", "show", "HK"},
		{"report", "peers"},
		{"official", "add", "--agency", "ag_1", "--email", "a@police.example", "--name", "A"},
	} {
		_, err := cmd(t, nil, args...)
		if err == nil || !strings.Contains(err.Error(), "there is no database at "+want) {
			t.Errorf("dueprocess %s: got %v, want an error naming %s", strings.Join(args, " "), err, want)
		}
	}
	if _, err := os.Stat(want); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only command created %s (stat: %v)", want, err)
	}
}

// TestDatabaseFolderMissing names the missing folder and says how to
// create it, instead of the driver's "unable to open database file".
func TestDatabaseFolderMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such")
	for _, args := range [][]string{
		{"agency", "list", "--db", filepath.Join(missing, "x.db")},
		{"agency", "add", "--db", filepath.Join(missing, "x.db"), "--name", "X", "--jurisdiction", "HK", "--kind", "police", "--domain", "x.hk"},
	} {
		_, err := cmd(t, nil, args...)
		if err == nil || !strings.Contains(err.Error(), "the folder "+missing+" does not exist") || !strings.Contains(err.Error(), "mkdir -p") {
			t.Errorf("dueprocess %s: got %v, want the missing folder named", strings.Join(args, " "), err)
		}
	}
}

// TestServePortInUse names --addr when the address is taken.
func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	_, err = cmd(t, nil, "serve", "--addr", ln.Addr().String(), "--db", filepath.Join(dir, "d.db"), "--data", filepath.Join(dir, "data"))
	if err == nil || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("got %v, want an error saying the address is in use and naming --addr", err)
	}
}

// TestOfficialAddWithAgencyName explains that --agency takes an id, and
// gives the id of the agency whose name was passed instead.
func TestOfficialAddWithAgencyName(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	id, err := cmd(t, nil, "agency", "add", "--db", db, "--name", "Hong Kong Police Force", "--jurisdiction", "HK",
		"--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cmd(t, nil, "official", "add", "--db", db, "--agency", "Hong Kong Police Force", "--email", "chan@police.gov.hk", "--name", "Chan")
	if err == nil || !strings.Contains(err.Error(), "agency list") || !strings.Contains(err.Error(), id) {
		t.Fatalf("got %v, want a hint to agency list and the id %s", err, id)
	}
}

// TestReportDefaultsToCurrentHalfYear: without --period, the report is of
// the current half-year, as on /transparency.
func TestReportDefaultsToCurrentHalfYear(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(dir, "d.db"), "DUEPROCESS_DATA": filepath.Join(dir, "data")}
	if _, err := cmd(t, vars, "agency", "add", "--name", "X", "--jurisdiction", "HK", "--kind", "police", "--domain", "x.hk"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "audit", "key", "init"); err != nil {
		t.Fatal(err)
	}
	out, err := cmd(t, vars, "report")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Period string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got, want := rep.Period, dueprocess.HalfYear(time.Now()); got != want {
		t.Errorf("period = %q, want %q", got, want)
	}
}
