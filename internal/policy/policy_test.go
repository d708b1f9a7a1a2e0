package policy

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// req builds a request; zero arguments take sensible defaults.
type req struct {
	kind       dueprocess.RequestKind
	juris      string
	process    dueprocess.LegalProcessType
	offence    string
	categories []dueprocess.DataCategory
	targets    int
	received   string
	emergency  *dueprocess.EmergencyClaim
	rangeDays  int
}

func (q req) build() *dueprocess.Request {
	r := &dueprocess.Request{Kind: q.kind, Jurisdiction: q.juris, LegalProcess: dueprocess.LegalProcess{Type: q.process},
		DataCategories: q.categories, Emergency: q.emergency}
	if r.Kind == "" {
		r.Kind = dueprocess.KindUserData
	}
	if r.Jurisdiction == "" {
		r.Jurisdiction = "US"
	}
	if r.LegalProcess.Type == "" {
		r.LegalProcess.Type = dueprocess.ProcessSubpoena
	}
	if q.offence != "" {
		r.Offence = &dueprocess.Offence{Category: q.offence}
	}
	if r.DataCategories == nil && r.Kind != dueprocess.KindContentRestriction {
		r.DataCategories = []dueprocess.DataCategory{dueprocess.CategorySubscriber}
	}
	for i := range max(q.targets, 1) {
		r.Targets = append(r.Targets, dueprocess.Target{Type: dueprocess.TargetUsername, Value: "user" + string(rune('a'+i%26))})
	}
	received := q.received
	if received == "" {
		received = "2026-03-02"
	}
	t, _ := time.Parse(time.DateOnly, received)
	r.ReceivedAt = t.Add(10 * time.Hour)
	if q.rangeDays > 0 {
		r.DateRange = &dueprocess.DateRange{From: dueprocess.DateOf(t.AddDate(0, 0, -q.rangeDays)), To: dueprocess.DateOf(t.AddDate(0, 0, -1))}
	}
	return r
}

func hasRule(d dueprocess.Decision, rule string) *dueprocess.Reason {
	for i := range d.Reasons {
		if d.Reasons[i].Rule == rule {
			return &d.Reasons[i]
		}
	}
	return nil
}

func mustParse(t testing.TB, yaml string) *Policy {
	t.Helper()
	p, err := Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var nsl = dueprocess.Pause{ID: "pz_nsl", Jurisdiction: "HK", Reason: "National Security Law in force; human-rights due diligence",
	StartedAt: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC),
	Scope:     dueprocess.PauseScope{Kinds: []dueprocess.RequestKind{dueprocess.KindUserData, dueprocess.KindPreservation, dueprocess.KindEmergency}}}

// TestHongKongAfterNationalSecurityLaw: after 1 July 2020 Google paused
// Hong Kong's data requests and went on reviewing its content-removal
// requests. The pause is tried as a stored pause and as one in the file.
func TestHongKongAfterNationalSecurityLaw(t *testing.T) {
	fromFile := strings.Replace(string(DefaultYAML), "  HK:\n", `  HK:
    pauses:
      - since: 2020-07-01
        kinds: [user_data, preservation, emergency]
        reason: National Security Law in force; human-rights due diligence
`, 1)
	for _, tc := range []struct {
		name   string
		p      *Policy
		pauses []dueprocess.Pause
		rule   string
	}{
		{"stored pause", Default(), []dueprocess.Pause{nsl}, "pause.pz_nsl"},
		{"pause in the policy file", mustParse(t, fromFile), nil, "pause.HK.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := Evaluate(req{juris: "HK", offence: "fraud", received: "2020-08-03"}.build(), tc.p, tc.pauses)
			if data.Outcome != dueprocess.OutcomePause || data.Outcome.Status() != dueprocess.StatusPaused {
				t.Errorf("HK data request in August 2020: %s, want pause", data.Outcome)
			}
			if r := hasRule(data, tc.rule); r == nil || !strings.Contains(r.Text, "National Security Law") {
				t.Errorf("no reason from %s giving the pause's reason: %+v", tc.rule, data.Reasons)
			}
			content := Evaluate(req{juris: "HK", kind: dueprocess.KindContentRestriction, offence: "defamation", received: "2020-08-03"}.build(), tc.p, tc.pauses)
			if content.Outcome == dueprocess.OutcomePause || content.Outcome == dueprocess.OutcomeRefuse {
				t.Errorf("HK content restriction in August 2020: %s, want it reviewed", content.Outcome)
			}
			before := Evaluate(req{juris: "HK", offence: "fraud", received: "2020-06-15"}.build(), tc.p, tc.pauses)
			if hasRule(before, tc.rule) != nil || before.Outcome == dueprocess.OutcomePause {
				t.Errorf("HK data request in June 2020: %s, want no pause", before.Outcome)
			}
		})
	}
}

