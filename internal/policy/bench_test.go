package policy

import (
	_ "embed"
	"testing"

	"github.com/dueprocess/dueprocess"
)

//go:embed testdata/realistic.yaml
var realisticYAML []byte

func BenchmarkParseDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("default.yaml", DefaultYAML); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate judges a typical request (a US court order for
// subscriber data and IP logs of two accounts, with an offence and a date
// range) against a realistic policy: the default's ladder, 13
// jurisdictions, 20 offences, emergency and overbreadth limits, and 10 CEL
// rules, with one stored pause elsewhere.
func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse("realistic.yaml", realisticYAML)
	if err != nil {
		b.Fatal(err)
	}
	if p.Rules() < 40 || len(p.rules) != 10 {
		b.Fatalf("the realistic policy has %d rules, %d of them CEL; want at least 40 and 10", p.Rules(), len(p.rules))
	}
	r := req{juris: "US-NY", process: dueprocess.ProcessCourtOrder, offence: "wire fraud", targets: 2, rangeDays: 90,
		categories: []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs}}.build()
	pauses := []dueprocess.Pause{nsl}
	b.Run("with-cel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(r, p, pauses)
		}
	})
	noCEL := *p
	noCEL.rules = nil
	b.Run("without-cel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(r, &noCEL, pauses)
		}
	})
}
