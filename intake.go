package dueprocess

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NewRequest is a request as submitted, before it is checked. Every field is
// plain text so that a wrong value can be reported with the field's name.
type NewRequest struct {
	Kind         string           `json:"kind"`
	Jurisdiction string           `json:"jurisdiction"`
	LegalProcess *NewLegalProcess `json:"legal_process"`
	Offence      *struct {
		Category    string `json:"category"`
		Description string `json:"description"`
	} `json:"offence"`
	Targets        []NewTarget `json:"targets"`
	DataCategories []string    `json:"data_categories"`
	DateRange      *struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"date_range"`
	Nondisclosure *struct {
		Until string `json:"until"`
	} `json:"nondisclosure"`
	Emergency *struct {
		Harm          string `json:"harm"`
		Justification string `json:"justification"`
	} `json:"emergency"`
	Deadline string `json:"deadline"`

	// Content-restriction demands only (content.go).
	RequesterType string    `json:"requester_type"`
	Reason        string    `json:"reason"`
	Items         []NewItem `json:"items"`
	// IdentificationOnly is for e-Evidence orders (see docs/regimes.md).
	IdentificationOnly bool `json:"identification_only"`
}

// Check validates n and returns the request it describes, with the first
// fault found named by its JSON field path. The returned request has no ID,
// status, agency or times yet.
func (n *NewRequest) Check() (*Request, error) {
	r := &Request{}
	for _, check := range []func(*Request) error{
		n.checkKindAndJurisdiction, n.checkLegalProcess, n.checkOffence, n.checkTargets,
		n.checkCategories, n.checkDates, n.checkEmergency, n.checkDeadline, n.checkContent, n.checkRegime,
	} {
		if err := check(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// checkKindAndJurisdiction checks what the request is and where it comes from.
func (n *NewRequest) checkKindAndJurisdiction(r *Request) error {
	var err error
	if r.Kind, err = oneOf("kind", n.Kind, RequestKinds); err != nil {
		return err
	}
	if n.Jurisdiction == "" {
		return FieldError("jurisdiction", "is required (an ISO 3166-1 alpha-2 code such as \"HK\")")
	}
	if r.Jurisdiction, err = ParseJurisdiction(n.Jurisdiction); err != nil {
		return &Error{Kind: Invalid, Field: "jurisdiction", Message: ErrorMessage(err)}
	}
	return nil
}

// checkLegalProcess checks the legal process the request rests on.
func (n *NewRequest) checkLegalProcess(r *Request) error {
	var err error
	lp := n.LegalProcess
	if lp == nil {
		return FieldError("legal_process", "is required")
	}
	if r.LegalProcess.Type, err = oneOf("legal_process.type", lp.Type, LegalProcessTypes); err != nil {
		return err
	}
	if r.LegalProcess.Reference, err = identifier("legal_process.reference", lp.Reference, MaxShortLength, true); err != nil {
		return err
	}
	if r.LegalProcess.IssuedBy, err = text("legal_process.issued_by", lp.IssuedBy, MaxShortLength, true); err != nil {
		return err
	}
	if r.LegalProcess.IssuedOn, err = date("legal_process.issued_on", lp.IssuedOn, false); err != nil {
		return err
	}
	return nil
}

// checkOffence checks the alleged offence, if one is given.
func (n *NewRequest) checkOffence(r *Request) error {
	var err error
	if o := n.Offence; o != nil {
		r.Offence = &Offence{}
		if r.Offence.Category, err = identifier("offence.category", o.Category, MaxShortLength, true); err != nil {
			return err
		}
		r.Offence.Category = strings.ToLower(r.Offence.Category)
		if r.Offence.Description, err = text("offence.description", o.Description, MaxTextLength, false); err != nil {
			return err
		}
	}
	return nil
}

// checkTargets checks the accounts, names and addresses the request is about.
func (n *NewRequest) checkTargets(r *Request) error {
	var err error
	if len(n.Targets) == 0 && r.Kind == KindContentRestriction {
		// A content demand names its items instead (checkContent).
		r.Targets = []Target{}
		return nil
	}
	if len(n.Targets) == 0 {
		return FieldError("targets", "at least one target is required")
	}
	if len(n.Targets) > MaxTargets {
		return FieldError("targets", "%d targets given; at most %d are accepted in one request", len(n.Targets), MaxTargets)
	}
	type key struct {
		typ   TargetType
		value string
	}
	seen := make(map[key]bool, len(n.Targets))
	for i, t := range n.Targets {
		field := fmt.Sprintf("targets[%d]", i)
		var tg Target
		if tg.Type, err = oneOf(field+".type", t.Type, TargetTypes); err != nil {
			return err
		}
		if tg.Value, err = targetValue(field+".value", tg.Type, t.Value); err != nil {
			return err
		}
		if seen[key{tg.Type, tg.Value}] {
			return FieldError(field, "repeats an earlier target (%s %q)", tg.Type, tg.Value)
		}
		seen[key{tg.Type, tg.Value}] = true
		if tg.Country, err = homeCountry(field+".country", t.Country); err != nil {
			return err
		}
		r.Targets = append(r.Targets, tg)
	}
	return nil
}

// checkCategories checks the data categories asked for.
func (n *NewRequest) checkCategories(r *Request) error {
	if r.Kind == KindUserData || r.Kind == KindEmergency || r.Kind == KindPreservation {
		if len(n.DataCategories) == 0 {
			return FieldError("data_categories", "at least one data category is required for a %s request", r.Kind)
		}
	}
	for i, c := range n.DataCategories {
		cat, err := oneOf(fmt.Sprintf("data_categories[%d]", i), c, DataCategories)
		if err != nil {
			return err
		}
		if slices.Contains(r.DataCategories, cat) {
			return FieldError(fmt.Sprintf("data_categories[%d]", i), "%q is listed twice", c)
		}
		r.DataCategories = append(r.DataCategories, cat)
	}
	if r.DataCategories == nil {
		r.DataCategories = []DataCategory{}
	}
	return nil
}

// checkDates checks the date range and the non-disclosure order.
func (n *NewRequest) checkDates(r *Request) error {
	var err error
	if dr := n.DateRange; dr != nil {
		r.DateRange = &DateRange{}
		if r.DateRange.From, err = date("date_range.from", dr.From, true); err != nil {
			return err
		}
		if r.DateRange.To, err = date("date_range.to", dr.To, true); err != nil {
			return err
		}
		if r.DateRange.To.Before(r.DateRange.From.Time) {
			return FieldError("date_range.to", "%s is before date_range.from %s; the range runs backwards", r.DateRange.To, r.DateRange.From)
		}
	}

	if nd := n.Nondisclosure; nd != nil {
		r.Nondisclosure = &Nondisclosure{}
		if r.Nondisclosure.Until, err = date("nondisclosure.until", nd.Until, false); err != nil {
			return err
		}
	}
	return nil
}

// checkEmergency checks the harm claimed by an emergency request.
func (n *NewRequest) checkEmergency(r *Request) error {
	var err error
	if e := n.Emergency; e != nil {
		r.Emergency = &EmergencyClaim{}
		if r.Emergency.Harm, err = oneOf("emergency.harm", e.Harm, Harms); err != nil {
			return err
		}
		if r.Emergency.Justification, err = text("emergency.justification", e.Justification, MaxTextLength, true); err != nil {
			return err
		}
	}
	if r.Kind == KindEmergency && r.Emergency == nil {
		return FieldError("emergency", "an emergency request must state the imminent harm (death or serious_injury) and a justification")
	}
	if r.Kind != KindEmergency && r.Emergency != nil {
		return FieldError("emergency", "is only for requests of kind emergency")
	}
	return nil
}

// checkDeadline checks the deadline against the legal process.
func (n *NewRequest) checkDeadline(r *Request) error {
	var err error
	if r.Deadline, err = date("deadline", n.Deadline, false); err != nil {
		return err
	}
	if !r.LegalProcess.IssuedOn.IsZero() && !r.Deadline.IsZero() && r.Deadline.Before(r.LegalProcess.IssuedOn.Time) {
		return FieldError("deadline", "%s is before the legal process was issued (%s)", r.Deadline, r.LegalProcess.IssuedOn)
	}
	return nil
}

func oneOf[T ~string](field, value string, allowed []T) (T, error) {
	if value == "" {
		return "", FieldError(field, "is required; one of %s", list(allowed))
	}
	for _, a := range allowed {
		if string(a) == value {
			return a, nil
		}
	}
	return "", FieldError(field, "%q is not one of %s", value, list(allowed))
}

func list[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func text(field, value string, max int, required bool) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" && required {
		return "", FieldError(field, "is required")
	}
	if !utf8.ValidString(value) {
		return "", FieldError(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(value); n > max {
		return "", FieldError(field, "is %d characters long; at most %d are accepted", n, max)
	}
	for _, r := range value {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "", FieldError(field, "contains the control character %U", r)
		}
		if isBidiControl(r) {
			return "", FieldError(field, "contains %U, a bidirectional control that makes text display in another order than it is stored", r)
		}
	}
	return value, nil
}

// isBidiControl reports whether r is a bidirectional embedding, override or
// isolate control (U+202A–U+202E, U+2066–U+2069). These reorder how the
// text around them is shown, so a reviewer can read something other than
// what was sent ("Trojan Source", CVE-2021-42574); no field shown to staff
// accepts them. The other format characters are allowed in free text
// (descriptions, justifications, notes, reasons and names): the zero-width
// non-joiner and joiner are part of correct spelling in Persian and in
// Indic scripts, and the marks U+200E and U+200F only keep mixed
// right-to-left text in order, which such text copied from a legal
// document may well need.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// identifier checks a short value that identifies something rather than
// describes it: a reference, a target, an offence category. Beyond text's
// rules it refuses every invisible format character (Unicode category Cf:
// zero-width spaces and joiners, U+FEFF, bidirectional marks, tag
// characters), since two values that look the same must be the same: a
// zero-width space in "subver\u200Bsion" would otherwise slip past the
// policy's escalation of that offence, and one in a username would name an
// account that does not exist while looking like one that does.
func identifier(field, value string, max int, required bool) (string, error) {
	v, err := text(field, value, max, required)
	if err != nil {
		return "", err
	}
	return v, CheckIdentifier(field, v)
}

// CheckIdentifier refuses a value that holds a control character or an
// invisible format character (Unicode category Cf), naming field and the
// code point: identifiers, references, targets and file names must look
// exactly like what they are.
func CheckIdentifier(field, value string) error {
	for _, r := range value {
		switch {
		case isBidiControl(r):
			return FieldError(field, "contains %U, a bidirectional control that makes text display in another order than it is stored", r)
		case unicode.Is(unicode.Cf, r):
			return FieldError(field, "contains %U, an invisible format character (Unicode category Cf)", r)
		case unicode.IsControl(r):
			return FieldError(field, "contains the control character %U", r)
		}
	}
	return nil
}

func date(field, value string, required bool) (Date, error) {
	if value == "" {
		if required {
			return Date{}, FieldError(field, "is required (YYYY-MM-DD)")
		}
		return Date{}, nil
	}
	d, err := ParseDate(value)
	if err != nil {
		return Date{}, FieldError(field, "%s", err.Error())
	}
	return d, nil
}

func targetValue(field string, typ TargetType, value string) (string, error) {
	v, err := identifier(field, value, MaxShortLength, true)
	if err != nil {
		return "", err
	}
	switch typ {
	case TargetEmail:
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v {
			return "", FieldError(field, "%q is not an e-mail address", v)
		}
		v = strings.ToLower(v)
	case TargetPhone:
		digits := 0
		for i, r := range v {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')', r == '.':
			default:
				return "", FieldError(field, "%q is not a phone number (digits, optionally with a leading + and spaces)", v)
			}
		}
		if digits < 3 || digits > 15 {
			return "", FieldError(field, "%q is not a phone number: it has %d digits (E.164 allows at most 15)", v, digits)
		}
	case TargetURL:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", FieldError(field, "%q is not an http or https URL", v)
		}
	case TargetUsername, TargetAccountID:
		if strings.ContainsAny(v, " \t\n\r") {
			return "", FieldError(field, "%q contains white space", v)
		}
	}
	return v, nil
}