// TestSwitzerlandAcceptsOnlyCourtOrder: ProtonMail's stance.
func TestSwitzerlandAcceptsOnlyCourtOrder(t *testing.T) {
	sub := Evaluate(req{juris: "CH", process: dueprocess.ProcessSubpoena}.build(), Default(), nil)
	r := hasRule(sub, "jurisdiction.CH.accept")
	if sub.Outcome != dueprocess.OutcomeRefuse || r == nil || !strings.Contains(r.Text, "a court order") {
		t.Errorf("CH subpoena: %s %+v, want refused by jurisdiction.CH.accept", sub.Outcome, sub.Reasons)
	}
	if v := sub.Categories[dueprocess.CategorySubscriber]; v.Allowed {
		t.Error("a refused request allows subscriber data")
	}
	order := Evaluate(req{juris: "CH", process: dueprocess.ProcessCourtOrder, categories: []dueprocess.DataCategory{"subscriber", "ip_logs"}}.build(), Default(), nil)
	if order.Outcome != dueprocess.OutcomeReview || !order.Categories["subscriber"].Allowed || !order.Categories["ip_logs"].Allowed {
		t.Errorf("CH court order: %+v", order)
	}
}

func TestUSSubpoenaForContent(t *testing.T) {
	d := Evaluate(req{juris: "US", process: dueprocess.ProcessSubpoena, categories: []dueprocess.DataCategory{"subscriber", "content"}}.build(), Default(), nil)
	if d.Outcome != dueprocess.OutcomeReview {
		t.Errorf("outcome %s, want review", d.Outcome)
	}
	if got, want := d.Categories["subscriber"], (dueprocess.Verdict{Allowed: true, Rule: "ladder.subscriber"}); got != want {
		t.Errorf("subscriber: %+v, want %+v", got, want)
	}
	want := dueprocess.Verdict{Allowed: false, Rule: "jurisdiction.US.ladder.content", Reason: "content needs a search warrant; a subpoena was given"}
	if got := d.Categories["content"]; got != want {
		t.Errorf("content: %+v, want %+v", got, want)
	}
	if !strings.HasPrefix(d.Policy, "sha256:") || d.Policy != Default().Hash() {
		t.Errorf("policy hash %q", d.Policy)
	}
	// With the ladder as written (no jurisdiction override), the rule is ladder.content.
	plain := mustParse(t, "version: 1\nladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}\n")
	if got := Evaluate(req{categories: []dueprocess.DataCategory{"content"}}.build(), plain, nil).Categories["content"]; got.Rule != "ladder.content" ||
		got.Reason != "content needs a search warrant; a subpoena was given" {
		t.Errorf("content under the plain ladder: %+v", got)
	}
}

func TestSubversionEscalatesAnywhere(t *testing.T) {
	for _, j := range []string{"DE", "US", "HK", "BR"} {
		for _, offence := range []string{"subversion", "Subversion", "Inciting subversion of state power"} {
			d := Evaluate(req{juris: j, process: dueprocess.ProcessCourtOrder, offence: offence}.build(), Default(), nil)
			if d.Outcome != dueprocess.OutcomeEscalate || hasRule(d, "human_rights.offence") == nil {
				t.Errorf("%s %q: %s %+v, want escalate by human_rights.offence", j, offence, d.Outcome, d.Reasons)
			}
		}
	}
	// An offence named only in the description counts too, as whole words.
	r := req{juris: "DE", process: dueprocess.ProcessCourtOrder, offence: "other"}.build()
	r.Offence.Description = "Posts amounting to sedition against the state"
	if d := Evaluate(r, Default(), nil); d.Outcome != dueprocess.OutcomeEscalate {
		t.Errorf("sedition in the description: %s", d.Outcome)
	}
	r.Offence.Description = "Seditionary-sounding but about tax fraud"
	if d := Evaluate(r, Default(), nil); d.Outcome == dueprocess.OutcomeEscalate {
		t.Errorf("a word containing an offence escalated: %+v", d.Reasons)
	}
}

