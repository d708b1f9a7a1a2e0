package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestImportRequests loads the documented template, then refuses a file
// with one bad row without storing any of it; imported history appears in
// the report of its half-year.
func TestImportRequests(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "h.db"), "DUEPROCESS_DATA": t.TempDir()}
	// The report signs a checkpoint of the imported history, which needs
	// the log's key; no server has started to create it.
	if _, err := cmd(t, vars, "audit", "key", "init"); err != nil {
		t.Fatal(err)
	}
	agency, _ := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")

	if _, err := cmd(t, vars, "import", "requests", "../../docs/import-template.csv"); err != nil {
		t.Fatalf("the template does not import: %v", err)
	}
	rep, err := cmd(t, vars, "report", "--period", "2020-H2", "--format", "csv")
	if err != nil || !strings.Contains(rep, "2020-12-31,Hong Kong,HK,Other Court Orders,1,0,1") ||
		!strings.Contains(rep, "2020-12-31,Hong Kong,HK,Emergency Disclosure Requests,1,0,1") {
		t.Errorf("the imported history is not in 2020-H2's report: %v\n%s", err, rep)
	}
	before, _ := cmd(t, vars, "report", "--period", "2019-H1", "--format", "csv")

	template, _ := os.ReadFile("../../docs/import-template.csv")
	for _, tc := range []struct{ name, change, want string }{
		{"bad target", "username:someone;", "bad.csv:3: targets:"},
		{"unknown official", "officer@police.gov.hk,user_data,HK,court_order", "bad.csv:3: official:"},
		{"future date", "2020-09-02", "bad.csv:3: received:"},
		{"bad status", ",paused,", "bad.csv:3: status:"},
	} {
		lines := strings.Split(string(template), "\n")
		switch tc.name {
		case "bad target":
			lines[2] = strings.Replace(lines[2], "username:another", "another", 1)
		case "unknown official":
			lines[2] = strings.Replace(lines[2], "officer@police.gov.hk", "nobody@police.gov.hk", 1)
		case "future date":
			lines[2] = strings.Replace(lines[2], "2020-09-02", "2999-01-01", 1)
		case "bad status":
			lines[2] = strings.Replace(lines[2], ",paused,", ",lost,", 1)
		}
		bad := filepath.Join(t.TempDir(), "bad.csv")
		os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
		if _, err := cmd(t, vars, "import", "requests", bad); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing imported") {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	if after, _ := cmd(t, vars, "report", "--period", "2019-H1", "--format", "csv"); after != before {
		t.Errorf("a refused file changed the report:\n%s\n%s", before, after)
	}
	bad := filepath.Join(t.TempDir(), "cols.csv")
	os.WriteFile(bad, []byte("received,official,colour\n"), 0o644)
	if _, err := cmd(t, vars, "import", "requests", bad); err == nil || !strings.Contains(err.Error(), `cols.csv:1: unknown column "colour"`) {
		t.Errorf("an unknown column: %v", err)
	}
	if out, err := cmd(t, vars, "audit", "verify"); err != nil || !strings.Contains(out, "ok:") {
		t.Errorf("the log after imports: %v %s", err, out)
	}
}

// eachDB runs fn on a new SQLite file and on a new PostgreSQL schema, with
// an agency and an official that the template's rows name.
func eachDB(t *testing.T, fn func(t *testing.T, vars map[string]string)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(), "USER": "alice"}
			if _, err := cmd(t, vars, "audit", "key", "init"); err != nil {
				t.Fatal(err)
			}
			agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan"); err != nil {
				t.Fatal(err)
			}
			fn(t, vars)
		})
	}
}

