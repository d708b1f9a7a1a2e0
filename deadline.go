package dueprocess

import "time"

// DefaultDueWithin is how long after its receipt a request without a
// deadline of its own is due when no deadline rule of the policy applies:
// requests imported or made from the command line, and those received
// before deadlines were kept.
const DefaultDueWithin = 30 * 24 * time.Hour

// Due returns when r is due: at the end of its own deadline's day (UTC),
// if it states one, or else within after its receipt, as the policy's
// deadlines say (see internal/policy, Policy.Due). A European Production
// Order's own date may bring its answer forward, never push it back: the
// Regulation's time is the longest there is (Regulation (EU) 2023/1543,
// Article 10(2)).
func (r *Request) Due(within time.Duration) time.Time {
	if within <= 0 {
		within = DefaultDueWithin
	}
	byPolicy := r.ReceivedAt.Add(within)
	if !r.Deadline.IsZero() {
		own := r.Deadline.Time.Add(24*time.Hour - time.Second)
		if r.LegalProcess.Type == ProcessEPOC && own.After(byPolicy) {
			return byPolicy
		}
		return own
	}
	return byPolicy
}

// Overdue reports whether r is still being handled at now, after it was
// due. A paused request is not overdue: it waits by the policy's choice.
func (r *Request) Overdue(now time.Time) bool {
	return r.Status.Open() && r.Status != StatusPaused && !r.DueAt.IsZero() && now.After(r.DueAt)
}
