package dueprocess

import (
	"slices"
	"strings"
)

// NewLegalProcess is the legal process of a request as submitted. Beside
// the fields every process has, each regime has its own (see
// docs/regimes.md); a field of another regime is refused.
type NewLegalProcess struct {
	Type      string `json:"type"`
	Reference string `json:"reference"`
	IssuedBy  string `json:"issued_by"`
	IssuedOn  string `json:"issued_on"`

	IssuingState         string `json:"issuing_state"`
	IssuingAuthorityType string `json:"issuing_authority_type"`
	ValidatedBy          *struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		Reference string `json:"reference"`
	} `json:"validated_by"`
	EnforcingAuthority *struct {
		State    string `json:"state"`
		Name     string `json:"name"`
		Notified bool   `json:"notified"`
	} `json:"enforcing_authority"`
	LegalBasis          string `json:"legal_basis"`
	Reasons             string `json:"reasons"`
	Redress             string `json:"redress"`
	AnswerTo            string `json:"answer_to"`
	DesignatedAuthority string `json:"designated_authority"`
	Certification       *struct {
		NotUSPerson bool   `json:"not_us_person"`
		NotInUS     bool   `json:"not_in_us"`
		CertifiedBy string `json:"certified_by"`
		Reference   string `json:"reference"`
	} `json:"certification"`
}

// NewTarget is a target as submitted.
type NewTarget struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	Country string `json:"country"`
}

// homeCountry checks a target's home country: an ISO 3166-1 alpha-2
// code, never a subdivision.
func homeCountry(field, value string) (string, error) {
	if value == "" {
		return "", nil
	}
	code := strings.ToUpper(strings.TrimSpace(value))
	if _, ok := Countries[code]; !ok || len(code) != 2 {
		return "", FieldError(field, "%q is not an ISO 3166-1 alpha-2 country code such as \"DE\"", value)
	}
	return code, nil
}

// memberState checks that value is one of states, naming what they are.
func memberState(field, value string, states []string, what string) (string, error) {
	if value == "" {
		return "", FieldError(field, "is required: the %s, such as \"DE\"", what)
	}
	code := strings.ToUpper(strings.TrimSpace(value))
	if !slices.Contains(states, code) {
		return "", FieldError(field, "%q is not a %s; one of %s", value, what, strings.Join(states, ", "))
	}
	return code, nil
}

// checkRegime checks the fields of the request's regime, and refuses the
// fields of every other regime, so that a field sent in error is never
// silently dropped.
func (n *NewRequest) checkRegime(r *Request) error {
	lp := n.LegalProcess
	var err error
	switch r.LegalProcess.Type {
	case ProcessEPOC, ProcessEPOCPR:
		err = n.checkEEvidence(r)
	case ProcessDSAOrder:
		err = n.checkDSA(r)
	case ProcessUKDAA:
		err = n.checkDAA(r)
	}
	if err != nil {
		return err
	}
	if n.IdentificationOnly {
		if !r.LegalProcess.Type.EEvidence() {
			return FieldError("identification_only", "is only for e-Evidence orders (epoc, epoc_pr)")
		}
		if !slices.Contains(r.DataCategories, CategoryIPLogs) {
			return FieldError("identification_only", "says ip_logs are asked for only to identify the user, but ip_logs is not among data_categories")
		}
		r.IdentificationOnly = true
	}
	return unexpectedRegimeField(r.LegalProcess.Type, lp)
}

// unexpectedRegimeField refuses a field that t does not have.
func unexpectedRegimeField(t LegalProcessType, lp *NewLegalProcess) error {
	eevidence, dsa, daa := t.EEvidence(), t == ProcessDSAOrder, t == ProcessUKDAA
	for _, f := range []struct {
		name  string
		given bool
		ok    bool
	}{
		{"issuing_state", lp.IssuingState != "", eevidence || dsa},
		{"issuing_authority_type", lp.IssuingAuthorityType != "", eevidence},
		{"validated_by", lp.ValidatedBy != nil, eevidence},
		{"enforcing_authority", lp.EnforcingAuthority != nil, eevidence},
		{"legal_basis", lp.LegalBasis != "", dsa},
		{"reasons", lp.Reasons != "", dsa},
		{"redress", lp.Redress != "", dsa},
		{"answer_to", lp.AnswerTo != "", dsa},
		{"designated_authority", lp.DesignatedAuthority != "", daa},
		{"certification", lp.Certification != nil, daa},
	} {
		if f.given && !f.ok {
			return FieldError("legal_process."+f.name, "is not a field of legal process type %s (see docs/regimes.md)", t)
		}
	}
	return nil
}

