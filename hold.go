package dueprocess

import "time"

// HoldStatus is where a preservation hold stands (see docs/holds.md).
type HoldStatus string

const (
	HoldActive   HoldStatus = "active"   // in force until expires_at
	HoldExtended HoldStatus = "extended" // in force, its one extension used
	HoldExpired  HoldStatus = "expired"  // its term ran out
	HoldReleased HoldStatus = "released" // ended early by staff, or with its request
	// HoldSuperseded is a hold kept past its term because a later
	// user_data request names its target: it stays until the last such
	// request is closed or withdrawn.
	HoldSuperseded HoldStatus = "superseded"
)

// HoldStatuses lists every hold status.
var HoldStatuses = []HoldStatus{HoldActive, HoldExtended, HoldExpired, HoldReleased, HoldSuperseded}

// InForce reports whether a hold in status s may be in force: an active or
// extended one until it expires, a superseded one until its requests end.
func (s HoldStatus) InForce() bool {
	return s == HoldActive || s == HoldExtended || s == HoldSuperseded
}

// Hold freezes one target's data for a preservation request, pending
// formal process. ExpiresAt is when its term ends; a superseded hold
// outlives it until the user_data requests that keep it are finished.
type Hold struct {
	ID        string     `json:"id"`
	RequestID string     `json:"request"`
	Target    Target     `json:"target"`
	Status    HoldStatus `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	// ExtensionDays is how long the one extension adds; 0 when the
	// policy allows none or it has been used.
	ExtensionDays int        `json:"extension_days"`
	ExtendedAt    *time.Time `json:"extended_at,omitempty"`
	RemindedAt    *time.Time `json:"reminded_at,omitempty"`
	EndedAt       *time.Time `json:"ended_at,omitempty"`
	EndReason     string     `json:"end_reason,omitempty"`
	// LinkedRequests are the user_data requests that keep a superseded
	// hold.
	LinkedRequests []string `json:"linked_requests,omitempty"`
}

// HoldTerms is how long a jurisdiction's holds last: Days at first, and
// ExtensionDays more, once, when the official extends them (0: no
// extension).
type HoldTerms struct {
	Days          int
	ExtensionDays int
}

// DefaultHoldTerms are the terms of 18 U.S.C. 2703(f): 90 days, renewable
// once by 90.
var DefaultHoldTerms = HoldTerms{Days: 90, ExtensionDays: 90}

// HoldReminder is how long before a hold expires its official is told.
const HoldReminder = 7 * 24 * time.Hour

// HoldFilter selects holds for a listing. Zero fields match anything.
type HoldFilter struct {
	RequestID string
	Status    HoldStatus
	Target    *Target
	// AssignedTo, when set, limits the listing to holds of requests whose
	// case this staff member is on.
	AssignedTo string
	After      string // a hold id: list those that come after it
	Limit      int
}

// HoldCheck is the answer to a platform asking whether a target is held.
// Until is when the latest hold on it ends; nil while a user_data request
// keeps it (superseded), or when it is not held.
type HoldCheck struct {
	Held  bool       `json:"held"`
	Until *time.Time `json:"until"`
}

// CheckTarget checks a target named outside a request, such as in a
// platform's hold check, the same way intake checks a request's targets,
// so that both spell it alike.
func CheckTarget(typ, value string) (Target, error) {
	var t Target
	var err error
	if t.Type, err = oneOf("type", typ, TargetTypes); err != nil {
		return t, err
	}
	t.Value, err = targetValue("value", t.Type, value)
	return t, err
}

// CheckHoldStatus checks a status named in a listing's filter.
func CheckHoldStatus(s string) (HoldStatus, error) {
	return oneOf("status", s, HoldStatuses)
}

// HoldCount is how many accounts preservation holds were placed on for
// the preservation requests of one jurisdiction received in one
// half-year: each hold is one target of one request, whatever became of
// it since (extended, expired, released, superseded).
type HoldCount struct {
	Period       string `json:"period"`
	Jurisdiction string `json:"jurisdiction"`
	Accounts     int64  `json:"accounts"`
}
