package dueprocess

import (
	"strings"
	"time"
)

// Channel says how a demand reached us: through the API or the portal,
// or on paper (an e-mail, a fax, a letter, a visit) entered by staff.
type Channel string

const (
	ChannelAPI      Channel = "api"
	ChannelEmail    Channel = "email"
	ChannelFax      Channel = "fax"
	ChannelPost     Channel = "post"
	ChannelInPerson Channel = "in_person"
)

// PaperChannels lists the channels staff enter demands from.
var PaperChannels = []Channel{ChannelEmail, ChannelFax, ChannelPost, ChannelInPerson}

// Sender is who a demand entered by staff says sent it, as the demand
// gives it, and how staff checked that. None of it is trusted: a
// callback goes to the number in our registry, never to Phone.
type Sender struct {
	Name        string `json:"name"`
	Email       string `json:"email"`
	Phone       string `json:"phone,omitempty"`
	VerifiedHow string `json:"verified_how"`
	EnteredBy   string `json:"entered_by"`
}

// Signal is one reason to doubt that a request comes from whom it says:
// a code for the policy file and a plain explanation for staff.
type Signal struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Signal codes, computed at intake (see docs/verification.md).
const (
	SignalFirstRequest     = "first_request"
	SignalNewAccount       = "new_account"
	SignalDomainNotListed  = "domain_not_listed"
	SignalDomainLookalike  = "domain_lookalike"
	SignalOutsideJuris     = "jurisdiction_outside_agency"
	SignalBurst            = "burst"
	SignalFirstEmergency   = "first_emergency"
	SignalTokenNewAddress  = "token_new_address"
	SignalAgencyNewAddress = "agency_new_address"
	SignalDuplicate        = "duplicate"
	SignalPaper            = "paper_channel"
)

// SignalCodes lists every signal code.
var SignalCodes = []string{SignalFirstRequest, SignalNewAccount, SignalDomainNotListed, SignalDomainLookalike,
	SignalOutsideJuris, SignalBurst, SignalFirstEmergency, SignalTokenNewAddress, SignalAgencyNewAddress,
	SignalDuplicate, SignalPaper}

// NeedsCallback reports whether a signal is serious enough that nothing
// of its request may be released before a callback to the registry's
// number confirms the sender. The others are shown to staff only.
func NeedsCallback(code string) bool {
	switch code {
	case SignalDomainNotListed, SignalDomainLookalike, SignalOutsideJuris, SignalTokenNewAddress, SignalDuplicate:
		return true
	}
	return false
}

// HasSignal reports whether r carries a signal with code.
func (r *Request) HasSignal(code string) bool {
	for _, s := range r.Signals {
		if s.Code == code {
			return true
		}
	}
	return false
}

// CallbackOutcome is what a callback to the registry's number found.
type CallbackOutcome string

const (
	CallbackConfirmed CallbackOutcome = "confirmed" // the agency confirms the official sent the request
	CallbackFailed    CallbackOutcome = "failed"    // the agency denies it: suspected forgery
)

// CallbackOutcomes lists every outcome.
var CallbackOutcomes = []CallbackOutcome{CallbackConfirmed, CallbackFailed}

// Callback is a recorded call to an agency's number in our registry to
// confirm that a request is real.
type Callback struct {
	ID         string          `json:"id"`
	RequestID  string          `json:"request_id"`
	StaffID    string          `json:"staff_id"`
	Dialled    string          `json:"dialled"`
	CalledAt   time.Time       `json:"called_at"`
	Reached    string          `json:"reached"`
	Outcome    CallbackOutcome `json:"outcome"`
	Note       string          `json:"note,omitempty"`
	RecordedAt time.Time       `json:"recorded_at"`
}

// NewCallback is a callback as staff report it, before it is checked.
type NewCallback struct {
	Dialled  string `json:"dialled"`
	CalledAt string `json:"called_at"` // RFC 3339; empty for now
	Reached  string `json:"reached"`
	Outcome  string `json:"outcome"`
	Note     string `json:"note"`
}

