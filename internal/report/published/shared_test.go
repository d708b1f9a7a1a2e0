package published

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// sharedData is the folder of files the companies published, beside the
// repository. It is not shipped with the repository because the companies'
// files carry no licence.
const sharedData = "../../../../shared/data"

// sharedDir returns a folder of sharedData, or skips the test when the
// folder is absent.
func sharedDir(t *testing.T, folder string) string {
	t.Helper()
	dir := filepath.Join(sharedData, folder)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the companies' published files are not here (%v); put them in %s to run this test", err, sharedData)
	}
	return dir
}

// csvFiles lists the CSV files in dir whose names contain part.
func csvFiles(t *testing.T, dir, part string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"+part+"*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatalf("no files matching *%s*.csv in %s", part, dir)
	}
	return paths
}

func parseShared(t *testing.T, company, path string) []Figure {
	t.Helper()
	figs, err := ParseFile(company, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) == 0 {
		t.Fatalf("%s: no figures", path)
	}
	checkFigures(t, figs)
	return figs
}

func TestGoogleFiguresToReproduce(t *testing.T) {
	dir := sharedDir(t, "google-user-data-requests")
	figs := parseShared(t, Google, filepath.Join(dir, "google-global-user-data-requests.csv"))

	sums := make(map[string]int64)
	for _, f := range figs {
		if f.Period == "2023-H1" && f.Requests != nil {
			sums[f.LegalProcess] += *f.Requests
		}
	}
	for process, want := range map[string]int64{
		"emergency":      7274,
		"preservation":   20642,
		"subpoena":       22679,
		"search_warrant": 35083,
	} {
		if got := sums[process]; got != want {
			t.Errorf("Google 2023-H1 %s summed over countries: got %d, want %d", process, got, want)
		}
	}

	// Hong Kong's "Other Legal Requests" before and after the National
	// Security Law of 1 July 2020.
	hk := make(map[string]float64)
	for _, f := range figs {
		if f.Jurisdiction == "HK" && f.LegalProcess == "other_legal" && f.PercentSomeData != nil {
			hk[f.Period] = *f.PercentSomeData
		}
	}
	want := map[string]float64{"2020-H1": 81, "2020-H2": 5}
	for _, p := range []string{"2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1"} {
		want[p] = 0
	}
	for p, w := range want {
		got, ok := hk[p]
		if !ok || got != w {
			t.Errorf("Google HK other_legal %s: got %v (present %v), want %v%%", p, got, ok, w)
		}
	}
}

func TestMetaFiguresToReproduce(t *testing.T) {
	dir := sharedDir(t, "meta-government-requests")
	for _, tc := range []struct {
		file   string
		period string
		want   float64
	}{
		{"PRPL-Facebook-Government-Report-2020_H1.csv", "2020-H1", 24},
		{"PRPL-Facebook-Government-Report-2020_H2.csv", "2020-H2", 0},
	} {
		figs := parseShared(t, Meta, filepath.Join(dir, tc.file))
		var got *Figure
		for i, f := range figs {
			if f.Jurisdiction == "HK" && f.LegalProcess == "total" {
				got = &figs[i]
			}
		}
		if got == nil || got.PercentSomeData == nil {
			t.Errorf("%s: no HK total percentage", tc.file)
			continue
		}
		if got.Period != tc.period || *got.PercentSomeData != tc.want {
			t.Errorf("%s: HK total: got %s %v%%, want %s %v%%", tc.file, got.Period, *got.PercentSomeData, tc.period, tc.want)
		}
	}
}

func TestEveryMetaFileParses(t *testing.T) {
	dir := sharedDir(t, "meta-government-requests")
	headers := make(map[string][]string)
	for _, path := range csvFiles(t, dir, "") {
		figs := parseShared(t, Meta, path)
		label, _ := nameLabel(path)
		us := false
		for _, f := range figs {
			if f.Period != label {
				t.Fatalf("%s: figure for %s", path, f.Period)
			}
			us = us || (f.Jurisdiction == "US" && f.LegalProcess == "total")
		}
		if !us {
			t.Errorf("%s: no US total", path)
		}
		h := firstLine(t, path)
		headers[h] = append(headers[h], filepath.Base(path))
	}
	// The README counts four layouts; if Meta's files here change, this
	// says so rather than testing fewer layouts than it claims to.
	if len(headers) != 4 {
		t.Errorf("got %d distinct Meta headers, want 4", len(headers))
	}
}