// checkEEvidence checks a European Production or Preservation Order
// Certificate (Regulation (EU) 2023/1543, Annexes I and II).
func (n *NewRequest) checkEEvidence(r *Request) error {
	lp, f := n.LegalProcess, &r.LegalProcess.RegimeFields
	var err error
	switch {
	case r.LegalProcess.Type == ProcessEPOCPR && r.Kind != KindPreservation:
		return FieldError("kind", "an epoc_pr is a preservation order; kind must be preservation")
	case r.LegalProcess.Type == ProcessEPOC && r.Kind != KindUserData && r.Kind != KindEmergency:
		return FieldError("kind", "an epoc is a production order; kind must be user_data or emergency (for a preservation order use epoc_pr)")
	}
	if f.IssuingState, err = memberState("legal_process.issuing_state", lp.IssuingState, EEvidenceStates, "member state bound by the e-Evidence Regulation"); err != nil {
		return err
	}
	if f.IssuingState != Country(r.Jurisdiction) {
		return FieldError("legal_process.issuing_state", "%s is not the request's jurisdiction %s", f.IssuingState, r.Jurisdiction)
	}
	if f.IssuingAuthorityType, err = oneOf("legal_process.issuing_authority_type", lp.IssuingAuthorityType, AuthorityTypes); err != nil {
		return err
	}
	if v := lp.ValidatedBy; v != nil {
		f.ValidatedBy = &Validation{}
		if f.ValidatedBy.Name, err = text("legal_process.validated_by.name", v.Name, MaxShortLength, true); err != nil {
			return err
		}
		if f.ValidatedBy.Type, err = oneOf("legal_process.validated_by.type", v.Type, ValidatorTypes); err != nil {
			return err
		}
		if f.ValidatedBy.Reference, err = identifier("legal_process.validated_by.reference", v.Reference, MaxShortLength, false); err != nil {
			return err
		}
	} else if f.IssuingAuthorityType == AuthorityOther && r.Kind != KindEmergency {
		// Article 4(1)(b) and 4(2)(b): another authority's order is valid
		// only once a judge, court, investigating judge or prosecutor has
		// validated it. In an emergency it may come first, to be
		// validated within 48 hours (Article 4(5)).
		return FieldError("legal_process.validated_by", "is required when the issuing authority is not a judge, court, investigating judge or prosecutor (but for an emergency, validated within 48 hours): "+
			"name, type (judge, court, investigating_judge or prosecutor) and reference of the validating authority")
	}
	if e := lp.EnforcingAuthority; e != nil {
		f.EnforcingAuthority = &EnforcingAuthority{Notified: e.Notified}
		if f.EnforcingAuthority.State, err = memberState("legal_process.enforcing_authority.state", e.State, EEvidenceStates, "member state bound by the e-Evidence Regulation"); err != nil {
			return err
		}
		if f.EnforcingAuthority.Name, err = text("legal_process.enforcing_authority.name", e.Name, MaxShortLength, true); err != nil {
			return err
		}
	}
	if r.LegalProcess.IssuedOn.IsZero() {
		return FieldError("legal_process.issued_on", "is required for an e-Evidence order: the date of the certificate")
	}
	return nil
}

// checkDSA checks an order to provide information under Article 10 of
// the Digital Services Act.
func (n *NewRequest) checkDSA(r *Request) error {
	lp, f := n.LegalProcess, &r.LegalProcess.RegimeFields
	var err error
	if r.Kind != KindUserData {
		return FieldError("kind", "a DSA information order asks for information; kind must be user_data")
	}
	if f.IssuingState, err = memberState("legal_process.issuing_state", lp.IssuingState, EUMembers, "member state of the European Union"); err != nil {
		return err
	}
	if f.IssuingState != Country(r.Jurisdiction) {
		return FieldError("legal_process.issuing_state", "%s is not the request's jurisdiction %s", f.IssuingState, r.Jurisdiction)
	}
	for _, x := range []struct {
		field string
		in    string
		out   *string
		max   int
	}{
		{"legal_basis", lp.LegalBasis, &f.LegalBasis, MaxShortLength},
		{"reasons", lp.Reasons, &f.Reasons, MaxTextLength},
		{"redress", lp.Redress, &f.Redress, MaxTextLength},
		{"answer_to", lp.AnswerTo, &f.AnswerTo, MaxShortLength},
	} {
		if *x.out, err = text("legal_process."+x.field, x.in, x.max, true); err != nil {
			return err
		}
	}
	return nil
}

// checkDAA checks an order under the UK–US Data Access Agreement.
func (n *NewRequest) checkDAA(r *Request) error {
	lp, f := n.LegalProcess, &r.LegalProcess.RegimeFields
	var err error
	if Country(r.Jurisdiction) != "GB" {
		return FieldError("jurisdiction", "a uk_daa_order comes from the United Kingdom (GB), not %s", r.Jurisdiction)
	}
	if r.Kind == KindContentRestriction {
		return FieldError("kind", "a UK–US Data Access Agreement order asks for data; kind content_restriction is not one")
	}
	if f.DesignatedAuthority, err = text("legal_process.designated_authority", lp.DesignatedAuthority, MaxShortLength, true); err != nil {
		return err
	}
	c := lp.Certification
	switch {
	case c == nil:
		return FieldError("legal_process.certification", "is required: the designated authority's certification that no target is a US person or in the United States")
	case !c.NotUSPerson:
		return FieldError("legal_process.certification.not_us_person", "must be true: the Agreement never reaches a US person")
	case !c.NotInUS:
		return FieldError("legal_process.certification.not_in_us", "must be true: the Agreement never reaches a person in the United States")
	}
	f.Certification = &DAACertification{NotUSPerson: true, NotInUS: true}
	if f.Certification.CertifiedBy, err = text("legal_process.certification.certified_by", c.CertifiedBy, MaxShortLength, false); err != nil {
		return err
	}
	if f.Certification.Reference, err = identifier("legal_process.certification.reference", c.Reference, MaxShortLength, false); err != nil {
		return err
	}
	return nil
}
