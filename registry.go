package dueprocess

import (
	"net/mail"
	"strings"
)

// Check validates an agency about to be registered and normalises its
// fields: the jurisdiction in upper case, domains in lower case.
func (a *Agency) Check() error {
	var err error
	if a.Name, err = text("name", a.Name, MaxShortLength, true); err != nil {
		return err
	}
	if a.Jurisdiction == "" {
		return FieldError("jurisdiction", "is required (an ISO 3166-1 alpha-2 code such as \"HK\")")
	}
	if a.Jurisdiction, err = ParseJurisdiction(a.Jurisdiction); err != nil {
		return &Error{Kind: Invalid, Field: "jurisdiction", Message: ErrorMessage(err)}
	}
	if a.Kind, err = oneOf("kind", string(a.Kind), AgencyKinds); err != nil {
		return err
	}
	if len(a.Domains) == 0 {
		return FieldError("domains", "at least one verified e-mail domain is required")
	}
	seen := map[string]bool{}
	for i, d := range a.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !isDomain(d) {
			return FieldError("domains", "%q is not a domain name such as police.gov.hk", a.Domains[i])
		}
		if seen[d] {
			return FieldError("domains", "%q is listed twice", d)
		}
		seen[d] = true
		a.Domains[i] = d
	}
	if a.CallbackPhone != "" {
		if a.CallbackPhone, err = targetValue("callback_phone", TargetPhone, a.CallbackPhone); err != nil {
			return err
		}
	}
	return nil
}

// Check validates an official about to be added to agency a: the e-mail
// address must be at one of the agency's verified domains.
func (o *Official) Check(a *Agency) error {
	var err error
	if o.Name, err = text("name", o.Name, MaxShortLength, true); err != nil {
		return err
	}
	if o.Email, err = checkEmail(o.Email); err != nil {
		return err
	}
	domain := o.Email[strings.LastIndexByte(o.Email, '@')+1:]
	for _, d := range a.Domains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return nil
		}
	}
	return FieldError("email", "%s is not at one of the agency's verified domains (%s)", o.Email, strings.Join(a.Domains, ", "))
}

// Check validates a staff member about to be added.
func (s *Staff) Check() error {
	var err error
	if s.Name, err = text("name", s.Name, MaxShortLength, true); err != nil {
		return err
	}
	if s.Email, err = checkEmail(s.Email); err != nil {
		return err
	}
	if len(s.Roles) == 0 {
		return FieldError("roles", "at least one role is required; one of %s", list(Roles))
	}
	for i, r := range s.Roles {
		if s.Roles[i], err = oneOf("roles", string(r), Roles); err != nil {
			return err
		}
	}
	return nil
}

func checkEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", FieldError("email", "is required")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !isDomain(s[strings.LastIndexByte(s, '@')+1:]) {
		return "", FieldError("email", "%q is not an e-mail address", s)
	}
	return strings.ToLower(s), nil
}

// isDomain reports whether s looks like a fully qualified domain name.
func isDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}
