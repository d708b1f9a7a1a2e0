package policy

import (
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
)

// epoc is a German production order for cats, issued by a prosecutor and
// validated by validator (none for "").
func epoc(validator dueprocess.AuthorityType, identificationOnly bool, cats ...dueprocess.DataCategory) *dueprocess.Request {
	r := req{juris: "DE", process: dueprocess.ProcessEPOC, categories: cats}.build()
	r.LegalProcess.IssuingState, r.LegalProcess.IssuingAuthorityType = "DE", dueprocess.AuthorityProsecutor
	if validator != "" {
		r.LegalProcess.ValidatedBy = &dueprocess.Validation{Name: "Amtsgericht Tiergarten", Type: validator}
	}
	r.IdentificationOnly = identificationOnly
	return r
}

func TestProsecutorsEPOCForTrafficDataIsRefused(t *testing.T) {
	d := Evaluate(epoc("", false, dueprocess.CategorySubscriber, dueprocess.CategoryMetadata), Default(), nil)
	if d.Outcome != dueprocess.OutcomeRefuse {
		t.Fatalf("outcome = %s, want refuse: %+v", d.Outcome, d.Reasons)
	}
	reason := hasRule(d, "regime.epoc.traffic")
	if reason == nil || !strings.Contains(reason.Text, "judge, a court or an investigating judge") || !strings.Contains(reason.Text, "prosecutor") {
		t.Errorf("reasons = %+v, want regime.epoc.traffic naming the judicial authorities and the prosecutor", d.Reasons)
	}
	if v := d.Categories[dueprocess.CategoryMetadata]; v.Allowed {
		t.Errorf("metadata verdict = %+v, want denied", v)
	}
}

func TestEPOCValidatedByACourtIsAllowed(t *testing.T) {
	d := Evaluate(epoc(dueprocess.AuthorityCourt, false, dueprocess.CategorySubscriber, dueprocess.CategoryMetadata, dueprocess.CategoryContent), Default(), nil)
	if d.Outcome != dueprocess.OutcomeReview {
		t.Fatalf("outcome = %s, want review: %+v", d.Outcome, d.Reasons)
	}
	for _, c := range []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryMetadata, dueprocess.CategoryContent} {
		if v := d.Categories[c]; !v.Allowed || !strings.HasPrefix(v.Rule, "regime.epoc.") {
			t.Errorf("%s verdict = %+v, want allowed by a regime.epoc rule", c, v)
		}
	}
	// The mapping onto the Regulation's categories is in the reasons.
	m := hasRule(d, "regime.epoc.categories")
	if m == nil || !strings.Contains(m.Text, "metadata as traffic data") || !strings.Contains(m.Text, "content as content data") {
		t.Errorf("reasons = %+v, want the category mapping", d.Reasons)
	}
}

func TestProsecutorMayAskForSubscriberAndIdentificationData(t *testing.T) {
	d := Evaluate(epoc("", true, dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs), Default(), nil)
	if d.Outcome != dueprocess.OutcomeReview || !d.Categories[dueprocess.CategoryIPLogs].Allowed {
		t.Fatalf("decision = %+v, want review with ip_logs allowed", d)
	}
	if m := hasRule(d, "regime.epoc.categories"); m == nil || !strings.Contains(m.Text, "ip_logs as identification data") {
		t.Errorf("reasons = %+v, want ip_logs mapped to identification data", d.Reasons)
	}
	// Without identification_only, ip_logs are traffic data.
	if d := Evaluate(epoc("", false, dueprocess.CategoryIPLogs), Default(), nil); d.Outcome != dueprocess.OutcomeRefuse {
		t.Errorf("ip_logs as traffic data from a prosecutor: outcome %s, want refuse", d.Outcome)
	}
	// A prosecutor's preservation order may reach content (Article 5).
	pr := epoc("", false, dueprocess.CategoryContent)
	pr.Kind, pr.LegalProcess.Type = dueprocess.KindPreservation, dueprocess.ProcessEPOCPR
	if d := Evaluate(pr, Default(), nil); d.Outcome != dueprocess.OutcomeReview {
		t.Errorf("prosecutor's EPOC-PR for content: %+v, want review", d)
	}
}

func TestUKDAAOrderAboutAUSResidentIsRefused(t *testing.T) {
	r := req{juris: "GB", process: dueprocess.ProcessUKDAA, categories: []dueprocess.DataCategory{dueprocess.CategoryContent}, targets: 2}.build()
	r.Targets[1].Country = "US"
	d := Evaluate(r, Default(), nil)
	reason := hasRule(d, "regime.uk_daa_order.home_country")
	if d.Outcome != dueprocess.OutcomeRefuse || reason == nil || !strings.Contains(reason.Text, "targets[1]") || !strings.Contains(reason.Text, "United States") {
		t.Fatalf("decision = %+v, want refused by regime.uk_daa_order.home_country naming targets[1]", d)
	}
	r.Targets[1].Country = "GB"
	if d := Evaluate(r, Default(), nil); d.Outcome != dueprocess.OutcomeReview || !d.Categories[dueprocess.CategoryContent].Allowed {
		t.Errorf("UK DAA order about UK residents: %+v, want review with content allowed", d)
	}
}

