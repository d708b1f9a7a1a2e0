// Package export writes a content demand in the layouts others read: each
// restriction as a statement of reasons for the EU's DSA Transparency
// Database, and the demand as a notice for the Lumen database. It is pure:
// it takes the stored request and returns values to encode as JSON.
package export

import (
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Statement is one statement of reasons in the field names of the DSA
// Transparency Database's API (POST /api/v1/statement). Only the fields we
// can fill are set; see docs/content.md for the mapping.
type Statement struct {
	DecisionVisibility             []string `json:"decision_visibility"`
	DecisionGround                 string   `json:"decision_ground"`
	IllegalContentLegalGround      string   `json:"illegal_content_legal_ground,omitempty"`
	IllegalContentExplanation      string   `json:"illegal_content_explanation,omitempty"`
	IncompatibleContentGround      string   `json:"incompatible_content_ground,omitempty"`
	IncompatibleContentExplanation string   `json:"incompatible_content_explanation,omitempty"`
	TerritorialScope               []string `json:"territorial_scope"`
	SourceType                     string   `json:"source_type"`
	SourceIdentity                 string   `json:"source_identity,omitempty"`
	ContentType                    []string `json:"content_type"`
	ContentTypeOther               string   `json:"content_type_other,omitempty"`
	Category                       string   `json:"category"`
	DecisionFacts                  string   `json:"decision_facts"`
	AutomatedDetection             string   `json:"automated_detection"`
	AutomatedDecision              string   `json:"automated_decision"`
	ApplicationDate                string   `json:"application_date"`
	PUID                           string   `json:"puid"`
}

// Values of the Transparency Database's API that the statements use.
const (
	VisibilityRemoved  = "DECISION_VISIBILITY_CONTENT_REMOVED"
	VisibilityDisabled = "DECISION_VISIBILITY_CONTENT_DISABLED"
	GroundIllegal      = "DECISION_GROUND_ILLEGAL_CONTENT"
	GroundIncompatible = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
	SourceOther        = "SOURCE_TYPE_OTHER_NOTIFICATION"
	ContentTypeOther   = "CONTENT_TYPE_OTHER"
	NotAutomated       = "AUTOMATED_DECISION_NOT_AUTOMATED"
)

// Statements returns a statement of reasons for each item of r whose
// action in effect restricts it (restrict_in_jurisdiction: access disabled
// in the requesting country, on the ground of illegal content;
// remove_globally_under_policy: removed, as incompatible with our terms).
// Items left as they are restrict nothing, and have no statement.
func Statements(r *dueprocess.Request) []Statement {
	out := []Statement{}
	for _, it := range r.Items {
		if !it.Action.Restricts() {
			continue
		}
		s := Statement{
			SourceType: SourceOther, SourceIdentity: r.LegalProcess.IssuedBy,
			ContentType: []string{ContentTypeOther}, ContentTypeOther: contentType(it),
			Category: r.Reason.DSACategory(),
			DecisionFacts: fmt.Sprintf("Item %d of a %s (%s %s, reference %s) asking to restrict it on the ground of %s.",
				it.Index, r.RequesterType.Label(), r.LegalProcess.Type, r.LegalProcess.IssuedBy, r.LegalProcess.Reference, it.Ground),
			AutomatedDetection: "No", AutomatedDecision: NotAutomated,
			PUID: fmt.Sprintf("%s-item-%d", r.ID, it.Index),
		}
		if it.ActedAt != nil {
			s.ApplicationDate = it.ActedAt.UTC().Format(time.DateOnly)
		}
		switch it.Action {
		case dueprocess.ItemRestrict:
			s.DecisionVisibility = []string{VisibilityDisabled}
			s.DecisionGround = GroundIllegal
			s.IllegalContentLegalGround = it.Ground
			s.IllegalContentExplanation = it.Reason
			s.TerritorialScope = []string{}
			switch {
			case r.DSAOrder != nil: // an Art. 9 order says where it applies
				s.TerritorialScope = r.DSAOrder.TerritorialScope
				s.IllegalContentLegalGround = r.DSAOrder.LegalBasis
			case dueprocess.InEEA(r.Jurisdiction):
				s.TerritorialScope = []string{dueprocess.Country(r.Jurisdiction)}
			}
		case dueprocess.ItemRemoveUnderPolicy:
			s.DecisionVisibility = []string{VisibilityRemoved}
			s.DecisionGround = GroundIncompatible
			s.IncompatibleContentGround = "the service's terms of service"
			s.IncompatibleContentExplanation = it.Reason
			s.TerritorialScope = dueprocess.EEAStates
		}
		out = append(out, s)
	}
	return out
}

// contentType names what the item is, for content_type_other: the
// Transparency Database's own types (text, video, image…) cannot be told
// from a URL or an id.
func contentType(it dueprocess.Item) string {
	if it.URL != "" {
		return "content at a URL"
	}
	return "content with a platform id"
}