func TestMLATOnlyDirectRefused(t *testing.T) {
	direct := Evaluate(req{juris: "CN", process: dueprocess.ProcessCourtOrder}.build(), Default(), nil)
	r := hasRule(direct, "jurisdiction.CN.route")
	if direct.Outcome != dueprocess.OutcomeRefuse || r == nil || !strings.Contains(r.Text, "MLAT") {
		t.Errorf("CN direct: %s %+v, want refused pointing to the MLAT route", direct.Outcome, direct.Reasons)
	}
	mlat := Evaluate(req{juris: "CN", process: dueprocess.ProcessMLAT, categories: []dueprocess.DataCategory{"content"}}.build(), Default(), nil)
	if mlat.Outcome == dueprocess.OutcomeRefuse || !mlat.Categories["content"].Allowed {
		t.Errorf("CN via MLAT: %s %+v, want not refused, content allowed", mlat.Outcome, mlat)
	}
	if mlat.Outcome != dueprocess.OutcomeEscalate {
		t.Errorf("CN via MLAT: %s, want escalated (high risk)", mlat.Outcome)
	}
}

func TestEmergencyWithoutHarmRefused(t *testing.T) {
	none := Evaluate(req{kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency}.build(), Default(), nil)
	if none.Outcome != dueprocess.OutcomeRefuse || hasRule(none, "emergency.harm") == nil {
		t.Errorf("emergency without a harm: %s %+v", none.Outcome, none.Reasons)
	}
	bare := Evaluate(req{kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency,
		emergency: &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath}}.build(), Default(), nil)
	if bare.Outcome != dueprocess.OutcomeRefuse || hasRule(bare, "emergency.justification") == nil {
		t.Errorf("emergency without a justification: %s %+v", bare.Outcome, bare.Reasons)
	}
	ok := Evaluate(req{kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency,
		categories: []dueprocess.DataCategory{"subscriber", "location", "content"},
		emergency:  &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath, Justification: "a kidnapping in progress; the victim's phone"}}.build(), Default(), nil)
	if !ok.Categories["subscriber"].Allowed || !ok.Categories["location"].Allowed || ok.Categories["content"].Allowed {
		t.Errorf("an emergency with harm and justification: %+v", ok.Categories)
	}
	if ok.Outcome != dueprocess.OutcomeEscalate || hasRule(ok, "rules.emergency-content") == nil {
		t.Errorf("an emergency asking for content: %s, want escalated by rules.emergency-content", ok.Outcome)
	}
}

func TestOverbreadthAndRules(t *testing.T) {
	d := Evaluate(req{targets: 30, rangeDays: 400}.build(), Default(), nil)
	if d.Outcome != dueprocess.OutcomeNarrow || hasRule(d, "overbreadth.targets") == nil || hasRule(d, "overbreadth.range") == nil {
		t.Errorf("30 targets over 400 days: %s %+v", d.Outcome, d.Reasons)
	}
	if r := hasRule(d, "overbreadth.targets"); r == nil || !strings.Contains(r.Text, "30") || !strings.Contains(r.Text, "25") {
		t.Errorf("the reason does not give the figure and the limit: %+v", r)
	}
	c := Evaluate(req{process: dueprocess.ProcessSearchWarrant, targets: 8, categories: []dueprocess.DataCategory{"content"}}.build(), Default(), nil)
	if c.Outcome != dueprocess.OutcomeNarrow || hasRule(c, "rules.content-of-many") == nil {
		t.Errorf("content of 8 accounts: %s %+v", c.Outcome, c.Reasons)
	}
	// The most restrictive outcome wins: refused beats narrow and escalate.
	ru := Evaluate(req{juris: "RU", offence: "extremism", targets: 30}.build(), Default(), nil)
	if ru.Outcome != dueprocess.OutcomeRefuse || len(ru.Reasons) < 3 {
		t.Errorf("RU extremism, 30 targets: %s %+v", ru.Outcome, ru.Reasons)
	}
	plain := Evaluate(req{process: dueprocess.ProcessCourtOrder}.build(), Default(), nil)
	if plain.Outcome != dueprocess.OutcomeReview || hasRule(plain, "default.review") == nil {
		t.Errorf("a plain request: %+v", plain)
	}
	pres := Evaluate(req{kind: dueprocess.KindPreservation, categories: []dueprocess.DataCategory{"content"}}.build(), Default(), nil)
	if !pres.Categories["content"].Allowed || pres.Categories["content"].Rule != "preservation" {
		t.Errorf("preservation of content: %+v", pres.Categories)
	}
}

