package policy

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/common/types"

	"github.com/dueprocess/dueprocess"
)

// settings are the jurisdiction settings that apply to one jurisdiction:
// those of "default", then its country, then its subdivision, field by
// field. Each remembers the rule id of the entry that set it.
type settings struct {
	route, routeRule string
	reason           string
	accept           []dueprocess.LegalProcessType
	acceptRule       string
	ladder           [len(categoryIndex)]dueprocess.LegalProcessType
	ladderRule       [len(categoryIndex)]string
	highRisk         bool
	pauses           []filePause
}

// categoryIndex orders the data categories for the arrays above.
var categoryIndex = [...]dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs,
	dueprocess.CategoryMetadata, dueprocess.CategoryLocation, dueprocess.CategoryContent}

func indexOf(c dueprocess.DataCategory) int {
	for i, x := range categoryIndex {
		if x == c {
			return i
		}
	}
	return -1
}

// settingsFor merges the entries that apply to jurisdiction j.
func (p *Policy) settingsFor(j string) *settings {
	s := &settings{route: RouteDirect, routeRule: "jurisdiction.default.route"}
	for i, c := range categoryIndex {
		s.ladder[i], s.ladderRule[i] = p.ladder[c], "ladder."+string(c)
	}
	country := dueprocess.Country(j)
	chain := []string{"default", country}
	if j != country {
		chain = append(chain, j)
	}
	for _, code := range chain {
		e := p.jurisdictions[code]
		if e == nil {
			continue
		}
		prefix := "jurisdiction." + code
		if e.route != "" {
			s.route, s.routeRule, s.reason = e.route, prefix+".route", e.reason
		}
		if len(e.accept) > 0 {
			s.accept, s.acceptRule = e.accept, prefix+".accept"
		}
		for c, need := range e.ladder {
			i := indexOf(c)
			s.ladder[i], s.ladderRule[i] = need, prefix+".ladder."+string(c)
		}
		if e.highRisk != nil {
			s.highRisk = *e.highRisk
		}
		if code != "default" {
			s.pauses = append(s.pauses, e.pauses...)
		}
	}
	if p.highRisk[j] || p.highRisk[country] {
		s.highRisk = true
	}
	return s
}

// precompute merges the settings of every jurisdiction the file names, so
// that Evaluate only looks them up.
func (p *Policy) precompute() {
	p.merged = map[string]*settings{"default": p.settingsFor("")}
	for code := range p.jurisdictions {
		if code != "default" {
			p.merged[code] = p.settingsFor(code)
		}
	}
	for code := range p.highRisk {
		p.merged[code] = p.settingsFor(code)
	}
}

// cached returns the settings of jurisdiction j: its own entry's, its
// country's, or the default's.
func (p *Policy) cached(j string) *settings {
	if s, ok := p.merged[j]; ok {
		return s
	}
	if s, ok := p.merged[dueprocess.Country(j)]; ok {
		return s
	}
	return p.merged["default"]
}

// rank orders legal process by the data it may reach. An MLAT request
// comes with the requested state's own court order, so it reaches what a
// search warrant reaches, and is the only process a step of "mlat" takes.
// A DSA information order ranks with a subpoena (an administrative order
// for information already held), a UK–US Data Access Agreement order with
// a search warrant (the Agreement asks of it what a warrant needs, 18
// U.S.C. 2523(b)(4)); e-Evidence orders do not use the ladder at all (see
// eevidence). Emergency and other process reach nothing by the ladder: emergencies
// have their own rules, and other process needs a reviewer's judgement.
func rank(t dueprocess.LegalProcessType) int {
	switch t {
	case dueprocess.ProcessSubpoena, dueprocess.ProcessDSAOrder:
		return 1
	case dueprocess.ProcessCourtOrder:
		return 2
	case dueprocess.ProcessSearchWarrant, dueprocess.ProcessUKDAA:
		return 3
	case dueprocess.ProcessMLAT:
		return 4
	}
	return 0
}

