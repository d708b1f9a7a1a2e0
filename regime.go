package dueprocess

import (
	"slices"
	"time"
)

// The legal regimes beyond domestic process and the MLAT route. Each is a
// legal process type with fields of its own (see docs/regimes.md).
const (
	// ProcessEPOC is a European Production Order Certificate (Regulation
	// (EU) 2023/1543, Annex I), in force since 18 August 2026.
	ProcessEPOC LegalProcessType = "epoc"
	// ProcessEPOCPR is a European Preservation Order Certificate (Annex
	// II): it only freezes data, so its request is of kind preservation.
	ProcessEPOCPR LegalProcessType = "epoc_pr"
	// ProcessDSAOrder is an order to provide information under Article 10
	// of the Digital Services Act (Regulation (EU) 2022/2065).
	ProcessDSAOrder LegalProcessType = "dsa_information_order"
	// ProcessUKDAA is an order of a UK designated authority under the
	// UK–US Data Access Agreement (2019, in force October 2022), which may
	// never be about a US person or a person in the United States.
	ProcessUKDAA LegalProcessType = "uk_daa_order"
)

// EUOrder reports whether t is an order under EU law served directly on
// the provider: the e-Evidence orders and DSA information orders.
func (t LegalProcessType) EUOrder() bool {
	return t == ProcessEPOC || t == ProcessEPOCPR || t == ProcessDSAOrder
}

// EEvidence reports whether t is an order of the e-Evidence Regulation.
func (t LegalProcessType) EEvidence() bool { return t == ProcessEPOC || t == ProcessEPOCPR }

// AuthorityType is the kind of authority that issues or validates an
// e-Evidence order (Regulation (EU) 2023/1543, Article 4).
type AuthorityType string

const (
	AuthorityJudge              AuthorityType = "judge"
	AuthorityCourt              AuthorityType = "court"
	AuthorityInvestigatingJudge AuthorityType = "investigating_judge"
	AuthorityProsecutor         AuthorityType = "prosecutor"
	AuthorityOther              AuthorityType = "other" // another competent authority; needs validation
)

// AuthorityTypes lists every issuing authority type.
var AuthorityTypes = []AuthorityType{AuthorityJudge, AuthorityCourt, AuthorityInvestigatingJudge, AuthorityProsecutor, AuthorityOther}

// ValidatorTypes lists the authorities that may validate an order issued
// by another (Article 4(1)(b) and 4(2)(b)): never "other".
var ValidatorTypes = []AuthorityType{AuthorityJudge, AuthorityCourt, AuthorityInvestigatingJudge, AuthorityProsecutor}

// Judicial reports whether a is a judge, a court or an investigating judge.
func (a AuthorityType) Judicial() bool {
	return a == AuthorityJudge || a == AuthorityCourt || a == AuthorityInvestigatingJudge
}

// EUMembers lists the member states of the European Union by their ISO
// 3166-1 codes (Greece is GR, though the EU writes EL).
var EUMembers = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// EEvidenceStates lists the member states bound by the e-Evidence
// Regulation: every member but Denmark, which does not take part in it
// (recital 94 of Regulation (EU) 2023/1543).
var EEvidenceStates = slices.DeleteFunc(slices.Clone(EUMembers), func(c string) bool { return c == "DK" })

// Validation is the validation of an order by a judge, court,
// investigating judge or prosecutor, when another authority issued it.
type Validation struct {
	Name      string        `json:"name"`
	Type      AuthorityType `json:"type"`
	Reference string        `json:"reference,omitempty"`
}

// EnforcingAuthority is the authority of the member state where the
// provider's legal representative sits, which the issuing authority
// notifies of orders for traffic or content data (Article 8).
type EnforcingAuthority struct {
	State    string `json:"state"`
	Name     string `json:"name"`
	Notified bool   `json:"notified"`
}

// DAACertification is a UK designated authority's certification that the
// order's targets are not US persons and not in the United States (UK–US
// Data Access Agreement, Articles 4(3) and 4(4)).
type DAACertification struct {
	NotUSPerson bool   `json:"not_us_person"`
	NotInUS     bool   `json:"not_in_us"`
	CertifiedBy string `json:"certified_by,omitempty"`
	Reference   string `json:"reference,omitempty"`
}

// RegimeFields are the fields of a legal process that only some regimes
// carry; each regime's set is in docs/regimes.md. Empty for domestic
// process and MLAT requests.
type RegimeFields struct {
	// e-Evidence (epoc, epoc_pr); IssuingState also for DSA orders.
	IssuingState         string              `json:"issuing_state,omitempty"`
	IssuingAuthorityType AuthorityType       `json:"issuing_authority_type,omitempty"`
	ValidatedBy          *Validation         `json:"validated_by,omitempty"`
	EnforcingAuthority   *EnforcingAuthority `json:"enforcing_authority,omitempty"`
	// DSA Article 10 orders.
	LegalBasis string `json:"legal_basis,omitempty"`
	Reasons    string `json:"reasons,omitempty"`
	Redress    string `json:"redress,omitempty"`
	AnswerTo   string `json:"answer_to,omitempty"`
	// UK–US Data Access Agreement orders.
	DesignatedAuthority string            `json:"designated_authority,omitempty"`
	Certification       *DAACertification `json:"certification,omitempty"`
}