func TestCELRuleError(t *testing.T) {
	p := mustParse(t, `version: 1
ladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}
rules:
  - id: first-category
    when: 'request.categories[0] == "subscriber"'
    outcome: review
    reason: Subscriber first.
    deny: [subscriber]
`)
	d := Evaluate(req{kind: dueprocess.KindContentRestriction}.build(), p, nil)
	if d.Outcome != dueprocess.OutcomeEscalate || hasRule(d, "rules.first-category") == nil {
		t.Errorf("a rule erring on a request: %s %+v, want escalate naming the rule", d.Outcome, d.Reasons)
	}
	d = Evaluate(req{}.build(), p, nil)
	if v := d.Categories["subscriber"]; v.Allowed || v.Rule != "rules.first-category" {
		t.Errorf("a rule's deny: %+v", v)
	}
}

func TestHashAndDefault(t *testing.T) {
	a := mustParse(t, string(DefaultYAML))
	b := mustParse(t, string(DefaultYAML)+"\n# a comment\n")
	if a.Hash() != Default().Hash() || a.Hash() == b.Hash() {
		t.Errorf("hashes: default %s, same bytes %s, one more comment %s", Default().Hash(), a.Hash(), b.Hash())
	}
	if Default().Rules() < 40 {
		t.Errorf("the default policy has %d rules", Default().Rules())
	}
}