// TestImportSameFileTwiceRefused: importing one history file twice used to
// store every request twice, doubling the public figures. The second
// attempt is refused, naming the first import, and the figures stay.
func TestImportSameFileTwiceRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, vars map[string]string) {
		if _, err := cmd(t, vars, "import", "requests", "../../docs/import-template.csv"); err != nil {
			t.Fatal(err)
		}
		before, _ := cmd(t, vars, "report", "--period", "2020-H2", "--format", "csv")
		// A copy under another name is the same file.
		template, _ := os.ReadFile("../../docs/import-template.csv")
		again := filepath.Join(t.TempDir(), "history-copy.csv")
		os.WriteFile(again, template, 0o644)
		_, err := cmd(t, vars, "import", "requests", again)
		if err == nil || !strings.Contains(err.Error(), "nothing imported: the file was imported already, as import 1 of \"import-template.csv\" on ") ||
			!strings.Contains(err.Error(), "by system cli:alice (3 requests, DP-2019-000001 to DP-2020-000002)") {
			t.Errorf("second import: %v; want a refusal naming the first import", err)
		}
		if after, _ := cmd(t, vars, "report", "--period", "2020-H2", "--format", "csv"); after != before {
			t.Errorf("a second import changed the report:\n%s\n%s", before, after)
		}
		if out, err := cmd(t, vars, "audit", "verify"); err != nil || !strings.Contains(out, "ok:") {
			t.Errorf("the log: %v %s", err, out)
		}
	})
}

// TestImportRowCollidesWithStoredRequest: a file whose row has the agency
// and reference of a stored request (here an edited copy of the template)
// used to store it again; it is now refused at that row's line.
func TestImportRowCollidesWithStoredRequest(t *testing.T) {
	eachDB(t, func(t *testing.T, vars map[string]string) {
		if _, err := cmd(t, vars, "import", "requests", "../../docs/import-template.csv"); err != nil {
			t.Fatal(err)
		}
		template, _ := os.ReadFile("../../docs/import-template.csv")
		lines := strings.Split(string(template), "\n")
		lines[1] = strings.Replace(lines[1], "HKPF-2019-0113", "HKPF-2019-0999", 1) // a new request
		lines[2] = strings.Replace(lines[2], "HKPF-2020-0871", "HKPF-2020-0900", 1) // a new request
		// Line 4 keeps HKPF-2020-E12, stored as DP-2020-000002.
		edited := filepath.Join(t.TempDir(), "edited.csv")
		os.WriteFile(edited, []byte(strings.Join(lines, "\n")), 0o644)
		_, err := cmd(t, vars, "import", "requests", edited)
		want := `edited.csv:4: reference: the agency's reference "HKPF-2020-E12" is stored already, as request DP-2020-000002`
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nothing imported") {
			t.Errorf("a colliding row: %v; want %q", err, want)
		}
		// Two rows of one file with one reference.
		lines[3] = strings.Replace(lines[3], "HKPF-2020-E12", "HKPF-2019-0999", 1)
		os.WriteFile(edited, []byte(strings.Join(lines, "\n")), 0o644)
		_, err = cmd(t, vars, "import", "requests", edited)
		want = `edited.csv:4: reference: the agency's reference "HKPF-2019-0999" is given twice, first on line 2`
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a repeated row: %v; want %q", err, want)
		}
		if out, _ := cmd(t, vars, "report", "--period", "2019-H1", "--format", "csv"); strings.Count(out, "Hong Kong") != 1 {
			t.Errorf("refused files changed the report:\n%s", out)
		}
	})
}

// TestImportRefusesUTF16: a history file saved as UTF-16 used to fail with
// "unknown column" over garbled text; the message now names the encoding.
func TestImportRefusesUTF16(t *testing.T) {
	template, _ := os.ReadFile("../../docs/import-template.csv")
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(template))) {
		utf16le = binary.LittleEndian.AppendUint16(utf16le, u)
	}
	utf32le := []byte{0xFF, 0xFE, 0, 0}
	for _, r := range string(template) {
		utf32le = binary.LittleEndian.AppendUint32(utf32le, uint32(r))
	}
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "h.db"), "DUEPROCESS_DATA": t.TempDir()}
	for _, tc := range []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"history.csv", utf16le, []string{"import", "requests"}, "the file is UTF-16 encoded; save it as UTF-8"},
		{"history.csv", utf16le[2:], []string{"import", "requests"}, "the file is UTF-16 encoded; save it as UTF-8"},
		{"history.csv", utf32le, []string{"import", "requests"}, "the file is UTF-32 encoded; save it as UTF-8"},
		{"meta-2020_H2.csv", utf16le, []string{"import", "published", "--company", "meta"}, "the file is UTF-16 encoded; save it as UTF-8"},
	} {
		path := filepath.Join(t.TempDir(), tc.name)
		os.WriteFile(path, tc.data, 0o644)
		_, err := cmd(t, vars, append(tc.args, path)...)
		if err == nil || !strings.Contains(err.Error(), tc.name+": "+tc.want) {
			t.Errorf("%s: %v; want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}
