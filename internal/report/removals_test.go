package report

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
)

// TestRemovalsHeadersAreGoogles compares both removals headers with the
// first line of Google's files, byte for byte.
func TestRemovalsHeadersAreGoogles(t *testing.T) {
	dir := "../../../shared/data/google-government-removals/"
	for file, want := range map[string]string{
		"google-government-removal-requests.csv":          RemovalsHeader,
		"google-government-detailed-removal-requests.csv": RemovalsDetailedHeader,
	} {
		f, err := os.Open(dir + file)
		if err != nil {
			t.Skipf("Google's removals files are not here (%v); see /work/shared/data/README.md", err)
		}
		first, err := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if err != nil || first != want+"\n" {
			t.Errorf("%s begins %q, we write %q (%v)", file, first, want+"\n", err)
		}
	}
}

// TestRemovalsByReason counts requests (not items) by country and
// reason, a subdivision in its country, in Google's order of reasons.
func TestRemovalsByReason(t *testing.T) {
	counts := []dueprocess.RemovalCount{
		{Jurisdiction: "HK", Reason: "national_security", Items: map[dueprocess.ItemAction]int64{"no_action": 3, "restrict_in_jurisdiction": 1}},
		{Jurisdiction: "HK", Reason: "adult_content", Items: map[dueprocess.ItemAction]int64{"": 2}},
		{Jurisdiction: "HK", Reason: "national_security", Items: map[dueprocess.ItemAction]int64{"remove_globally_under_policy": 1}},
		{Jurisdiction: "US-CA", Reason: "defamation", Items: map[dueprocess.ItemAction]int64{"no_action": 1}},
	}
	var b bytes.Buffer
	if err := WriteRemovalsDetailedCSV(&b, dueprocess.Date{}, RemovalsByReason(counts)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	want := []string{RemovalsDetailedHeader, ",Hong Kong,HK,Unspecified,Adult Content,1", ",Hong Kong,HK,Unspecified,National Security,2"}
	if len(lines) != 5 || lines[0] != want[0] || !strings.HasSuffix(lines[1], want[1]) || !strings.HasSuffix(lines[2], want[2]) ||
		!strings.HasSuffix(lines[3], ",US,Unspecified,Defamation,1") {
		t.Errorf("detailed:\n%s", b.String())
	}
	byRequester, byReason := RemovalTotals(counts)
	if len(byRequester) != 1 || byRequester[0].Requests != 4 || byRequester[0].Restricted() != 2 || len(byReason) != 3 ||
		byReason[2].Reason != "national_security" || byReason[2].Items != 5 || byReason[2].Restricted != 2 {
		t.Errorf("totals: %+v %+v", byRequester, byReason)
	}
}