func TestParseErrors(t *testing.T) {
	const ladder = "ladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"empty", "", "test.yaml:1: the file is empty"},
		{"tabs", "version: 1\n\tladder: {}\n", "test.yaml:2: not valid YAML"},
		{"no version", ladder, "test.yaml:1: version: is required"},
		{"wrong version", "version: 2\n" + ladder, "test.yaml:1: version: unknown version \"2\""},
		{"unknown key", "version: 1\n" + ladder + "ladders: {}\n", "test.yaml:3: ladders: unknown key"},
		{"bad category", "version: 1\nladder:\n  subscriber: subpoena\n  contents: search_warrant\n", "test.yaml:4: ladder.contents: unknown data category \"contents\""},
		{"bad process", "version: 1\nladder:\n  subscriber: letter\n", "test.yaml:3: ladder.subscriber: unknown legal process \"letter\""},
		{"missing step", "version: 1\nladder:\n  subscriber: subpoena\n", "ladder: has no step for ip_logs"},
		{"bad jurisdiction", "version: 1\n" + ladder + "jurisdictions:\n  XX:\n    route: direct\n", "test.yaml:4: jurisdictions.XX: \"XX\" is not an ISO 3166 code"},
		{"lower-case jurisdiction", "version: 1\n" + ladder + "jurisdictions:\n  hk:\n    route: direct\n", "jurisdictions.hk"},
		{"bad route", "version: 1\n" + ladder + "jurisdictions:\n  CN:\n    route: treaty\n", "test.yaml:5: jurisdictions.CN.route: unknown route \"treaty\""},
		{"refuse without reason", "version: 1\n" + ladder + "jurisdictions:\n  RU:\n    route: refuse\n", "jurisdictions.RU.reason: is required"},
		{"bad accept", "version: 1\n" + ladder + "jurisdictions:\n  CH:\n    accept: [court]\n", "test.yaml:5: jurisdictions.CH.accept[0]: unknown legal process \"court\""},
		{"pause without since", "version: 1\n" + ladder + "jurisdictions:\n  HK:\n    pauses:\n      - reason: x\n", "jurisdictions.HK.pauses[0].since: is required"},
		{"pause bad date", "version: 1\n" + ladder + "jurisdictions:\n  HK:\n    pauses:\n      - since: 1 July 2020\n        reason: x\n", "test.yaml:6: jurisdictions.HK.pauses[0].since: want a date"},
		{"bad outcome", "version: 1\n" + ladder + "rules:\n  - id: a\n    when: 'true'\n    outcome: deny\n    reason: x\n", "test.yaml:6: rules[0].outcome: unknown outcome \"deny\""},
		{"bad CEL", "version: 1\n" + ladder + "rules:\n  - id: a\n    when: 'request.kindd == \"x\"'\n    outcome: review\n    reason: x\n", "test.yaml:5: rules[0].when: does not compile"},
		{"CEL not bool", "version: 1\n" + ladder + "rules:\n  - id: a\n    when: 'request.target_count'\n    outcome: review\n    reason: x\n", "test.yaml:5: rules[0].when: is of type int"},
		{"duplicate id", "version: 1\n" + ladder + "rules:\n  - {id: a, when: 'true', outcome: review, reason: x}\n  - {id: a, when: 'false', outcome: review, reason: y}\n", "test.yaml:5: rules[1].id: id \"a\" is used by another rule"},
		{"empty reason", "version: 1\n" + ladder + "rules:\n  - {id: a, when: 'true', outcome: review, reason: ''}\n", "test.yaml:4: rules[0].reason: is empty"},
		{"missing reason", "version: 1\n" + ladder + "rules:\n  - {id: a, when: 'true', outcome: review}\n", "rules[0].reason: is required"},
		{"key twice", "version: 1\nversion: 1\n" + ladder, "test.yaml:2: version: given twice"},
		{"bad limit", "version: 1\n" + ladder + "overbreadth:\n  max_targets: lots\n", "test.yaml:4: overbreadth.max_targets: want a whole number"},
		{"offence twice", "version: 1\n" + ladder + "human_rights:\n  offences: [sedition, Sedition]\n", "test.yaml:4: human_rights.offences[1]: \"Sedition\" is listed twice"},
	} {
		_, err := Parse("test.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("%s: got %v, want an Invalid error containing %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DefaultYAML)
	realistic, err := os.ReadFile("testdata/realistic.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(realistic)
	f.Add([]byte("version: 1\nname: &n x\nladder: *n\n"))
	f.Add([]byte("version: 1\nrules:\n  - {id: a, when: '[[[[]]]].size() > 1', outcome: narrow, reason: x}\n"))
	f.Add([]byte("version: 1\nladder: {subscriber: subpoena}\n"))
	f.Add([]byte("version: 1\nrules:\n  - {id: a, when: 'request.target_count > 1', outcome: narrow, reason: x}\n"))
	samples := []*dueprocess.Request{
		req{}.build(),
		req{juris: "HK", offence: "subversion", received: "2020-08-03", targets: 40, rangeDays: 500}.build(),
		req{kind: dueprocess.KindEmergency, process: dueprocess.ProcessEmergency, categories: []dueprocess.DataCategory{"content"}}.build(),
		req{kind: dueprocess.KindContentRestriction, juris: "US-CA", process: dueprocess.ProcessMLAT}.build(),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// No input within the limits may take long: a second is a
		// thousand times what a real policy takes.
		start := time.Now()
		p, err := Parse("fuzz.yaml", data)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(data), d)
		}
		if err != nil {
			if dueprocess.ErrorKind(err) != dueprocess.Invalid || !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error not Invalid with a line: %v", err)
			}
			return
		}
		for _, r := range samples {
			d := Evaluate(r, p, []dueprocess.Pause{nsl})
			if d.Outcome.Severity() == 0 || len(d.Reasons) == 0 || !bytes.HasPrefix([]byte(d.Policy), []byte("sha256:")) {
				t.Fatalf("decision %+v", d)
			}
		}
	})
}

// The limits on a policy file. Each input here was accepted, or refused
// only after seconds of work or for an unrelated reason, before the limits
// existed; each error names the line where the limit is passed.
func TestParseLimits(t *testing.T) {
	valid := string(DefaultYAML)
	rule := func(id, when string) string {
		return "  - id: " + id + "\n    when: '" + when + "'\n    outcome: review\n    reason: x\n"
	}
	var rules strings.Builder
	for i := range maxRules + 1 {
		rules.WriteString(rule(fmt.Sprintf("r%d", i), "true"))
	}
	for _, tc := range []struct{ name, yaml, want string }{
		// A valid policy padded with a comment past 1 MiB: line 2 is the
		// comment, in which the limit falls.
		{"file size", valid + "\n# " + strings.Repeat("x", maxFileSize) + "\n", fmt.Sprintf("test.yaml:%d: the file is", strings.Count(valid, "\n")+2)},
		{"nesting", "version: 1\nname: " + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + "\n", "test.yaml:2: the file nests more than 32 levels deep"},
		{"alias", "version: 1\nname: &n x\nladder: *n\n", "test.yaml:2: anchors and aliases (& and *) are not allowed"},
		{"alias bomb", "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "test.yaml:2: anchors and aliases"},
		{"rule count", strings.Replace(valid, "rules:\n", "rules:\n"+rules.String(), 1), "rules[250]: is one rule too many; a policy may have at most 250"},
		{"condition length", strings.Replace(valid, "rules:\n", "rules:\n"+rule("long", strings.Repeat("true && ", maxWhen/8)+"true"), 1), "rules[0].when: is 4100 bytes long; a condition may have at most 4096"},
		// 200 nested lists took 1.7 s to type-check: the checker's work
		// grows with the cube of the depth.
		{"condition depth", strings.Replace(valid, "rules:\n", "rules:\n"+rule("deep", strings.Repeat("[", 200)+strings.Repeat("]", 200)+".size() > 1"), 1), "rules[0].when: does not compile: ERROR: <input>:-1:0: expression recursion limit exceeded: 24"},
	} {
		start := time.Now()
		_, err := Parse("test.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("%s: got %v, want an Invalid error containing %q", tc.name, err, tc.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", tc.name, d)
		}
	}
}