func TestHongKongDemandAboutAUserInGermanyEscalates(t *testing.T) {
	r := req{juris: "HK", process: dueprocess.ProcessCourtOrder}.build()
	r.Targets[0].Country = "DE"
	d := Evaluate(r, Default(), nil)
	reason := hasRule(d, "extraterritorial")
	if d.Outcome != dueprocess.OutcomeEscalate || reason == nil || !strings.Contains(reason.Text, "Germany") {
		t.Fatalf("decision = %+v, want escalated by extraterritorial naming Germany", d)
	}
	r.Targets[0].Country = "HK"
	if d := Evaluate(r, Default(), nil); hasRule(d, "extraterritorial") != nil {
		t.Errorf("a demand about a local user: %+v, want no extraterritorial reason", d.Reasons)
	}
}

func TestRegimesAreOverridable(t *testing.T) {
	file := strings.Replace(string(DefaultYAML), "  extraterritorial: escalate", "  extraterritorial: review", 1)
	file = strings.Replace(file, "    traffic: [judge, court, investigating_judge]\n", "    traffic: [judge, court, investigating_judge, prosecutor]\n", 1)
	file = strings.Replace(file, "refuse_home_countries: [US]", "refuse_home_countries: [US, PR]", 1)
	p, err := Parse("override.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if d := Evaluate(epoc("", false, dueprocess.CategoryMetadata), p, nil); d.Outcome != dueprocess.OutcomeReview {
		t.Errorf("prosecutor's traffic EPOC under a policy that allows it: %+v", d)
	}
	r := req{juris: "HK", process: dueprocess.ProcessCourtOrder}.build()
	r.Targets[0].Country = "DE"
	if d := Evaluate(r, p, nil); d.Outcome != dueprocess.OutcomeReview || hasRule(d, "extraterritorial") == nil {
		t.Errorf("extraterritorial as review: %+v", d)
	}
	daa := req{juris: "GB", process: dueprocess.ProcessUKDAA}.build()
	daa.Targets[0].Country = "PR"
	if d := Evaluate(daa, p, nil); d.Outcome != dueprocess.OutcomeRefuse {
		t.Errorf("UK DAA about Puerto Rico under a policy that lists it: %+v", d)
	}
	// A rule may read the regime's fields.
	cel := strings.Replace(string(DefaultYAML), "rules:\n", "rules:\n  - id: eu-abroad\n    when: 'request.issuing_state == \"DE\" && request.validated_by == \"\" && request.extraterritorial == false && request.target_countries == [] && !request.identification_only && request.issuing_authority == \"prosecutor\"'\n    outcome: narrow\n    reason: test\n", 1)
	if p, err = Parse("cel.yaml", []byte(cel)); err != nil {
		t.Fatal(err)
	}
	if d := Evaluate(epoc("", false, dueprocess.CategorySubscriber), p, nil); hasRule(d, "rules.eu-abroad") == nil {
		t.Errorf("CEL rule over the regime fields did not apply: %+v", d.Reasons)
	}
}

func TestRegimesSectionErrorsNameTheLine(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"regimes:\n  epoc:\n    traffic: [police]\n", `unknown authority "police"`},
		{"regimes:\n  epoc:\n    subscriber: [court]\n", "has no entry for identification"},
		{"regimes:\n  epoc:\n    metadata: [court]\n", "unknown e-Evidence data category"},
		{"regimes:\n  uk_daa_order:\n    refuse_home_countries: [USA]\n", "not an ISO 3166-1"},
		{"regimes:\n  extraterritorial: ignore\n", `unknown outcome "ignore"`},
		{"regimes:\n  mlat: {}\n", "unknown key"},
	} {
		file := "version: 1\nladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}\n" + tt.yaml
		_, err := Parse("p.yaml", []byte(file))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: err = %v, want %q with a line", tt.yaml, err, tt.want)
		}
	}
}

func TestEmergencyEPOCAwaitsValidation(t *testing.T) {
	r := epoc("", false, dueprocess.CategorySubscriber, dueprocess.CategoryLocation)
	r.Kind, r.LegalProcess.IssuingAuthorityType = dueprocess.KindEmergency, dueprocess.AuthorityOther
	r.Emergency = &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath, Justification: "a kidnapping under way"}
	d := Evaluate(r, Default(), nil)
	if d.Outcome != dueprocess.OutcomeReview || !d.Categories[dueprocess.CategoryLocation].Allowed {
		t.Fatalf("decision = %+v, want review with location allowed pending validation", d)
	}
	if reason := hasRule(d, "regime.epoc.emergency_validation"); reason == nil || !strings.Contains(reason.Text, "48 hours") {
		t.Errorf("reasons = %+v, want the 48 hours named", d.Reasons)
	}
	// Not an emergency: the same order is refused for traffic data.
	r.Kind, r.Emergency = dueprocess.KindUserData, nil
	if d := Evaluate(r, Default(), nil); d.Outcome != dueprocess.OutcomeRefuse {
		t.Errorf("another authority's unvalidated order: %+v, want refuse", d)
	}
}
