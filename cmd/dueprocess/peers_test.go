package main

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestImportPublished imports the files Google and Meta published, kept in
// ../shared/data beside the repository, and reproduces the figures its
// README lists, through "report peers".
func TestImportPublished(t *testing.T) {
	const data = "../../../shared/data"
	if _, err := os.Stat(data); err != nil {
		t.Skipf("the companies' published files are not here (%v); put them in %s to run this test", err, data)
	}
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "peers.db")}
	google, _ := filepath.Glob(filepath.Join(data, "google-user-data-requests", "google-global-user-data-requests.csv"))
	meta, _ := filepath.Glob(filepath.Join(data, "meta-government-requests", "*.csv"))
	if _, err := cmd(t, vars, append([]string{"import", "published", "--company", "google"}, google...)...); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, append([]string{"import", "published", "--company", "meta"}, meta...)...); err != nil {
		t.Fatal(err)
	}

	peers := func(args ...string) []map[string]any {
		t.Helper()
		out, err := cmd(t, vars, append([]string{"report", "peers"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("report peers is not JSON: %v\n%.500s", err, out)
		}
		return list
	}
	// Google, period ending 2023-06-30, summed over all countries.
	sums := map[string]float64{}
	for _, f := range peers("--company", "google", "--period", "2023-H1") {
		if n, ok := f["requests"].(float64); ok {
			sums[f["legal_process"].(string)] += n
		}
	}
	for process, want := range map[string]float64{"emergency": 7274, "preservation": 20642, "subpoena": 22679, "search_warrant": 35083} {
		if sums[process] != want {
			t.Errorf("Google 2023-H1 %s: %v, want %v", process, sums[process], want)
		}
	}
	// Hong Kong: Google's "Other Legal Requests" disclosed, and Meta's total.
	pct := func(company, period, process string) any {
		for _, f := range peers("--company", company, "--jurisdiction", "HK", "--period", period) {
			if f["legal_process"] == process {
				return f["percent_some_data"]
			}
		}
		return "missing"
	}
	for _, tc := range []struct {
		company, period, process string
		want                     float64
	}{
		{"google", "2020-H1", "other_legal", 81}, {"google", "2020-H2", "other_legal", 5}, {"google", "2021-H1", "other_legal", 0},
		{"meta", "2020-H1", "total", 24}, {"meta", "2020-H2", "total", 0},
	} {
		if got := pct(tc.company, tc.period, tc.process); got != tc.want {
			t.Errorf("%s HK %s %s: %v%%, want %v%%", tc.company, tc.period, tc.process, got, tc.want)
		}
	}

	// Every record has the documented keys, null where nothing was published.
	for _, f := range peers("--jurisdiction", "HK")[:5] {
		for _, k := range []string{"company", "period", "jurisdiction", "legal_process", "requests", "accounts", "percent_some_data"} {
			if _, ok := f[k]; !ok {
				t.Errorf("record %v has no %q", f, k)
			}
		}
	}
	csvOut, err := cmd(t, vars, "report", "peers", "--format", "csv", "--jurisdiction", "HK", "--company", "meta")
	if err != nil || !strings.HasPrefix(csvOut, "company,product,period,jurisdiction,legal_process,requests,accounts,percent_some_data") {
		t.Errorf("csv: %v\n%.300s", err, csvOut)
	}

	// A bad file is named, and nothing from the batch is stored.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("Period Ending,Country/Region\n2023-06-30,Nowhere\n"), 0o644)
	before := len(peers())
	if _, err := cmd(t, vars, "import", "published", "--company", "google", google[0], bad); err == nil || !strings.Contains(err.Error(), "bad.csv") {
		t.Errorf("import of a bad file: %v; want an error naming bad.csv", err)
	}
	if after := len(peers()); after != before {
		t.Errorf("a failed import changed the figures: %d → %d", before, after)
	}
}

func TestReportCommand(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "r.db"), "DUEPROCESS_DATA": t.TempDir()}
	agency, _ := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	token, _ := cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
	url, stop := serve(t, vars)
	for range 3 {
		if st, m := post(t, url+"/api/v1/requests", token, policyWalkthroughRequest); st != 201 {
			t.Fatalf("submit: %d %v", st, m)
		}
	}
	stop()
	period := dueprocess.HalfYear(time.Now())
	csvOut, err := cmd(t, vars, "report", "--period", period, "--format", "csv")
	if err != nil || !strings.HasPrefix(csvOut, report.GoogleHeader+"\n") || !strings.Contains(csvOut, ",Hong Kong,HK,Subpoenas,3,0,3") {
		t.Errorf("csv report: %v\n%s", err, csvOut)
	}
	jsonOut, err := cmd(t, vars, "report", "--period", period)
	var rep report.Report
	if err != nil || json.Unmarshal([]byte(jsonOut), &rep) != nil || rep.Checkpoint.Size == 0 || rep.Total.UserData.Requests != 3 {
		t.Errorf("json report: %v\n%.500s", err, jsonOut)
	}
	page, err := cmd(t, vars, "report", "--period", period, "--format", "html")
	if err != nil || !strings.Contains(page, "<h1>Transparency report, "+period+"</h1>") || !strings.Contains(page, "<svg") {
		t.Errorf("html report: %v\n%.300s", err, page)
	}
	regimes, err := cmd(t, vars, "report", "--period", period, "--format", "regimes-csv")
	if err != nil || !strings.HasPrefix(regimes, report.RegimesHeader+"\n") || !strings.Contains(regimes, ",extraterritorial,All jurisdictions,,0,") {
		t.Errorf("regimes-csv report: %v\n%s", err, regimes)
	}
	if _, err := cmd(t, vars, "report", "--period", "2026-H3"); err == nil || !strings.Contains(err.Error(), "--period") {
		t.Errorf("a bad period: %v", err)
	}
	checkReportSite(t, vars, period, csvOut)
}