// firstLine returns a file's header as Parse sees it.
func firstLine(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := openTable(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(tb.header, ",")
}

func TestMetaBandAndBareCR(t *testing.T) {
	dir := sharedDir(t, "meta-government-requests")
	// 2013 H1 gives the US total only as bands.
	figs := parseShared(t, Meta, filepath.Join(dir, "PRPL-Facebook-Government-Report-2013_H1.csv"))
	f := find(figs, "US", "total")
	if f == nil || f.Requests != nil || f.RequestsBand == nil || *f.RequestsBand != (Band{Min: 11000, Max: 12000}) ||
		f.AccountsBand == nil || *f.AccountsBand != (Band{Min: 20000, Max: 21000}) {
		t.Errorf("Meta 2013 H1 US total: got %+v", f)
	}
	// 2019 H2 ends its lines with a bare CR; every country must be a row.
	figs = parseShared(t, Meta, filepath.Join(dir, "PRPL-Facebook-Government-Report-2019_H2.csv"))
	countries := make(map[string]bool)
	for _, f := range figs {
		countries[f.Jurisdiction] = true
	}
	if len(countries) < 200 {
		t.Errorf("Meta 2019 H2: %d countries, want more than 200", len(countries))
	}
	if f := find(figs, "HK", "total"); f == nil || *f.Requests != 241 || *f.PercentSomeData != 46 {
		t.Errorf("Meta 2019 H2 HK total: got %+v, want 241 requests, 46%%", f)
	}
}

func find(figs []Figure, jurisdiction, process string) *Figure {
	for i, f := range figs {
		if f.Jurisdiction == jurisdiction && f.LegalProcess == process {
			return &figs[i]
		}
	}
	return nil
}

func TestEveryGoogleUserDataFileParses(t *testing.T) {
	dir := sharedDir(t, "google-user-data-requests")
	for _, path := range csvFiles(t, dir, "") {
		if strings.HasSuffix(path, "-nsl-requests-released.csv") {
			// A list of letters, not of counts: it must be refused
			// with a message, not read as nothing.
			if _, err := ParseFile(Google, path); err == nil || !strings.Contains(err.Error(), "no counts") {
				t.Errorf("%s: got %v, want an error saying it holds no counts", path, err)
			}
			continue
		}
		figs := parseShared(t, Google, path)
		t.Logf("%s: %d figures", filepath.Base(path), len(figs))
	}

	// The diplomatic file adds up the rows of each origin country.
	figs := parseShared(t, Google, filepath.Join(dir, "google-global-user-data-dlr-requests.csv"))
	for _, f := range figs {
		if f.LegalProcess != "mlat" || f.Requests == nil {
			t.Fatalf("diplomatic figure %+v", f)
		}
		// France, 2019 H1: 1 assisted by Ireland, 2 by the United States.
		if f.Period == "2019-H1" && f.Jurisdiction == "FR" && *f.Requests != 3 {
			t.Errorf("diplomatic requests from France in 2019 H1: got %d, want 3", *f.Requests)
		}
	}
	// National security figures are bands, never counts.
	figs = parseShared(t, Google, filepath.Join(dir, "google-usnationalsecurity-fisa-content-requests.csv"))
	f := figs[0]
	if f.Period != "2023-H1" || f.LegalProcess != "national_security_fisa_content" || f.Requests != nil ||
		*f.RequestsBand != (Band{Min: 0, Max: 499}) || *f.AccountsBand != (Band{Min: 115000, Max: 115499}) {
		t.Errorf("first FISA content figure: got %+v", f)
	}
	// Enterprise figures say their product, so that they are not added
	// to the consumer figures of the same country.
	for _, f := range parseShared(t, Google, filepath.Join(dir, "google-enterprise-data-requests.csv")) {
		if f.Product != "workspace" && f.Product != "cloud" {
			t.Fatalf("enterprise figure without product: %+v", f)
		}
	}
}

func TestAppleFiles(t *testing.T) {
	dir := sharedDir(t, "apple-transparency")
	for file, process := range map[string]string{
		"device_requests.csv":                   "device",
		"financial_identifier_requests.csv":     "financial_identifier",
		"push_token_requests.csv":               "push_token",
		"digital_content_provider_requests.csv": "digital_content_provider",
		"account_preservation_requests.csv":     "preservation",
	} {
		figs := parseShared(t, Apple, filepath.Join(dir, file))
		for _, f := range figs {
			if f.LegalProcess != process || f.Requests == nil {
				t.Fatalf("%s: figure %+v", file, f)
			}
		}
	}
	figs := parseShared(t, Apple, filepath.Join(dir, "device_requests.csv"))
	f := figs[0]
	if f.Period != "2013-H1" || f.Jurisdiction != "AU" || *f.Requests != 1178 || *f.Accounts != 1929 || *f.PercentSomeData != 59 {
		t.Errorf("first Apple device figure: got %+v", f)
	}
	if find(figs, "CN", "device") == nil {
		t.Error(`"China mainland" was not read as CN`)
	}

	figs = parseShared(t, Apple, filepath.Join(dir, "us_national_security_requests.csv"))
	var got []string
	for _, f := range figs {
		if f.Period == "2015-H2" || f.Period == "2022-H2" {
			got = append(got, f.Period+" "+f.LegalProcess+" "+f.RequestsBand.String()+" "+f.AccountsBand.String())
		}
	}
	want := []string{
		"2015-H2 national_security 1251-1499 1000-1249",
		"2022-H2 national_security_fisa_content 0-499 34500-34999",
		"2022-H2 national_security_fisa_non_content 0-499 36000-36499",
		"2022-H2 national_security_nsl 2-499 503-999",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Apple national security:\ngot  %q\nwant %q", got, want)
	}

	// Apple's content files are refused by name, not read as user data.
	for _, file := range []string{
		"account_restriction_deletion_requests.csv",
		"app_takedown_legal_violation_requests.csv",
		"app_takedown_platform_policy_violation_requests.csv",
	} {
		_, err := ParseFile(Apple, filepath.Join(dir, file))
		if err == nil || !strings.Contains(err.Error(), "restrict content") {
			t.Errorf("%s: got %v, want an error saying it counts content restrictions", file, err)
		}
	}
}

// checkFigures checks what every figure must satisfy, whatever the file.
func checkFigures(t *testing.T, figs []Figure) {
	t.Helper()
	seen := make(map[figureKey]bool)
	for _, f := range figs {
		if !validFigure(f) {
			t.Fatalf("invalid figure %+v", f)
		}
		if seen[keyOf(f)] {
			t.Fatalf("figure twice: %+v", keyOf(f))
		}
		seen[keyOf(f)] = true
	}
}

func validFigure(f Figure) bool {
	if f.Company != Google && f.Company != Meta && f.Company != Apple {
		return false
	}
	if len(f.Period) != 7 || (f.Period[4:] != "-H1" && f.Period[4:] != "-H2") {
		return false
	}
	if !knownCode(f.Jurisdiction) || f.LegalProcess == "" {
		return false
	}
	for _, n := range []*int64{f.Requests, f.Accounts} {
		if n != nil && *n < 0 {
			return false
		}
	}
	for _, b := range []*Band{f.RequestsBand, f.AccountsBand} {
		if b != nil && (b.Min < 0 || b.Min > b.Max) {
			return false
		}
	}
	if (f.Requests != nil && f.RequestsBand != nil) || (f.Accounts != nil && f.AccountsBand != nil) {
		return false
	}
	if p := f.PercentSomeData; p != nil && (*p < 0 || *p > 100) {
		return false
	}
	return true
}
