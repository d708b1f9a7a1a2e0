package dueprocess

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The workflow is the set of moves a request's status may make (see
// docs/workflow.md). The policy engine makes the first move out of
// received; staff make the rest; a pause or a resume may interrupt any
// unfinished request. A move not in this table is refused. A paused
// request goes back to awaiting_approval, approved or partially_approved
// only if that is where the pause found it (CheckUnpause): a pause must
// never stand in for an approval.
var transitions = map[Status][]Status{
	StatusReceived:           {StatusInReview, StatusPaused, StatusEscalated, StatusRefused, StatusNarrowingRequested, StatusWithdrawn},
	StatusInReview:           {StatusAwaitingApproval, StatusRejected, StatusNarrowingRequested, StatusNoData, StatusEscalated, StatusPaused, StatusWithdrawn, StatusClosed},
	StatusEscalated:          {StatusInReview, StatusRefused, StatusPaused, StatusWithdrawn},
	StatusPaused:             {StatusInReview, StatusEscalated, StatusRefused, StatusNarrowingRequested, StatusAwaitingApproval, StatusApproved, StatusPartiallyApproved, StatusWithdrawn},
	StatusNarrowingRequested: {StatusInReview, StatusPaused, StatusWithdrawn, StatusClosed},
	StatusAwaitingApproval:   {StatusApproved, StatusPartiallyApproved, StatusInReview, StatusPaused, StatusWithdrawn},
	StatusApproved:           {StatusDisclosed, StatusNoData, StatusPaused, StatusWithdrawn},
	StatusPartiallyApproved:  {StatusDisclosed, StatusNoData, StatusPaused, StatusWithdrawn},
	StatusRefused:            {StatusClosed},
	StatusRejected:           {StatusClosed},
	StatusNoData:             {StatusClosed},
	StatusDisclosed:          {StatusClosed},
}

// Move is one move of the workflow: a request's status from From to To.
type Move struct {
	From, To Status
}

func (m Move) String() string { return string(m.From) + " → " + string(m.To) }

// Moves lists every move of the workflow table, in the order of Statuses,
// for the tests and documents that must cover each.
func Moves() []Move {
	var out []Move
	for _, from := range Statuses {
		for _, to := range transitions[from] {
			out = append(out, Move{from, to})
		}
	}
	return out
}

// CheckMove returns a Conflict error saying why a request may not move
// from one status to another, or nil if it may.
func CheckMove(from, to Status) error {
	next := transitions[from]
	if slices.Contains(next, to) {
		return nil
	}
	if len(next) == 0 {
		return Errorf(Conflict, "the request is %s, which is final", from)
	}
	names := make([]string, len(next))
	for i, s := range next {
		names[i] = string(s)
	}
	return Errorf(Conflict, "a request that is %s cannot become %s; from %s it can become %s", from, to, from, strings.Join(names, ", "))
}

// CheckClose returns a Conflict error unless r may be closed now. From
// in_review only a content demand is closed, once every item has an
// action in effect and none waits for a second staff member; a data
// request in review ends by a review decision.
func (r *Request) CheckClose() error {
	if err := CheckMove(r.Status, StatusClosed); err != nil || r.Status != StatusInReview {
		return err
	}
	if r.Kind != KindContentRestriction {
		var next []string
		for _, s := range transitions[StatusInReview] {
			if s != StatusClosed {
				next = append(next, string(s))
			}
		}
		return Errorf(Conflict, "a request that is in_review cannot become closed; from in_review it can become %s (only a content demand whose items are all decided is closed from in_review)", strings.Join(next, ", "))
	}
	var open []string
	for _, it := range r.Items {
		if it.Action == "" || it.Proposed != nil {
			open = append(open, fmt.Sprint(it.Index))
		}
	}
	if len(open) > 0 {
		if len(open) > 10 {
			open = append(open[:10], "…")
		}
		return Errorf(Conflict, "%s cannot be closed yet: items %s have no action in effect or a proposal waiting for confirmation", r.ID, strings.Join(open, ", "))
	}
	return nil
}

// CheckUnpause returns a Conflict error if a paused request that a pause
// found in status from may not leave paused for status to. The moves the
// policy makes when it evaluates a request again (in_review, escalated,
// refused, narrowing_requested) and a withdrawal are always allowed; the
// statuses only staff reach, awaiting_approval and the approvals, only
// when the request stood there before. from is empty when nothing was
// recorded (the request arrived paused).
func CheckUnpause(from, to Status) error {
	if err := CheckMove(StatusPaused, to); err != nil {
		return err
	}
	switch to {
	case StatusAwaitingApproval, StatusApproved, StatusPartiallyApproved:
		if from != to {
			return Errorf(Conflict, "a paused request returns to %s only if it was %s when the pause held it", to, to)
		}
	}
	return nil
}

// Pausable reports whether a pause holds a request in status s: every
// status of a request still being handled, approved ones included, since
// an approved request's data has not left yet. A paused request is held
// already, and a finished one is never touched.
func (s Status) Pausable() bool {
	return s.Open() && s != StatusPaused
}

// Open reports whether a request in status s is still being handled.
func (s Status) Open() bool {
	switch s {
	case StatusRefused, StatusRejected, StatusNoData, StatusDisclosed, StatusClosed, StatusWithdrawn:
		return false
	}
	return true
}

// ReviewDecision is what a reviewer proposes for a request.
type ReviewDecision string

const (
	ReviewApprove          ReviewDecision = "approve"           // disclose every category the policy allows
	ReviewPartiallyApprove ReviewDecision = "partially_approve" // disclose some of them
	ReviewReject           ReviewDecision = "reject"            // disclose nothing
	ReviewRequestNarrowing ReviewDecision = "request_narrowing" // send it back to be narrowed
	ReviewNoData           ReviewDecision = "no_data"           // we hold nothing on the targets
)

