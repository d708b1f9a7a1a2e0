package policy

import (
	"slices"

	"github.com/dueprocess/dueprocess"
	"go.yaml.in/yaml/v3"
)

// The content section of a policy file: defaults for content-restriction
// demands, judged by the demand's reason (docs/content.md).
//
//	content:
//	  never_restrict: [government_criticism]
//	  escalate: [national_security]

// content reads the content section.
func (d *decoder) content(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"never_restrict", "escalate"}, func(key string, v *yaml.Node, path string) error {
		reasons, err := enums(d, v, path, "reason", dueprocess.RemovalReasons)
		if key == "never_restrict" {
			p.neverRestrict = reasons
		} else {
			p.escalateContent = reasons
		}
		return err
	})
}

// contentRules escalates a content demand whose reason the policy lists
// under content.escalate.
func (e *decision) contentRules(r *dueprocess.Request, p *Policy) {
	if r.Kind == dueprocess.KindContentRestriction && slices.Contains(p.escalateContent, r.Reason) {
		e.add(dueprocess.OutcomeEscalate, "content.escalate", "Content demands on grounds of %s are often used against speech; "+
			"the human-rights officer must assess the demand before its items are reviewed.", r.Reason.Label())
	}
}

// ItemAction says whether action may be taken on items of content demand
// r: nil, or a Conflict naming the rule that refuses it. Items of a demand
// whose reason is listed under content.never_restrict are never
// restricted or removed for it.
func (p *Policy) ItemAction(r *dueprocess.Request, action dueprocess.ItemAction) error {
	if action.Restricts() && slices.Contains(p.neverRestrict, r.Reason) {
		return &dueprocess.Error{Kind: dueprocess.Conflict, Field: "action", Message: "rule content.never_restrict: items of a demand on grounds of " +
			r.Reason.Label() + " are never restricted or removed; allowed: no_action, content_not_found, already_removed, not_enough_information"}
	}
	return nil
}
