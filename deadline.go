package dueprocess

import "time"

// DefaultDueWithin is how long after its receipt a request without a
// deadline of its own is due when no deadline rule of the policy applies:
// requests imported or made from the command line, and those received
// before deadlines were kept.
const DefaultDueWithin = 30 * 24 * time.Hour

// Due returns when r is due: at the end of its own deadline's day (UTC),
// if it states one, or else within after its receipt, as the policy's
// deadlines say (see internal/policy, Policy.Due).
func (r *Request) Due(within time.Duration) time.Time {
	if !r.Deadline.IsZero() {
		return r.Deadline.Time.Add(24*time.Hour - time.Second)
	}
	if within <= 0 {
		within = DefaultDueWithin
	}
	return r.ReceivedAt.Add(within)
}

// Overdue reports whether r is still being handled at now, after it was
// due. A paused request is not overdue: it waits by the policy's choice.
func (r *Request) Overdue(now time.Time) bool {
	return r.Status.Open() && r.Status != StatusPaused && !r.DueAt.IsZero() && now.After(r.DueAt)
}
