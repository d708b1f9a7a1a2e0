package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