// ReviewDecisions lists every decision a reviewer may make.
var ReviewDecisions = []ReviewDecision{ReviewApprove, ReviewPartiallyApprove, ReviewReject, ReviewRequestNarrowing, ReviewNoData}

// Status returns the status a request takes when a reviewer decides d:
// an approval waits for a second person; the rest take effect at once.
func (d ReviewDecision) Status() Status {
	switch d {
	case ReviewApprove, ReviewPartiallyApprove:
		return StatusAwaitingApproval
	case ReviewReject:
		return StatusRejected
	case ReviewRequestNarrowing:
		return StatusNarrowingRequested
	}
	return StatusNoData
}

// Review is one recorded step of staff review: a proposal, its approval,
// or a human-rights assessment.
type Review struct {
	ID         string         `json:"id"`
	RequestID  string         `json:"request_id"`
	Kind       string         `json:"kind"` // proposal, approval or human_rights
	StaffID    string         `json:"staff_id"`
	Decision   string         `json:"decision"`
	Categories []DataCategory `json:"categories"`
	Note       string         `json:"note"`
	Assessment *Assessment    `json:"assessment,omitempty"`
	At         time.Time      `json:"at"`
}

// Kinds of review step.
const (
	ReviewKindProposal    = "proposal"
	ReviewKindApproval    = "approval"
	ReviewKindHumanRights = "human_rights"
)

// Assessment is the human-rights officer's written test of an escalated
// request against international standards: is the demand lawful, is it
// necessary for a legitimate aim, and is it proportionate to that aim?
type Assessment struct {
	Legality        string `json:"legality"`
	Necessity       string `json:"necessity"`
	Proportionality string `json:"proportionality"`
}

// Human-rights conclusions.
const (
	HumanRightsProceed = "proceed" // the request may be reviewed and approved
	HumanRightsRefuse  = "refuse"  // the request is refused
)

// NewProposal is a reviewer's proposal as submitted.
type NewProposal struct {
	Decision   string   `json:"decision"`
	Categories []string `json:"categories"`
	Note       string   `json:"note"`
}

// Check validates p against r: the decision must be known, the note
// written, and an approval's categories ones the policy allows r (all of
// them for approve, a non-empty part for partially_approve).
func (p *NewProposal) Check(r *Request) (ReviewDecision, []DataCategory, string, error) {
	d, err := oneOf("decision", p.Decision, ReviewDecisions)
	if err != nil {
		return "", nil, "", err
	}
	note, err := text("note", p.Note, MaxTextLength, true)
	if err != nil {
		return "", nil, "", err
	}
	cats, err := distinct("categories", p.Categories, DataCategories)
	if err != nil {
		return "", nil, "", err
	}
	var allowed []DataCategory
	if r.Decision != nil {
		allowed = r.Decision.Allowed()
	}
	switch d {
	case ReviewApprove:
		if len(allowed) == 0 && r.Kind != KindContentRestriction {
			return "", nil, "", FieldError("decision", "the policy allows no data category of this request; reject it, ask to narrow it, or record that no data is held")
		}
		if len(cats) > 0 && !sameSet(cats, allowed) {
			return "", nil, "", FieldError("categories", "approve covers every category the policy allows (%s); to disclose fewer, use partially_approve", list(allowed))
		}
		cats = allowed
	case ReviewPartiallyApprove:
		if len(cats) == 0 {
			return "", nil, "", FieldError("categories", "name the categories to disclose")
		}
		for i, c := range cats {
			if !slices.Contains(allowed, c) {
				v := r.Decision.Categories[c]
				why := "it was not asked for"
				if v.Rule != "" {
					why = fmt.Sprintf("the policy denies it (rule %s)", v.Rule)
				}
				return "", nil, "", FieldError(fmt.Sprintf("categories[%d]", i), "%s cannot be disclosed: %s", c, why)
			}
		}
		if sameSet(cats, allowed) {
			return "", nil, "", FieldError("categories", "these are all the categories the policy allows; use approve")
		}
	default:
		if len(cats) > 0 {
			return "", nil, "", FieldError("categories", "only an approval names categories")
		}
	}
	return d, cats, note, nil
}

func sameSet(a, b []DataCategory) bool {
	if len(a) != len(b) {
		return false
	}
	for _, c := range a {
		if !slices.Contains(b, c) {
			return false
		}
	}
	return true
}

// CheckNote checks a reviewer's or approver's written note: required, and
// at most MaxTextLength.
func CheckNote(s string) (string, error) {
	return text("note", s, MaxTextLength, true)
}

// NewAssessment is a human-rights assessment as submitted.
type NewAssessment struct {
	Conclusion      string `json:"conclusion"`
	Legality        string `json:"legality"`
	Necessity       string `json:"necessity"`
	Proportionality string `json:"proportionality"`
	Note            string `json:"note"`
}

// Check validates a: a conclusion, and a written finding on each of
// legality, necessity and proportionality.
func (a *NewAssessment) Check() (string, Assessment, string, error) {
	var out Assessment
	conclusion, err := oneOf("conclusion", a.Conclusion, []string{HumanRightsProceed, HumanRightsRefuse})
	if err != nil {
		return "", out, "", err
	}
	for _, f := range []struct {
		name string
		in   string
		out  *string
	}{{"legality", a.Legality, &out.Legality}, {"necessity", a.Necessity, &out.Necessity}, {"proportionality", a.Proportionality, &out.Proportionality}} {
		if *f.out, err = text(f.name, f.in, MaxTextLength, true); err != nil {
			return "", out, "", err
		}
	}
	note, err := text("note", a.Note, MaxTextLength, false)
	return conclusion, out, note, err
}
