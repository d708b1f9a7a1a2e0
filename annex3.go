package dueprocess

import (
	"fmt"
	"slices"
	"time"
)

// CannotComplyKind says what an Annex III answer to an e-Evidence order
// is: that the order cannot be executed, or a request for clarification.
type CannotComplyKind string

const (
	AnswerCannotComply  CannotComplyKind = "cannot_comply"
	AnswerClarification CannotComplyKind = "clarification"
)

// CannotComplyKinds lists both kinds.
var CannotComplyKinds = []CannotComplyKind{AnswerCannotComply, AnswerClarification}

// Ground is a reason, listed in Annex III of Regulation (EU) 2023/1543,
// why a provider cannot execute an EPOC or EPOC-PR.
type Ground string

const (
	GroundIncomplete           Ground = "incomplete"               // the certificate is incomplete
	GroundManifestErrors       Ground = "manifest_errors"          // it contains manifest errors
	GroundInsufficientInfo     Ground = "insufficient_information" // it does not contain enough information to execute it
	GroundNotStored            Ground = "data_not_stored"          // the data were not stored when the order was received
	GroundDeFactoImpossible    Ground = "de_facto_impossible"      // impossible for reasons not attributable to the provider
	GroundNotCompetent         Ground = "not_competent_authority"  // not issued or validated by a competent authority
	GroundThirdCountryConflict Ground = "third_country_conflict"   // conflicting obligations under a third country's law (Article 17)
)

// Grounds lists every Annex III ground, in the form's order.
var Grounds = []Ground{GroundIncomplete, GroundManifestErrors, GroundInsufficientInfo, GroundNotStored,
	GroundDeFactoImpossible, GroundNotCompetent, GroundThirdCountryConflict}

// GroundText is each ground as the printable form words it.
var GroundText = map[Ground]string{
	GroundIncomplete:           "the EPOC/EPOC-PR is incomplete",
	GroundManifestErrors:       "the EPOC/EPOC-PR contains manifest errors",
	GroundInsufficientInfo:     "the EPOC/EPOC-PR does not contain sufficient information to execute it",
	GroundNotStored:            "the data requested were not stored at the time the order was received",
	GroundDeFactoImpossible:    "it is de facto impossible to execute, for reasons not attributable to the provider",
	GroundNotCompetent:         "the order was not issued or validated by an issuing or validating authority",
	GroundThirdCountryConflict: "executing it would conflict with the applicable law of a third country (Article 17)",
}

// ThirdCountryConflict explains a conflict with a third country's law:
// the country, the law, and why executing the order would break it.
type ThirdCountryConflict struct {
	Country     string `json:"country"`
	Law         string `json:"law"`
	Explanation string `json:"explanation"`
}

// Preserved says what the provider preserved meanwhile, pending the
// answer: the categories, until when, and a note.
type Preserved struct {
	Categories []DataCategory `json:"categories"`
	Until      Date           `json:"until"`
	Note       string         `json:"note,omitempty"`
}

// CannotComply is an answer to an e-Evidence order in the form of Annex
// III: that it cannot be executed, on which grounds, or what needs to be
// clarified, and what was preserved meanwhile.
type CannotComply struct {
	RequestID     string                `json:"request_id"`
	Seq           int64                 `json:"seq"`
	Kind          CannotComplyKind      `json:"kind"`
	Grounds       []Ground              `json:"grounds"`
	ThirdCountry  *ThirdCountryConflict `json:"third_country,omitempty"`
	Explanation   string                `json:"explanation,omitempty"`
	Clarification string                `json:"clarification,omitempty"`
	Preserved     *Preserved            `json:"preserved,omitempty"`
	At            time.Time             `json:"at"`
	By            Actor                 `json:"by"`
}

