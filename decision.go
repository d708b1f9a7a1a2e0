package dueprocess

import "time"

// Outcome is what the policy engine says should happen to a request next.
// When several rules apply, the most restrictive outcome wins, in the order
// of Outcomes.
type Outcome string

const (
	OutcomeRefuse   Outcome = "refuse"   // the request cannot be answered as made
	OutcomePause    Outcome = "pause"    // a jurisdiction pause holds it
	OutcomeEscalate Outcome = "escalate" // it needs a human-rights assessment
	OutcomeNarrow   Outcome = "narrow"   // it is too broad; ask the requester to narrow it
	OutcomeReview   Outcome = "review"   // nothing stops it; staff review it
)

// Outcomes lists every outcome from most to least restrictive.
var Outcomes = []Outcome{OutcomeRefuse, OutcomePause, OutcomeEscalate, OutcomeNarrow, OutcomeReview}

// Severity ranks o: higher is more restrictive; an unknown outcome ranks 0.
func (o Outcome) Severity() int {
	for i, have := range Outcomes {
		if have == o {
			return len(Outcomes) - i
		}
	}
	return 0
}

// Status returns the status a request takes when its decision has
// outcome o.
func (o Outcome) Status() Status {
	switch o {
	case OutcomeRefuse:
		return StatusRefused
	case OutcomePause:
		return StatusPaused
	case OutcomeEscalate:
		return StatusEscalated
	case OutcomeNarrow:
		return StatusNarrowingRequested
	}
	return StatusInReview
}

// Decision is the policy engine's answer for one request: an outcome, a
// verdict for each data category asked for, and every reason with the id
// of the rule that gave it. Policy is the hash of the policy version used
// ("sha256:" and 64 hex digits), so that a decision can be traced to the
// exact rules that produced it.
type Decision struct {
	Outcome    Outcome                  `json:"outcome"`
	Policy     string                   `json:"policy"`
	Categories map[DataCategory]Verdict `json:"categories"`
	Reasons    []Reason                 `json:"reasons"`

	// DueWithin and DueRule are the policy's time for answering the
	// request, from its receipt, and the deadline rule that set it. They
	// are used at intake to set the request's DueAt, which is what is
	// kept; they are not part of the stored decision.
	DueWithin time.Duration `json:"-"`
	DueRule   string        `json:"-"`
}

// Verdict says whether one data category may be disclosed and which rule
// says so. Reason is given when the category is denied.
type Verdict struct {
	Allowed bool   `json:"allowed"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason,omitempty"`
}

// Reason is one rule's finding about a request.
type Reason struct {
	Rule    string  `json:"rule"`
	Outcome Outcome `json:"outcome"`
	Text    string  `json:"text"`
}

// Allowed returns the categories the decision allows, in the order of
// DataCategories.
func (d *Decision) Allowed() []DataCategory {
	var out []DataCategory
	for _, c := range DataCategories {
		if v, ok := d.Categories[c]; ok && v.Allowed {
			out = append(out, c)
		}
	}
	return out
}
