package dueprocess

import (
	"fmt"
	"slices"
	"time"
)

// This file holds orders to act against illegal content under Article 9
// of the EU's Digital Services Act (Regulation (EU) 2022/2065): a content
// demand whose legal process is of type dsa_removal_order carries the
// elements Article 9(2) requires of such an order (docs/content.md). Its
// checks are kept here, apart from intake.go's, on purpose.

// ProcessDSARemovalOrder is an order of a member state's judicial or
// administrative authority to act against illegal content (DSA Art. 9).
const ProcessDSARemovalOrder LegalProcessType = "dsa_removal_order"

// DSAOrder is what an Article 9 order states beside its items (the exact
// location of the content) and its legal process (the issuing authority,
// legal_process.issued_by).
type DSAOrder struct {
	LegalBasis         string   `json:"legal_basis"`          // Art. 9(2)(a)(i): the provision of Union or national law
	StatementOfReasons string   `json:"statement_of_reasons"` // Art. 9(2)(a)(ii): why the content is illegal
	TerritorialScope   []string `json:"territorial_scope"`    // Art. 9(2)(b): the member states it applies in
	Redress            string   `json:"redress"`              // Art. 9(2)(a)(v): redress open to us and to the user
	Inform             string   `json:"inform"`               // Art. 9(1): the authority to inform of the effect given
	// TransmittedAt is when the authority sent the order; the answer to
	// the submission (201) confirms its receipt. Time to confirm receipt,
	// in the Art. 15(1)(a) report, is from TransmittedAt to ReceivedAt.
	TransmittedAt time.Time `json:"transmitted_at"`
}

// NewDSAOrder is an order's elements as submitted.
type NewDSAOrder struct {
	LegalBasis         string   `json:"legal_basis"`
	StatementOfReasons string   `json:"statement_of_reasons"`
	TerritorialScope   []string `json:"territorial_scope"`
	Redress            string   `json:"redress"`
	Inform             string   `json:"inform"`
	TransmittedAt      string   `json:"transmitted_at"`
}

// checkDSAOrder checks an Article 9 order: a content demand from an EU
// member state, every item located by its exact URL, and each element of
// Art. 9(2) given. Other legal process types carry no dsa_order.
func (n *NewRequest) checkDSAOrder(r *Request) error {
	if r.LegalProcess.Type != ProcessDSARemovalOrder {
		if n.DSAOrder != nil {
			return FieldError("dsa_order", "is only for legal_process.type %s", ProcessDSARemovalOrder)
		}
		return nil
	}
	if r.Kind != KindContentRestriction {
		return FieldError("legal_process.type", "an order to act against illegal content (%s) is a content_restriction request", ProcessDSARemovalOrder)
	}
	if !slices.Contains(EUMembers, Country(r.Jurisdiction)) {
		return FieldError("jurisdiction", "an order under DSA Art. 9 comes from an EU member state; %s is not one", r.Jurisdiction)
	}
	for i, it := range r.Items {
		if it.URL == "" {
			return FieldError(fmt.Sprintf("items[%d].url", i), "a DSA order locates the content by its exact URL (Art. 9(2)(a)(iii))")
		}
	}
	in := n.DSAOrder
	if in == nil {
		return FieldError("dsa_order", "is required for legal_process.type %s: legal_basis, statement_of_reasons, territorial_scope, redress and inform", ProcessDSARemovalOrder)
	}
	o := &DSAOrder{}
	var err error
	for _, f := range []struct {
		name, in string
		max      int
		out      *string
	}{
		{"dsa_order.legal_basis", in.LegalBasis, MaxShortLength, &o.LegalBasis},
		{"dsa_order.statement_of_reasons", in.StatementOfReasons, MaxTextLength, &o.StatementOfReasons},
		{"dsa_order.redress", in.Redress, MaxTextLength, &o.Redress},
		{"dsa_order.inform", in.Inform, MaxShortLength, &o.Inform},
	} {
		if *f.out, err = text(f.name, f.in, f.max, true); err != nil {
			return err
		}
	}
	if o.TerritorialScope, err = distinct("dsa_order.territorial_scope", in.TerritorialScope, EUMembers); err != nil {
		return err
	}
	if len(o.TerritorialScope) == 0 {
		return FieldError("dsa_order.territorial_scope", "name the member states the order applies in (Art. 9(2)(b)), such as [\"DE\"]")
	}
	if in.TransmittedAt != "" {
		t, perr := time.Parse(time.RFC3339, in.TransmittedAt)
		if perr != nil {
			return FieldError("dsa_order.transmitted_at", "%q is not a time in RFC 3339 (2026-03-02T09:00:00Z)", in.TransmittedAt)
		}
		o.TransmittedAt = t.UTC()
	}
	r.DSAOrder = o
	return nil
}

// dsaCategories maps each reason of a demand to the category of illegal
// content of the DSA Transparency Database and of the harmonised
// transparency templates (Implementing Regulation (EU) 2024/2835). Reasons with no category of their own (business
// complaints, geographical dispute, other, unspecified) go to the speech
// category, the nearest for a demand about what users said.
var dsaCategories = map[RemovalReason]string{
	"adult_content":                "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
	"obscenity_nudity":             "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
	"bullying_harassment":          "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"defamation":                   "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"hate_speech":                  "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"government_criticism":         "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"religious_offense":            "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"geographical_dispute":         "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"business_complaints":          "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"other":                        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"reason_unspecified":           "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"copyright":                    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
	"trademark":                    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
	"electoral_law":                "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
	"fraud":                        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
	"impersonation":                "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
	"national_security":            "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
	"privacy_and_security":         "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
	"regulated_goods_and_services": "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
	"drug_abuse":                   "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
	"suicide_promotion":            "STATEMENT_CATEGORY_SELF_HARM",
	"violence":                     "STATEMENT_CATEGORY_VIOLENCE",
}

// DSACategory returns the DSA category of illegal content of reason r.
func (r RemovalReason) DSACategory() string {
	if c, ok := dsaCategories[r]; ok {
		return c
	}
	return dsaCategories["other"]
}

// DSAOrderCount is one Art. 9 order as the Art. 15(1)(a) report counts
// it: where it came from, its type of illegal content (by its reason),
// and its times. EffectAt is nil until every item has an action in
// effect.
type DSAOrderCount struct {
	RequestID     string
	MemberState   string
	Reason        RemovalReason
	TransmittedAt time.Time
	ReceivedAt    time.Time
	EffectAt      *time.Time
}