// NewCannotComply is an Annex III answer as staff submit it.
type NewCannotComply struct {
	Kind         string   `json:"kind"`
	Grounds      []string `json:"grounds"`
	ThirdCountry *struct {
		Country     string `json:"country"`
		Law         string `json:"law"`
		Explanation string `json:"explanation"`
	} `json:"third_country"`
	Explanation   string `json:"explanation"`
	Clarification string `json:"clarification"`
	Preserved     *struct {
		Categories []string `json:"categories"`
		Until      string   `json:"until"`
		Note       string   `json:"note"`
	} `json:"preserved"`
}

// Check validates n, naming the field of the first fault, and returns the
// answer it describes, without request, number, time or author.
func (n *NewCannotComply) Check() (*CannotComply, error) {
	c := &CannotComply{Grounds: []Ground{}}
	var err error
	if c.Kind, err = oneOf("kind", n.Kind, CannotComplyKinds); err != nil {
		return nil, err
	}
	for i, g := range n.Grounds {
		field := fmt.Sprintf("grounds[%d]", i)
		x, err := oneOf(field, g, Grounds)
		if err != nil {
			return nil, err
		}
		if slices.Contains(c.Grounds, x) {
			return nil, FieldError(field, "%q is listed twice", g)
		}
		c.Grounds = append(c.Grounds, x)
	}
	if c.Kind == AnswerCannotComply && len(c.Grounds) == 0 {
		return nil, FieldError("grounds", "at least one Annex III ground is required: %s", list(Grounds))
	}
	if err := n.checkThirdCountry(c); err != nil {
		return nil, err
	}
	if c.Explanation, err = text("explanation", n.Explanation, MaxTextLength, false); err != nil {
		return nil, err
	}
	if c.Clarification, err = text("clarification", n.Clarification, MaxTextLength, c.Kind == AnswerClarification); err != nil {
		return nil, err
	}
	if c.Kind == AnswerCannotComply && c.Clarification != "" {
		return nil, FieldError("clarification", "is for an answer of kind clarification")
	}
	if p := n.Preserved; p != nil {
		c.Preserved = &Preserved{Categories: []DataCategory{}}
		for i, s := range p.Categories {
			cat, err := oneOf(fmt.Sprintf("preserved.categories[%d]", i), s, DataCategories)
			if err != nil {
				return nil, err
			}
			c.Preserved.Categories = append(c.Preserved.Categories, cat)
		}
		if len(c.Preserved.Categories) == 0 {
			return nil, FieldError("preserved.categories", "name the data categories preserved, or leave preserved out")
		}
		if c.Preserved.Until, err = date("preserved.until", p.Until, false); err != nil {
			return nil, err
		}
		if c.Preserved.Note, err = text("preserved.note", p.Note, MaxTextLength, false); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkThirdCountry checks the explanation that the third-country ground
// needs, and refuses one given without that ground.
func (n *NewCannotComply) checkThirdCountry(c *CannotComply) error {
	t := n.ThirdCountry
	ground := slices.Contains(c.Grounds, GroundThirdCountryConflict)
	switch {
	case t == nil && ground:
		return FieldError("third_country", "is required with the ground third_country_conflict: the country, its law and why executing the order would break it")
	case t == nil:
		return nil
	case !ground:
		return FieldError("third_country", "is only for the ground third_country_conflict")
	}
	var err error
	c.ThirdCountry = &ThirdCountryConflict{}
	if c.ThirdCountry.Country, err = homeCountry("third_country.country", t.Country); err != nil {
		return err
	}
	if c.ThirdCountry.Country == "" {
		return FieldError("third_country.country", "is required (an ISO 3166-1 alpha-2 code outside the EU, such as \"US\")")
	}
	if slices.Contains(EUMembers, c.ThirdCountry.Country) {
		return FieldError("third_country.country", "%s is a member state of the EU, not a third country", c.ThirdCountry.Country)
	}
	if c.ThirdCountry.Law, err = text("third_country.law", t.Law, MaxShortLength, true); err != nil {
		return err
	}
	c.ThirdCountry.Explanation, err = text("third_country.explanation", t.Explanation, MaxTextLength, true)
	return err
}
