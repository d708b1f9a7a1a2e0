package dueprocess

import (
	"strings"
	"testing"
)

func TestCheckMove(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		ok       bool
		says     string
	}{
		{StatusReceived, StatusInReview, true, ""},
		{StatusInReview, StatusAwaitingApproval, true, ""},
		{StatusAwaitingApproval, StatusApproved, true, ""},
		{StatusInReview, StatusApproved, false, "awaiting_approval"},
		{StatusEscalated, StatusAwaitingApproval, false, "in_review"},
		{StatusApproved, StatusPaused, true, ""},
		{StatusClosed, StatusInReview, false, "final"},
		{StatusRefused, StatusInReview, false, "closed"},
	} {
		err := CheckMove(tc.from, tc.to)
		if (err == nil) != tc.ok || (err != nil && (ErrorKind(err) != Conflict || !strings.Contains(err.Error(), tc.says))) {
			t.Errorf("%s → %s: %v, want ok=%v mentioning %q", tc.from, tc.to, err, tc.ok, tc.says)
		}
	}
	// Every status but the final ones can move somewhere, and every
	// unfinished one can be paused and withdrawn.
	for _, s := range Statuses {
		if s.Open() && s != StatusPaused {
			if CheckMove(s, StatusPaused) != nil && s != StatusNarrowingRequested {
				t.Errorf("%s cannot be paused", s)
			}
			if CheckMove(s, StatusWithdrawn) != nil {
				t.Errorf("%s cannot be withdrawn", s)
			}
		}
	}
}

func TestNewProposalCheck(t *testing.T) {
	r := &Request{Kind: KindUserData, Decision: &Decision{Categories: map[DataCategory]Verdict{
		CategorySubscriber: {Allowed: true, Rule: "ladder.subscriber"},
		CategoryIPLogs:     {Allowed: true, Rule: "ladder.ip_logs"},
		CategoryContent:    {Allowed: false, Rule: "ladder.content"},
	}}}
	for _, tc := range []struct {
		p     NewProposal
		field string
		cats  []DataCategory
	}{
		{NewProposal{Decision: "approve", Note: "ok"}, "", []DataCategory{CategorySubscriber, CategoryIPLogs}},
		{NewProposal{Decision: "partially_approve", Categories: []string{"subscriber"}, Note: "ok"}, "", []DataCategory{CategorySubscriber}},
		{NewProposal{Decision: "partially_approve", Categories: []string{"content"}, Note: "ok"}, "categories[0]", nil},
		{NewProposal{Decision: "partially_approve", Categories: []string{"subscriber", "ip_logs"}, Note: "ok"}, "categories", nil},
		{NewProposal{Decision: "partially_approve", Note: "ok"}, "categories", nil},
		{NewProposal{Decision: "approve", Categories: []string{"subscriber"}, Note: "ok"}, "categories", nil},
		{NewProposal{Decision: "reject", Categories: []string{"subscriber"}, Note: "ok"}, "categories", nil},
		{NewProposal{Decision: "reject"}, "note", nil},
		{NewProposal{Decision: "disclose", Note: "ok"}, "decision", nil},
	} {
		_, cats, _, err := tc.p.Check(r)
		if ErrorField(err) != tc.field || (tc.field == "" && !sameSet(cats, tc.cats)) {
			t.Errorf("%+v: %v (categories %v), want field %q, categories %v", tc.p, err, cats, tc.field, tc.cats)
		}
	}
}

// TestCheckUnpause checks that a paused request returns to a status only
// staff reach (awaiting approval, an approval) only if the pause found it
// there, while the policy's outcomes and a withdrawal stay open to it.
func TestCheckUnpause(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		ok       bool
	}{
		{StatusApproved, StatusApproved, true},
		{StatusPartiallyApproved, StatusPartiallyApproved, true},
		{StatusAwaitingApproval, StatusAwaitingApproval, true},
		{StatusAwaitingApproval, StatusApproved, false},
		{StatusInReview, StatusApproved, false},
		{"", StatusApproved, false},
		{StatusReceived, StatusAwaitingApproval, false},
		{"", StatusInReview, true},
		{StatusApproved, StatusRefused, true},
		{StatusEscalated, StatusEscalated, true},
		{StatusApproved, StatusWithdrawn, true},
		{StatusApproved, StatusDisclosed, false},
		{StatusClosed, StatusClosed, false},
	} {
		err := CheckUnpause(tc.from, tc.to)
		if (err == nil) != tc.ok || (err != nil && ErrorKind(err) != Conflict) {
			t.Errorf("paused (from %q) → %s: %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
	}
	// A pause holds every unfinished status, and each can return there.
	for _, s := range Statuses {
		if s.Pausable() != (s.Open() && s != StatusPaused) {
			t.Errorf("%s: Pausable %v", s, s.Pausable())
		}
		if s.Pausable() && s != StatusReceived {
			if err := CheckUnpause(s, s); err != nil {
				t.Errorf("paused cannot return to %s: %v", s, err)
			}
		}
	}
}
