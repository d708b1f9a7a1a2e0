package dueprocess

import (
	"fmt"
	"strings"
	"time"
)

// NoticeReason is the event that makes the affected users be told.
type NoticeReason string

const (
	NoticeReleased   NoticeReason = "released"    // data was given to the requester
	NoticeHoldPlaced NoticeReason = "hold_placed" // data was preserved pending formal process
)

// NoticeStatus is where a user notice stands.
type NoticeStatus string

const (
	NoticeUnresolved    NoticeStatus = "unresolved"    // its address is still to be asked of the platform
	NoticeQueued        NoticeStatus = "queued"        // in the mail outbox, waiting to be sent
	NoticeSent          NoticeStatus = "sent"          // the outbox sent it
	NoticeFailed        NoticeStatus = "failed"        // the outbox gave up sending it
	NoticeWithheld      NoticeStatus = "withheld"      // a non-disclosure order is in force
	NoticeDelayed       NoticeStatus = "delayed"       // an emergency: it goes out afterwards
	NoticeUndeliverable NoticeStatus = "undeliverable" // no address to send it to
)

// Why a notice was held back, kept after it goes out so that the report
// can count notices withheld and delayed.
const (
	HeldByNondisclosure = "nondisclosure"
	HeldByEmergency     = "emergency"
)

// Notice is one user notice: the message that tells one target of a
// request that their data was asked for, and what was done.
type Notice struct {
	ID        string       `json:"id"`
	RequestID string       `json:"request_id"`
	Target    Target       `json:"target"`
	Reason    NoticeReason `json:"reason"`
	Status    NoticeStatus `json:"status"`
	Language  string       `json:"language"`
	// Address is where the notice goes; empty when undeliverable.
	Address string `json:"address,omitempty"`
	// HeldBy says why it was held back: "nondisclosure", "emergency" or "".
	HeldBy string `json:"held_by,omitempty"`
	// ReleaseAt is when a withheld or delayed notice goes out; nil for
	// one withheld by an order without an end date, until staff lift it.
	ReleaseAt *time.Time `json:"release_at,omitempty"`
	// Why says in words why the notice stands where it does.
	Why       string     `json:"why,omitempty"`
	MailID    string     `json:"mail_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	QueuedAt  *time.Time `json:"queued_at,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	// LiftedBy and LiftReason record staff lifting an open-ended order.
	LiftedBy   string `json:"lifted_by,omitempty"`
	LiftReason string `json:"lift_reason,omitempty"`
}

// NoticePolicy is what the policy file says about user notice (its
// "notice" section; see docs/notice.md).
type NoticePolicy struct {
	OnRelease bool // tell users when their data is released
	OnHold    bool // tell users when their data is preserved
	// EmergencyDelay is how long after an emergency disclosure the
	// users are told.
	EmergencyDelay time.Duration
	// Language is the language notices are written in, such as "en".
	Language string
}

// DefaultNoticePolicy applies when the policy file has no notice section.
var DefaultNoticePolicy = NoticePolicy{OnRelease: true, EmergencyDelay: 90 * 24 * time.Hour, Language: "en"}

// Wants reports whether the policy tells users of an event.
func (p NoticePolicy) Wants(reason NoticeReason) bool {
	switch reason {
	case NoticeReleased:
		return p.OnRelease
	case NoticeHoldPlaced:
		return p.OnHold
	}
	return false
}

// CheckNoticeReason returns an Invalid error for an unknown reason.
func CheckNoticeReason(reason NoticeReason) error {
	if reason != NoticeReleased && reason != NoticeHoldPlaced {
		return FieldError("reason", "a notice's reason is %q or %q", NoticeReleased, NoticeHoldPlaced)
	}
	return nil
}

// Urgent reports whether r is an emergency request: of kind emergency or
// resting on emergency process.
func (r *Request) Urgent() bool {
	return r.Kind == KindEmergency || r.LegalProcess.Type == ProcessEmergency
}

// PlanNotice says how a notice to a target of r reaching address (empty:
// none) stands when it is written at now: undeliverable without an
// address; withheld while a non-disclosure order is in force (until the
// day after its end date, or until staff lift an order without one);
// delayed for an emergency by the policy's delay; otherwise queued. It
// fills in n's Status, HeldBy, ReleaseAt and Why.
func PlanNotice(n *Notice, r *Request, now time.Time, p NoticePolicy) {
	n.HeldBy, n.ReleaseAt = "", nil
	if n.Address == "" {
		n.Status, n.Why = NoticeUndeliverable, "no e-mail address: the target is not an e-mail address and the platform's contact query found none"
		return
	}
	var release time.Time
	if nd := r.Nondisclosure; nd != nil {
		if nd.Until.IsZero() {
			n.Status, n.HeldBy = NoticeWithheld, HeldByNondisclosure
			n.Why = "a non-disclosure order without an end date is in force; it waits until staff lift it"
			return
		}
		// The order is in force through its last day; the notice goes
		// out as the next day begins (UTC).
		if end := nd.Until.Add(24 * time.Hour); end.After(now) {
			release, n.HeldBy = end, HeldByNondisclosure
			n.Why = "a non-disclosure order is in force until " + nd.Until.String()
		}
	}
	if r.Urgent() {
		if at := now.Add(p.EmergencyDelay); at.After(release) && p.EmergencyDelay > 0 {
			release, n.HeldBy = at, HeldByEmergency
			n.Why = fmt.Sprintf("an emergency disclosure: the user is told %s afterwards, as the policy says", days(p.EmergencyDelay))
		}
	}
	switch n.HeldBy {
	case HeldByNondisclosure:
		n.Status, n.ReleaseAt = NoticeWithheld, &release
	case HeldByEmergency:
		n.Status, n.ReleaseAt = NoticeDelayed, &release
	default:
		n.Status, n.Why = NoticeQueued, ""
	}
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// NoticeCount is the report's count of user notices for one jurisdiction
// (a country) and half-year of receipt (RDR indicator P12). A notice held
// back and later sent counts as sent and as withheld or delayed.
type NoticeCount struct {
	Period        string `json:"period"`
	Jurisdiction  string `json:"jurisdiction"`
	Sent          int64  `json:"sent"`
	Withheld      int64  `json:"withheld"` // by a non-disclosure order
	Delayed       int64  `json:"delayed"`  // for an emergency
	Undeliverable int64  `json:"undeliverable"`
}

// CheckLiftReason checks the reason staff give for lifting a
// non-disclosure order without an end date: required, and of a note's
// length.
func CheckLiftReason(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", FieldError("reason", "say why the order no longer holds, such as the court's decision that lifted it")
	}
	return text("reason", s, MaxTextLength, true)
}