// checkReportSite writes the report as a site with --format html --out DIR
// and checks that it stands alone: every link and the style sheet are
// relative and lead to files written beside the page, whose contents are
// the report's.
func checkReportSite(t *testing.T, vars map[string]string, period, csvOut string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	if _, err := cmd(t, vars, "report", "--period", period, "--format", "html", "--out", dir); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil || !strings.Contains(string(page), "<h1>Transparency report, "+period+"</h1>") || !strings.Contains(string(page), "<svg") {
		t.Fatalf("index.html: %v\n%.300s", err, page)
	}
	refs := regexp.MustCompile(`(?:href|src)="([^"]*)"`).FindAllStringSubmatch(string(page), -1)
	if len(refs) < 4 {
		t.Errorf("index.html links only %v", refs)
	}
	for _, m := range refs {
		ref := html.UnescapeString(m[1])
		if strings.Contains(ref, "/") || strings.Contains(ref, "?") || strings.Contains(ref, ":") {
			t.Errorf("index.html links %q, which is not a file beside it", ref)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, ref)); err != nil {
			t.Errorf("index.html links %q: %v", ref, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, period+".csv")); err != nil || strings.TrimSpace(string(b)) != csvOut {
		t.Errorf("%s.csv differs from report --format csv: %v", period, err)
	}
	var rep report.Report
	if b, err := os.ReadFile(filepath.Join(dir, period+".json")); err != nil || json.Unmarshal(b, &rep) != nil || rep.Total.UserData.Requests != 3 {
		t.Errorf("%s.json: %v %+v", period, err, rep.Total)
	}
	if _, err := cmd(t, vars, "report", "--period", period, "--format", "html", "--out", filepath.Join(dir, "index.html")); err == nil {
		t.Error("--out naming a file with --format html: no error")
	}
}

// TestImportPublishedReplacesFile: importing a corrected file used to keep
// the figures of rows it no longer had, though docs/report.md says a file
// imported again replaces its figures. A removed row now disappears from
// "report peers"; another file's figures stay.
func TestImportPublishedReplacesFile(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d)}
			dir := t.TempDir()
			const header = "Country,Total Requests,Total Requests Accounts,Total Requests Percentage\n"
			file := filepath.Join(dir, "meta-2020_H2.csv")
			other := filepath.Join(dir, "meta-2021_H1.csv")
			os.WriteFile(file, []byte(header+"Chile,5,6,40%\nHong Kong,3,4,0%\nSingapore,7,9,50%\n"), 0o644)
			os.WriteFile(other, []byte(header+"Singapore,8,9,50%\n"), 0o644)
			peers := func() string {
				t.Helper()
				out, err := cmd(t, vars, "report", "peers", "--format", "csv")
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			if _, err := cmd(t, vars, "import", "published", "--company", "meta", file, other); err != nil {
				t.Fatal(err)
			}
			if out := peers(); !strings.Contains(out, "meta,,2020-H2,SG,total,7,9,50") {
				t.Fatalf("the first import:\n%s", out)
			}
			// Singapore is removed from the file, and Chile corrected.
			os.WriteFile(file, []byte(header+"Chile,6,6,40%\nHong Kong,3,4,0%\n"), 0o644)
			if _, err := cmd(t, vars, "import", "published", "--company", "meta", file); err != nil {
				t.Fatal(err)
			}
			want := "company,product,period,jurisdiction,legal_process,requests,accounts,percent_some_data,requests_band,accounts_band\n" +
				"meta,,2020-H2,CL,total,6,6,40,,\n" +
				"meta,,2020-H2,HK,total,3,4,0,,\n" +
				"meta,,2021-H1,SG,total,8,9,50,,"
			if out := peers(); out != want {
				t.Errorf("after the corrected file:\n%s\nwant\n%s", out, want)
			}
		})
	}
}