// Check validates a reported callback. now is when it is reported; a
// call in the future is refused.
func (n *NewCallback) Check(now time.Time) (*Callback, error) {
	c := &Callback{CalledAt: now}
	var err error
	if c.Dialled, err = targetValue("dialled", TargetPhone, n.Dialled); err != nil {
		return nil, err
	}
	if n.CalledAt != "" {
		t, perr := time.Parse(time.RFC3339, n.CalledAt)
		if perr != nil {
			return nil, FieldError("called_at", "%q is not a time such as 2026-11-26T03:10:00Z", n.CalledAt)
		}
		if t.After(now.Add(time.Minute)) {
			return nil, FieldError("called_at", "%s is in the future", n.CalledAt)
		}
		c.CalledAt = t.UTC()
	}
	if c.Reached, err = text("reached", n.Reached, MaxShortLength, true); err != nil {
		return nil, err
	}
	if c.Outcome, err = oneOf("outcome", n.Outcome, CallbackOutcomes); err != nil {
		return nil, err
	}
	if c.Note, err = text("note", n.Note, MaxTextLength, false); err != nil {
		return nil, err
	}
	return c, nil
}

// SamePhone reports whether two phone numbers are the same number:
// their digits are equal, whatever the spaces, dashes and brackets.
func SamePhone(a, b string) bool {
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	da, db := digits(a), digits(b)
	return da != "" && da == db
}

// Alert tells the administrators of something that needs a person now:
// a failed callback, a suspension, a request whose sender is in doubt.
type Alert struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	RequestID  string    `json:"request_id,omitempty"`
	AgencyID   string    `json:"agency_id,omitempty"`
	OfficialID string    `json:"official_id,omitempty"`
	Text       string    `json:"text"`
}

// Alert kinds.
const (
	AlertForgery    = "forgery"
	AlertSuspension = "suspension"
	AlertSignals    = "signals"
)

// CheckPaperIntake validates what staff record about a demand that
// arrived on paper: the channel, the sender as the demand names them,
// and how staff checked the sender.
func CheckPaperIntake(channel string, s *Sender) (Channel, error) {
	ch, err := oneOf("channel", channel, PaperChannels)
	if err != nil {
		return "", err
	}
	if s.Name, err = text("sender.name", s.Name, MaxShortLength, true); err != nil {
		return "", err
	}
	if s.Email, err = checkEmail(s.Email); err != nil {
		return "", &Error{Kind: Invalid, Field: "sender.email", Message: ErrorMessage(err)}
	}
	if s.Phone != "" {
		if s.Phone, err = targetValue("sender.phone", TargetPhone, s.Phone); err != nil {
			return "", err
		}
	}
	if s.VerifiedHow, err = text("sender.verified_how", s.VerifiedHow, MaxTextLength, true); err != nil {
		return "", err
	}
	return ch, nil
}

// CheckAgencyContact validates an agency's callback number and
// supervisor contact as an administrator sets them in the registry.
func CheckAgencyContact(phone, supervisor string) (string, string, error) {
	phone, err := targetValue("callback_phone", TargetPhone, phone)
	if err != nil {
		return "", "", err
	}
	if supervisor, err = text("supervisor_contact", supervisor, MaxShortLength, false); err != nil {
		return "", "", err
	}
	return phone, supervisor, nil
}

// MailAlert is the kind of the e-mail that tells an administrator of a
// failed callback or a suspension.
const MailAlert = "verification.alert"

// AlertMail is the e-mail that tells administrator to of alert a. It
// carries the alert's text, which names no target: mail leaves the system.
func AlertMail(a *Alert, to *Staff) *Mail {
	subject := "dueprocess: " + a.Kind
	if a.RequestID != "" {
		subject += " on " + a.RequestID
	}
	body := "Hello " + to.Name + ",\n\n" + a.Text + "\n\n"
	if a.RequestID != "" {
		body += "Open it in the console at /console/requests/" + a.RequestID + ".\n\n"
	}
	body += "You receive this as an administrator of dueprocess; the alert also shows on every console page until dismissed.\n"
	return &Mail{Kind: MailAlert, To: to.Email, Subject: subject, Body: body, RequestID: a.RequestID}
}
