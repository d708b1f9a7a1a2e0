package dueprocess

import (
	"fmt"
	"time"
)

// ValidationReminderBefore is how long before an emergency order's 48
// hours of validation run out its assigned staff are reminded, once.
const ValidationReminderBefore = 12 * time.Hour

// Mail kinds of the 48 hours of validation.
const (
	MailValidationReminder = "validation.reminder"
	MailValidationLapsed   = "validation.lapsed"
)

// AwaitsValidation reports whether r is an emergency e-Evidence order
// issued by an authority that is not a judge, court, investigating judge
// or prosecutor and not yet validated by one: it must be validated within
// EmergencyValidation of receipt, or be refused (Article 4(5)).
func (r *Request) AwaitsValidation() bool {
	f := &r.LegalProcess.RegimeFields
	return r.LegalProcess.Type.EEvidence() && r.Kind == KindEmergency &&
		f.IssuingAuthorityType == AuthorityOther && f.ValidatedBy == nil
}

// NewValidation is a validation as staff record it when it arrives.
type NewValidation struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Reference string `json:"reference"`
}

// Check validates n, naming the field of the first fault.
func (n *NewValidation) Check() (*Validation, error) {
	v := &Validation{}
	var err error
	if v.Name, err = text("name", n.Name, MaxShortLength, true); err != nil {
		return nil, err
	}
	if v.Type, err = oneOf("type", n.Type, ValidatorTypes); err != nil {
		return nil, err
	}
	if v.Reference, err = identifier("reference", n.Reference, MaxShortLength, true); err != nil {
		return nil, err
	}
	return v, nil
}

// ValidationReminder is the one reminder to staff assigned to r that its
// validation is due at due.
func ValidationReminder(r *Request, to *Staff, due time.Time) *Mail {
	at := due.UTC().Format("2006-01-02 15:04 MST")
	body := fmt.Sprintf("Hello %s,\n\nRequest %s is an emergency %s issued by an authority that is not a judge, court, "+
		"investigating judge or prosecutor. Its validation must arrive by %s (Regulation (EU) 2023/1543, Article 4(5)); "+
		"record it in the console at /console/requests/%s when it comes. Without it the order is refused then.\n",
		to.Name, r.ID, r.LegalProcess.Type, at, r.ID)
	return &Mail{Kind: MailValidationReminder, To: to.Email, Subject: fmt.Sprintf("%s needs its validation by %s", r.ID, at), Body: body, RequestID: r.ID}
}

// ValidationLapsed tells staff assigned to r that it was refused for want
// of validation; went says its data had already been disclosed.
func ValidationLapsed(r *Request, to *Staff, went bool) *Mail {
	body := fmt.Sprintf("Hello %s,\n\nRequest %s, an emergency %s, was not validated within 48 hours of receipt "+
		"(Regulation (EU) 2023/1543, Article 4(5)) and is refused.\n", to.Name, r.ID, r.LegalProcess.Type)
	if went {
		body += "Its data had already been disclosed: ask the issuing authority to delete them.\n"
	}
	body += fmt.Sprintf("See /console/requests/%s.\n", r.ID)
	return &Mail{Kind: MailValidationLapsed, To: to.Email, Subject: r.ID + " refused: not validated within 48 hours", Body: body, RequestID: r.ID}
}
