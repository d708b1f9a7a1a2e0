package policy

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

func TestDeadlines(t *testing.T) {
	src := strings.Replace(string(DefaultYAML), "deadlines:\n", `deadlines:
  - {id: de-emergency, jurisdiction: [DE], kind: [emergency], within: 8h}
  - {id: de-court, jurisdiction: [DE], legal_process: [court_order, search_warrant], within: 10d}
  - {id: us-ca, jurisdiction: [US-CA], within: 5d}
  - {id: us, jurisdiction: [US], within: 20d}
`, 1)
	p, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		q      req
		within time.Duration
		rule   string
	}{
		{req{juris: "DE", kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency}, 8 * time.Hour, "de-emergency"},
		{req{juris: "DE", process: dueprocess.ProcessCourtOrder}, 10 * day, "de-court"},
		{req{juris: "DE", process: dueprocess.ProcessSubpoena}, 30 * day, "default"},
		{req{juris: "US-CA"}, 5 * day, "us-ca"},
		{req{juris: "US-NY"}, 20 * day, "us"}, // a country matches its subdivisions
		{req{juris: "US"}, 20 * day, "us"},
		{req{juris: "FR", kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency}, 12 * time.Hour, "emergency"},
		{req{juris: "FR", kind: dueprocess.KindPreservation}, 2 * day, "preservation"},
		{req{juris: "FR"}, 30 * day, "default"},
	} {
		r := tc.q.build()
		within, rule := p.Due(r)
		if within != tc.within || rule != tc.rule {
			t.Errorf("%s %s %s: due within %v by %q, want %v by %q", r.Jurisdiction, r.Kind, r.LegalProcess.Type, within, rule, tc.within, tc.rule)
		}
		if d := Evaluate(r, p, nil); d.DueWithin != tc.within || d.DueRule != tc.rule {
			t.Errorf("Evaluate: due within %v by %q, want %v by %q", d.DueWithin, d.DueRule, tc.within, tc.rule)
		}
	}
	// A policy without the section gets the built-in deadlines.
	bare := strings.Replace(string(DefaultYAML), "deadlines:\n", "unused_deadlines:\n", 1)
	bare = bare[:strings.Index(bare, "unused_deadlines:")] + bare[strings.Index(bare, "# Extra rules"):]
	p, err = Parse("bare.yaml", []byte(bare))
	if err != nil {
		t.Fatal(err)
	}
	if within, rule := p.Due(req{kind: dueprocess.KindEmergency}.build()); within != 24*time.Hour || rule != "builtin.emergency" {
		t.Errorf("without deadlines, an emergency: %v by %q, want 24h by builtin.emergency", within, rule)
	}
	if within, rule := p.Due(req{}.build()); within != dueprocess.DefaultDueWithin || rule != "builtin.default" {
		t.Errorf("without deadlines: %v by %q, want 30 days by builtin.default", within, rule)
	}
}

func TestDeadlineErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ section, want string }{
		{"  - {id: x, within: 10}\n", "deadlines[0].within: want whole hours or days"},
		{"  - {id: x, within: 3w}\n", "deadlines[0].within: want whole hours or days"},
		{"  - {id: x, within: 1000d}\n", "at most two years"},
		{"  - {within: 10d}\n", "a deadline needs an id"},
		{"  - {id: x, kind: [arrest], within: 10d}\n", `deadlines[0].kind[0]: unknown kind "arrest"`},
		{"  - {id: x, jurisdiction: [de], within: 10d}\n", `deadlines[0].jurisdiction[0]: "de" is not an ISO 3166 code`},
		{"  - {id: x, legal_process: [letter], within: 10d}\n", `unknown legal process "letter"`},
		{"  - {id: x, within: 1d}\n  - {id: x, within: 2d}\n", `deadlines[1].id: "x" is used twice`},
		{"  - {id: x, when: true, within: 1d}\n", "unknown key"},
	} {
		src := strings.Replace(string(DefaultYAML), "deadlines:\n", "deadlines:\n"+tc.section, 1)
		line := strings.Count(src[:strings.Index(src, "deadlines:\n")], "\n") + 2
		_, err := Parse("p.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want %q", tc.section, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), "p.yaml:"+itoa(line)) && !strings.Contains(err.Error(), "p.yaml:"+itoa(line+1)) {
			t.Errorf("%q: %v, want line %d", tc.section, err, line)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