// aProcess names a process with its article, for reasons.
func aProcess(t dueprocess.LegalProcessType) string {
	switch t {
	case dueprocess.ProcessSubpoena:
		return "a subpoena"
	case dueprocess.ProcessCourtOrder:
		return "a court order"
	case dueprocess.ProcessSearchWarrant:
		return "a search warrant"
	case dueprocess.ProcessMLAT:
		return "an MLAT request"
	case dueprocess.ProcessEmergency:
		return "an emergency request"
	case dueprocess.ProcessNationalSecurity:
		return "a national-security demand"
	case dueprocess.ProcessEPOC:
		return "a European Production Order"
	case dueprocess.ProcessEPOCPR:
		return "a European Preservation Order"
	case dueprocess.ProcessDSAOrder:
		return "a DSA information order"
	case dueprocess.ProcessUKDAA:
		return "a UK–US Data Access Agreement order"
	}
	return "other legal process"
}

// decision collects reasons and verdicts.
type decision struct {
	d dueprocess.Decision
}

func (e *decision) add(o dueprocess.Outcome, rule, format string, args ...any) {
	e.addText(o, rule, fmt.Sprintf(format, args...))
}

// addText adds a reason whose text is written out already.
func (e *decision) addText(o dueprocess.Outcome, rule, text string) {
	if e.d.Reasons == nil {
		e.d.Reasons = make([]dueprocess.Reason, 0, 4)
	}
	e.d.Reasons = append(e.d.Reasons, dueprocess.Reason{Rule: rule, Outcome: o, Text: text})
	if o.Severity() > e.d.Outcome.Severity() {
		e.d.Outcome = o
	}
}

func (e *decision) verdict(c dueprocess.DataCategory, allowed bool, rule, reason string) {
	e.d.Categories[c] = dueprocess.Verdict{Allowed: allowed, Rule: rule, Reason: reason}
}

// Evaluate judges r against p and the stored pauses given, as of r's
// arrival: a pause applies when it covers r and was in force when r
// arrived. The outcome is the most restrictive of every rule that
// applied; each data category asked for gets a verdict; every reason
// names its rule. Evaluate does no I/O and never fails: a CEL rule that
// errors on this request escalates it, naming the rule.
func Evaluate(r *dueprocess.Request, p *Policy, pauses []dueprocess.Pause) dueprocess.Decision {
	e := &decision{d: dueprocess.Decision{Policy: p.hash,
		Categories: make(map[dueprocess.DataCategory]dueprocess.Verdict, len(r.DataCategories))}}
	s := p.cached(r.Jurisdiction)
	emergency := r.Kind == dueprocess.KindEmergency || r.LegalProcess.Type == dueprocess.ProcessEmergency
	e.route(r, s)
	e.pauses(r, s, pauses)
	offence := e.humanRights(r, p, s)
	e.contentRules(r, p)
	if emergency {
		e.emergency(r, p)
	}
	e.overbreadth(r, p)
	switch {
	case r.LegalProcess.Type.EEvidence():
		e.eevidence(r, p)
	case r.LegalProcess.Type == dueprocess.ProcessDSAOrder:
		e.add(dueprocess.OutcomeReview, "regime.dsa_information_order", "An order under Article 10 of the Digital Services Act reaches only information "+
			"already collected for providing the service; nothing is to be collected for it.")
	case r.LegalProcess.Type == dueprocess.ProcessUKDAA:
		e.daa(r, p)
	}
	e.extraterritorial(r, p)
	if !r.LegalProcess.Type.EEvidence() {
		e.categories(r, p, s, emergency)
	}
	e.rules(r, p, offence)
	e.finish()
	e.d.DueWithin, e.d.DueRule = p.Due(r)
	return e.d
}

