package dueprocess

import "time"

// Objection is what a notified enforcing authority raised
// against a European Production Order (Article 10 of the e-Evidence
// Regulation): a ground for refusal before the data went, or, after an
// emergency disclosure, its objection. Either stops the release; one
// recorded after the data went (AfterDisclosure) tells staff that they
// went before it.
type Objection struct {
	RequestID       string    `json:"request_id"`
	Seq             int64     `json:"seq"`
	Grounds         string    `json:"grounds"`
	ReceivedAt      time.Time `json:"received_at"`
	AfterDisclosure bool      `json:"after_disclosure"`
	At              time.Time `json:"at"`
	By              Actor     `json:"by"`
}

// NewObjection is an objection as staff record it.
type NewObjection struct {
	Grounds    string `json:"grounds"`
	ReceivedAt string `json:"received_at"` // RFC 3339
}

// Check validates n as reported at now, naming the field of the first
// fault: the grounds are required, and the time it was received may not
// be in the future.
func (n *NewObjection) Check(now time.Time) (*Objection, error) {
	o := &Objection{}
	var err error
	if o.Grounds, err = text("grounds", n.Grounds, MaxTextLength, true); err != nil {
		return nil, err
	}
	if n.ReceivedAt == "" {
		return nil, FieldError("received_at", "is required: when the objection arrived, such as 2026-11-26T03:10:00Z")
	}
	t, perr := time.Parse(time.RFC3339, n.ReceivedAt)
	if perr != nil {
		return nil, FieldError("received_at", "%q is not a time such as 2026-11-26T03:10:00Z", n.ReceivedAt)
	}
	if t.After(now.Add(time.Minute)) {
		return nil, FieldError("received_at", "%s is in the future", n.ReceivedAt)
	}
	o.ReceivedAt = t.UTC()
	return o, nil
}
