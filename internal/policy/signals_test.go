package policy

import (
	"testing"

	"github.com/dueprocess/dueprocess"
)

// TestRulesReadSignals checks that a policy rule can refuse or escalate
// on the signals computed at intake, and on the channel.
func TestRulesReadSignals(t *testing.T) {
	p := mustParse(t, `version: 1
ladder: {subscriber: subpoena, ip_logs: court_order, metadata: court_order, location: search_warrant, content: search_warrant}
rules:
  - id: lookalike-domain
    when: '"domain_lookalike" in request.signals'
    outcome: refuse
    reason: The sender's domain imitates one of the agency's.
  - id: paper-emergency
    when: 'request.kind == "emergency" && request.channel != "api"'
    outcome: escalate
    reason: An emergency on paper.
`)
	forged := req{kind: dueprocess.KindUserData}.build()
	forged.Signals = []dueprocess.Signal{{Code: dueprocess.SignalDomainLookalike, Text: "x"}}
	if d := Evaluate(forged, p, nil); d.Outcome != dueprocess.OutcomeRefuse || hasRule(d, "rules.lookalike-domain") == nil {
		t.Errorf("look-alike domain: outcome %s, reasons %+v; want refused by rules.lookalike-domain", d.Outcome, d.Reasons)
	}
	clean := req{kind: dueprocess.KindUserData}.build()
	if d := Evaluate(clean, p, nil); hasRule(d, "rules.lookalike-domain") != nil {
		t.Errorf("no signals: the rule spoke: %+v", d.Reasons)
	}
	fax := req{kind: dueprocess.KindUserData}.build()
	fax.Channel = dueprocess.ChannelFax
	if d := Evaluate(fax, p, nil); hasRule(d, "rules.paper-emergency") != nil {
		t.Errorf("a user_data fax matched the emergency rule: %+v", d.Reasons)
	}
	faxed := req{kind: dueprocess.KindEmergency}.build()
	faxed.Channel = dueprocess.ChannelFax
	if d := Evaluate(faxed, p, nil); hasRule(d, "rules.paper-emergency") == nil {
		t.Errorf("an emergency by fax: the rule did not speak: %+v", d.Reasons)
	}
}
