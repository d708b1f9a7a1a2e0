package policy

import (
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
)

// TestHoldTerms reads a holds section and looks up each kind of
// jurisdiction: one of its own, a subdivision of a country with an entry,
// and one with none.
func TestHoldTerms(t *testing.T) {
	file := string(DefaultYAML) + `
  # (the default's holds section continues)
    BR:
      days: 60
      extension_days: 0
    US-CA:
      extension_days: 30
`
	p, err := Parse("holds.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		j    string
		want dueprocess.HoldTerms
	}{
		{"BR", dueprocess.HoldTerms{Days: 60}},
		{"BR-SP", dueprocess.HoldTerms{Days: 60}},
		{"US-CA", dueprocess.HoldTerms{Days: 90, ExtensionDays: 30}},
		{"US", dueprocess.DefaultHoldTerms},
		{"FR", dueprocess.DefaultHoldTerms},
	} {
		if got := p.HoldTerms(c.j); got != c.want {
			t.Errorf("HoldTerms(%s) = %+v, want %+v", c.j, got, c.want)
		}
	}
	if got := Default().HoldTerms("FR"); got != dueprocess.DefaultHoldTerms {
		t.Errorf("the default policy's terms: %+v, want %+v", got, dueprocess.DefaultHoldTerms)
	}
}

// TestHoldTermsErrors checks that a bad holds section is refused with its
// line.
func TestHoldTermsErrors(t *testing.T) {
	base := "version: 1\nladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}\n"
	for _, c := range []struct{ holds, want string }{
		{"holds: {days: 0}", "x.yaml:3: holds.days: want a number of days from 1 to 3650"},
		{"holds: {extension_days: -1}", "holds.extension_days: want a number of days from 0"},
		{"holds: {jurisdictions: {gb: {days: 5}}}", `holds.jurisdictions.gb: "gb" is not an ISO 3166 code`},
		{"holds: {jurisdictions: {GB: {weeks: 5}}}", "holds.jurisdictions.GB.weeks: unknown key"},
		{"holds: {forever: true}", "holds.forever: unknown key"},
	} {
		_, err := Parse("x.yaml", []byte(base+c.holds))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.holds, err, c.want)
		}
	}
}
