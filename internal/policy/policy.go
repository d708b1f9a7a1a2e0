// Package policy is the policy engine: it reads a policy file (YAML) that
// states the rules a legal team owns, and evaluates requests against it.
//
// Evaluate is pure: no files, no network, no clock; the time that matters
// is the request's arrival. The fixed concepts of a policy (the ladder of
// legal process per data category, jurisdictions and their routes, pauses,
// human-rights escalation, emergencies, overbreadth) are plain data
// evaluated in Go; only the extra rules are CEL expressions, each compiled
// once, when the file is parsed, so that a rule that does not compile is
// an error at load and never at request time. See docs/policy.md.
package policy

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"

	"cel.dev/cel-go/cel"

	"github.com/dueprocess/dueprocess"
)

// DefaultYAML is the policy built into the binary, which
// "dueprocess policy show-default" prints: a commented starting point.
//
//go:embed default.yaml
var DefaultYAML []byte

var defaultPolicy = func() *Policy {
	p, err := Parse("default.yaml", DefaultYAML)
	if err != nil {
		panic("policy: the built-in policy does not parse: " + err.Error())
	}
	return p
}()

// Default returns the built-in policy.
func Default() *Policy { return defaultPolicy }

// Policy is a parsed, checked policy file. It is immutable and safe for
// concurrent use.
type Policy struct {
	name   string
	hash   string
	title  string
	ladder map[dueprocess.DataCategory]dueprocess.LegalProcessType

	// jurisdictions by code; "default" applies to every jurisdiction,
	// then its country's entry, then its subdivision's, field by field.
	jurisdictions map[string]*jurisdiction

	offences []string // normalised: lower case, words joined by "_"
	highRisk map[string]bool

	emergencyHarms    []dueprocess.Harm
	needJustification bool
	emergencyUnlocks  []dueprocess.DataCategory

	maxTargets   int
	maxRangeDays int

	deadlines []deadline // first match wins; then builtinDeadlines

	notice dueprocess.NoticePolicy

	rules []*rule

	// content demands: reasons never restricted, and reasons escalated
	neverRestrict, escalateContent []dueprocess.RemovalReason

	holds holdPolicy

	regimes regimes

	merged map[string]*settings // see precompute
}

// jurisdiction is one entry of the file's jurisdictions section. Nil or
// empty fields are not set and inherit.
type jurisdiction struct {
	code     string
	route    string // direct, mlat_only or refuse
	reason   string // for refuse
	accept   []dueprocess.LegalProcessType
	ladder   map[dueprocess.DataCategory]dueprocess.LegalProcessType
	highRisk *bool
	note     string
	pauses   []filePause
}

// filePause is a pause declared in the policy file: in force from since
// (inclusive) until until (exclusive; zero for no end).
type filePause struct {
	id    string
	pause dueprocess.Pause
}

// rule is one CEL rule.
type rule struct {
	id      string
	when    string
	outcome dueprocess.Outcome
	reason  string
	deny    []dueprocess.DataCategory
	prg     cel.Program
}

// Hash returns "sha256:" and the hex sha256 of the policy file's bytes.
// A decision records it, so it can be traced to the exact rules.
func (p *Policy) Hash() string { return p.hash }

// Name returns the name of the file the policy was read from.
func (p *Policy) Name() string { return p.name }

// Title returns the policy's own title, from its "name" key.
func (p *Policy) Title() string { return p.title }

// Rules returns how many rules the policy holds: ladder steps,
// jurisdiction settings, pauses, escalation entries, emergency and
// overbreadth limits, the regimes' rules, and CEL rules.
func (p *Policy) Rules() int {
	n := len(p.ladder) + len(p.offences) + len(p.highRisk) + len(p.rules) + 3 // emergency harms, unlocks, justification
	if p.maxTargets > 0 {
		n++
	}
	if p.maxRangeDays > 0 {
		n++
	}
	for _, byCat := range p.regimes.eevidence {
		n += len(byCat)
	}
	n += len(p.regimes.daaRefused)
	if p.regimes.extraterritorial != "" {
		n++
	}
	for _, j := range p.jurisdictions {
		n += len(j.ladder) + len(j.pauses)
		if j.route != "" {
			n++
		}
		if len(j.accept) > 0 {
			n++
		}
	}
	return n
}

func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