// route refuses a request that comes by a route, or rests on a process,
// that its jurisdiction does not accept.
func (e *decision) route(r *dueprocess.Request, s *settings) {
	switch s.route {
	case RouteRefuse:
		e.add(dueprocess.OutcomeRefuse, s.routeRule, "Requests from %s are not answered: %s", r.Jurisdiction, s.reason)
	case RouteMLATOnly:
		if r.Route() != dueprocess.RouteMLAT {
			e.add(dueprocess.OutcomeRefuse, s.routeRule, "Requests from %s are answered only through the mutual legal assistance treaty (MLAT) route; "+
				"direct requests are refused. Ask your central authority to send this request through the MLAT process.", r.Jurisdiction)
		}
	}
	if len(s.accept) > 0 && !slices.Contains(s.accept, r.LegalProcess.Type) {
		names := make([]string, len(s.accept))
		for i, t := range s.accept {
			names[i] = aProcess(t)
		}
		e.add(dueprocess.OutcomeRefuse, s.acceptRule, "Requests from %s must rest on %s; %s was given.", r.Jurisdiction, orList(names), aProcess(r.LegalProcess.Type))
	}
}

// pauses holds a request that a pause covers: stored ones, then the
// policy file's.
func (e *decision) pauses(r *dueprocess.Request, s *settings, pauses []dueprocess.Pause) {
	for i := range pauses {
		q := &pauses[i]
		if q.Covers(r) && q.InForce(r.ReceivedAt) {
			e.add(dueprocess.OutcomePause, "pause."+q.ID, "%s from %s are paused since %s: %s",
				q.Scope.Describe(), q.Jurisdiction, q.StartedAt.Format("2 January 2006"), q.Reason)
		}
	}
	for i := range s.pauses {
		q := &s.pauses[i].pause
		if q.Covers(r) && q.InForce(r.ReceivedAt) {
			e.add(dueprocess.OutcomePause, "pause."+s.pauses[i].id, "%s from %s are paused since %s: %s",
				q.Scope.Describe(), q.Jurisdiction, q.StartedAt.Format("2 January 2006"), q.Reason)
		}
	}
}

// humanRights escalates offences often used against speech, and every
// request from a high-risk jurisdiction. It returns the normalised
// offence, which the CEL rules see.
func (e *decision) humanRights(r *dueprocess.Request, p *Policy, s *settings) (offence string) {
	if r.Offence != nil {
		offence = normalOffence(r.Offence.Category)
		if o := p.matchOffence(offence, r.Offence.Description); o != "" {
			e.add(dueprocess.OutcomeEscalate, "human_rights.offence", "The alleged offence (%s) is one often used against speech, assembly or dissent; "+
				"the human-rights officer must assess the request's legality, necessity and proportionality before review.", strings.ReplaceAll(o, "_", " "))
		}
	}
	if s.highRisk {
		e.add(dueprocess.OutcomeEscalate, "human_rights.jurisdiction", "%s is a high-risk jurisdiction for human rights; "+
			"the human-rights officer must assess every request from it before review.", r.Jurisdiction)
	}
	return offence
}

// emergency refuses an emergency request that claims no listed harm, or
// gives no justification where the policy asks for one.
func (e *decision) emergency(r *dueprocess.Request, p *Policy) {
	switch {
	case r.Emergency == nil || !slices.Contains(p.emergencyHarms, r.Emergency.Harm):
		e.add(dueprocess.OutcomeRefuse, "emergency.harm", "An emergency request must claim an imminent risk of %s; this one claims none.", harmList(p.emergencyHarms))
	case p.needJustification && strings.TrimSpace(r.Emergency.Justification) == "":
		e.add(dueprocess.OutcomeRefuse, "emergency.justification", "An emergency request must say why the harm is imminent and how the data would prevent it; this one does not.")
	}
}