// TestParseAtTheLimits checks that the limits leave room: a policy just
// inside every one of them is accepted.
func TestParseAtTheLimits(t *testing.T) {
	var rules strings.Builder
	for i := range maxRules {
		fmt.Fprintf(&rules, "  - {id: r%d, when: 'request.target_count > %d', outcome: review, reason: x}\n", i, i)
	}
	rules.WriteString("  - {id: long, when: '" + strings.Repeat("true && ", (maxWhen-4)/8) + "true', outcome: review, reason: x}\n")
	rules.WriteString("  - {id: deep, when: '" + strings.Repeat("[", 10) + strings.Repeat("]", 10) + ".size() == 1', outcome: review, reason: x}\n")
	src := strings.Replace(string(DefaultYAML), "rules:\n", "rules:\n"+rules.String(), 1)
	if _, err := Parse("test.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "too many") {
		t.Fatalf("want the rule count refused once over, got %v", err)
	}
	// maxRules rules in all, counting the default's own.
	var fewer strings.Builder
	own := strings.Count(string(DefaultYAML), "- id:")
	for i := range maxRules - own - 2 {
		fmt.Fprintf(&fewer, "  - {id: r%d, when: 'request.target_count > %d', outcome: review, reason: x}\n", i, i)
	}
	fewer.WriteString("  - {id: long, when: '" + strings.Repeat("true && ", (maxWhen-4)/8) + "true', outcome: review, reason: x}\n")
	fewer.WriteString("  - {id: deep, when: '" + strings.Repeat("[", 10) + strings.Repeat("]", 10) + ".size() == 1', outcome: review, reason: x}\n")
	src = strings.Replace(string(DefaultYAML), "rules:\n", "rules:\n"+fewer.String(), 1)
	p, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.rules) != maxRules {
		t.Fatalf("%d rules, want %d", len(p.rules), maxRules)
	}
}

func TestContentDefaults(t *testing.T) {
	p := Default()
	r := req{juris: "HK", kind: dueprocess.KindContentRestriction, received: "2020-08-03"}.build()
	r.Reason = dueprocess.ReasonNationalSecurity
	d := Evaluate(r, p, nil)
	if d.Outcome != dueprocess.OutcomeEscalate || hasRule(d, "content.escalate") == nil {
		t.Errorf("a national-security content demand: %s %+v", d.Outcome, d.Reasons)
	}
	r.Reason = dueprocess.ReasonGovernmentCriticism
	if d := Evaluate(r, p, nil); hasRule(d, "content.escalate") != nil {
		t.Errorf("a criticism demand escalated: %+v", d.Reasons)
	}
	err := p.ItemAction(r, dueprocess.ItemRestrict)
	if dueprocess.ErrorKind(err) != dueprocess.Conflict || !strings.Contains(err.Error(), "content.never_restrict") {
		t.Errorf("restricting criticism: %v", err)
	}
	if err := p.ItemAction(r, dueprocess.ItemNoAction); err != nil {
		t.Errorf("no action on criticism: %v", err)
	}
	r.Reason = "defamation"
	if err := p.ItemAction(r, dueprocess.ItemRemoveUnderPolicy); err != nil {
		t.Errorf("removing defamation: %v", err)
	}
	if _, err := Parse("bad.yaml", []byte(strings.Replace(string(DefaultYAML), "never_restrict: [government_criticism]", "never_restrict: [criticism]", 1))); err == nil || !strings.Contains(err.Error(), "content.never_restrict") {
		t.Errorf("an unknown reason: %v", err)
	}
}