// Empty reports whether f carries no field.
func (f *RegimeFields) Empty() bool {
	return f.IssuingState == "" && f.IssuingAuthorityType == "" && f.ValidatedBy == nil && f.EnforcingAuthority == nil &&
		f.LegalBasis == "" && f.Reasons == "" && f.Redress == "" && f.AnswerTo == "" &&
		f.DesignatedAuthority == "" && f.Certification == nil
}

// JudicialOrder reports whether a judge, court or investigating judge
// issued or validated the order.
func (f *RegimeFields) JudicialOrder() bool {
	return f.IssuingAuthorityType.Judicial() || (f.ValidatedBy != nil && f.ValidatedBy.Type.Judicial())
}

// EUCategory is a category of data as the e-Evidence Regulation names them
// (Article 3(9) to 3(12)).
type EUCategory string

const (
	EUSubscriber     EUCategory = "subscriber"     // subscriber data, Art. 3(9)
	EUIdentification EUCategory = "identification" // data requested only to identify the user, Art. 3(10)
	EUTraffic        EUCategory = "traffic"        // traffic data, Art. 3(11)
	EUContent        EUCategory = "content"        // content data, Art. 3(12)
)

// EUCategories lists the Regulation's categories, least sensitive first.
var EUCategories = []EUCategory{EUSubscriber, EUIdentification, EUTraffic, EUContent}

// EUCategoryOf maps one of our categories onto the Regulation's: ip_logs
// asked for only to identify the user (IdentificationOnly) is
// identification data; ip_logs otherwise, metadata and location are
// traffic data.
func EUCategoryOf(c DataCategory, identificationOnly bool) EUCategory {
	switch c {
	case CategorySubscriber:
		return EUSubscriber
	case CategoryIPLogs:
		if identificationOnly {
			return EUIdentification
		}
		return EUTraffic
	case CategoryContent:
		return EUContent
	}
	return EUTraffic
}

// Extraterritorial reports whether r is about a user whose home country,
// as the platform knows it, is outside the requesting jurisdiction's
// country, and returns the first such target's index.
func (r *Request) Extraterritorial() (int, bool) {
	country := Country(r.Jurisdiction)
	for i, t := range r.Targets {
		if t.Country != "" && t.Country != country {
			return i, true
		}
	}
	return -1, false
}

// RegimeRequest is one request that the report's regimes section counts:
// one of a legal regime (an EU order or a UK DAA order), or an
// extraterritorial one. AnsweredAt is zero while it is unanswered.
type RegimeRequest struct {
	Jurisdiction     string // the requesting country
	Process          LegalProcessType
	Extraterritorial bool
	ReceivedAt       time.Time
	AnsweredAt       time.Time
}

// The e-Evidence Regulation's clocks (Articles 10, 11 and 4(5)).
const (
	EPOCDue             = 10 * 24 * time.Hour // production, from receipt
	EPOCEmergencyDue    = 8 * time.Hour       // production in an emergency
	EnforcingWait       = 10 * 24 * time.Hour // a notified enforcing authority's time to raise a ground for refusal, from receipt
	EnforcingObjection  = 96 * time.Hour      // its time to object after an emergency disclosure
	EmergencyValidation = 48 * time.Hour      // validation of an emergency order issued without it
)

// EPOCPRHoldTerms are a European Preservation Order's: the data are kept
// 60 days, and 30 more once, on the issuing authority's request (Article
// 11(1)). They are the law's, not a policy's choice.
var EPOCPRHoldTerms = HoldTerms{Days: 60, ExtensionDays: 30}

// AwaitsEnforcingAuthority reports whether releasing r's data waits on
// an enforcing authority: r is an EPOC whose issuing authority notified
// one (Article 8) and it asks for traffic or content data. Then the data
// may go only once EnforcingWait has passed since receipt without a
// ground for refusal raised (Article 10(2)); in an emergency they go at
// once, and the authority has EnforcingObjection after the disclosure to
// object (Article 10(4)). A recorded objection stops the release.
func (r *Request) AwaitsEnforcingAuthority() bool {
	f := &r.LegalProcess.RegimeFields
	if r.LegalProcess.Type != ProcessEPOC || f.EnforcingAuthority == nil || !f.EnforcingAuthority.Notified {
		return false
	}
	for _, c := range r.DataCategories {
		if eu := EUCategoryOf(c, r.IdentificationOnly); eu == EUTraffic || eu == EUContent {
			return true
		}
	}
	return false
}