// overbreadth asks to narrow a request that names too many targets or
// too long a date range.
func (e *decision) overbreadth(r *dueprocess.Request, p *Policy) {
	if p.maxTargets > 0 && len(r.Targets) > p.maxTargets {
		e.add(dueprocess.OutcomeNarrow, "overbreadth.targets", "The request names %d targets; at most %d may be named in one request. Narrow it to the accounts the investigation needs.", len(r.Targets), p.maxTargets)
	}
	if days := rangeDays(r); p.maxRangeDays > 0 && days > p.maxRangeDays {
		e.add(dueprocess.OutcomeNarrow, "overbreadth.range", "The date range spans %d days; at most %d may be asked for. Narrow it to the period the investigation needs.", days, p.maxRangeDays)
	}
}

// categories decides each data category: only those the legal process
// reaches are allowed.
func (e *decision) categories(r *dueprocess.Request, p *Policy, s *settings, emergency bool) {
	for _, c := range r.DataCategories {
		i := indexOf(c)
		if i < 0 {
			continue
		}
		switch {
		case r.Kind == dueprocess.KindPreservation:
			// Preservation freezes data; it discloses nothing, so it
			// needs no process of the ladder (18 U.S.C. 2703(f)).
			e.verdict(c, true, "preservation", "")
		case emergency:
			if slices.Contains(p.emergencyUnlocks, c) {
				e.verdict(c, true, "emergency.unlocks", "")
			} else {
				e.verdict(c, false, "emergency.unlocks", fmt.Sprintf("an emergency may reach only %s; %s needs legal process", catList(p.emergencyUnlocks), c))
			}
		case rank(r.LegalProcess.Type) >= rank(s.ladder[i]) && rank(r.LegalProcess.Type) > 0:
			e.verdict(c, true, s.ladderRule[i], "")
		default:
			e.verdict(c, false, s.ladderRule[i], fmt.Sprintf("%s needs %s; %s was given", c, aProcess(s.ladder[i]), aProcess(r.LegalProcess.Type)))
		}
	}
}

// rules runs the policy file's CEL rules.
func (e *decision) rules(r *dueprocess.Request, p *Policy, offence string) {
	if len(p.rules) == 0 {
		return
	}
	act := &activation{r: r, offence: offence}
	for _, rl := range p.rules {
		out, _, err := rl.prg.Eval(act)
		if err != nil {
			e.add(dueprocess.OutcomeEscalate, "rules."+rl.id, "Rule %s could not be evaluated for this request (%v); a person must look at it.", rl.id, err)
			continue
		}
		if out != types.True {
			continue
		}
		e.addText(rl.outcome, "rules."+rl.id, rl.reason)
		for _, c := range rl.deny {
			if v, ok := e.d.Categories[c]; ok && v.Allowed {
				e.verdict(c, false, "rules."+rl.id, rl.reason)
			}
		}
	}
}

// finish sends a request no rule held back to review, and denies every
// category of a refused request, naming the first refusal.
func (e *decision) finish() {
	if len(e.d.Reasons) == 0 {
		e.addText(dueprocess.OutcomeReview, "default.review", "No rule holds this request back; it goes to staff review.")
	}
	if e.d.Outcome == dueprocess.OutcomeRefuse {
		first := e.d.Reasons[0]
		for _, reason := range e.d.Reasons {
			if reason.Outcome == dueprocess.OutcomeRefuse {
				first = reason
				break
			}
		}
		for c := range e.d.Categories {
			e.verdict(c, false, first.Rule, "the request is refused: "+first.Text)
		}
	}
}

// matchOffence returns the listed offence that the category names, or
// that the description mentions as whole words, or "".
func (p *Policy) matchOffence(category, description string) string {
	if slices.Contains(p.offences, category) {
		return category
	}
	if description == "" {
		return ""
	}
	desc := "_" + normalOffence(description) + "_"
	for _, o := range p.offences {
		if strings.Contains(desc, "_"+o+"_") {
			return o
		}
	}
	return ""
}

func harmList(hs []dueprocess.Harm) string {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = strings.ReplaceAll(string(h), "_", " ")
	}
	return orList(names)
}

func catList(cs []dueprocess.DataCategory) string {
	if len(cs) == 0 {
		return "no data category"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
