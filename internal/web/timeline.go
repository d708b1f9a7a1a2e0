package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
)

// The request page's timeline and chain of custody: every audit entry
// about a request, told as a sentence with people named, with its index
// in the log and a link to the proof that the log holds it.

// timelineItem is one audit entry as the request page shows it.
type timelineItem struct {
	Index int64
	Time  time.Time
	Who   string
	Text  string
}

// people names the actors of audit entries for staff: staff members by
// name, officials by name and agency. It looks each one up once a page.
type people struct {
	s     *Server
	ctx   context.Context
	staff map[string]string
	other map[string]string
}

func (s *Server) people(ctx context.Context) (*people, error) {
	members, err := s.db.StaffMembers(ctx)
	if err != nil {
		return nil, err
	}
	p := &people{s: s, ctx: ctx, staff: map[string]string{}, other: map[string]string{}}
	for _, m := range members {
		p.staff[m.ID] = m.Name
	}
	return p, nil
}

// name returns how a is shown: never a bare id where a name is known.
func (p *people) name(a dueprocess.Actor) string {
	switch a.Type {
	case dueprocess.ActorStaff:
		return p.staffName(a.ID)
	case dueprocess.ActorOfficial:
		if n, ok := p.other[a.ID]; ok {
			return n
		}
		n := "an official"
		if o, err := p.s.db.Official(p.ctx, a.ID); err == nil {
			n = o.Name
			if ag, err := p.s.db.Agency(p.ctx, o.AgencyID); err == nil {
				n += " (" + ag.Name + ")"
			}
		}
		p.other[a.ID] = n
		return n
	}
	if a.ID != "" {
		return "the system (" + a.ID + ")"
	}
	return "the system"
}

func (p *people) staffName(id string) string {
	if n, ok := p.staff[id]; ok {
		return n
	}
	return "a former staff member"
}

// timeline tells entries as sentences.
func (p *people) timeline(entries []audit.Entry) []timelineItem {
	out := make([]timelineItem, len(entries))
	for i, e := range entries {
		who := p.name(e.Actor)
		out[i] = timelineItem{Index: e.Index, Time: e.Time, Who: who, Text: p.sentence(e, who)}
	}
	return out
}

// words turns a status or decision such as awaiting_approval into words.
func words(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") }

// listOf joins a JSON list of names with commas, "none" if empty.
func listOf(v any) string {
	items, _ := v.([]any)
	if len(items) == 0 {
		return "none"
	}
	s := make([]string, len(items))
	for i, x := range items {
		s[i] = words(x)
	}
	return strings.Join(s, ", ")
}

// sentence tells one entry. An action without its own sentence is told by
// its name, so that nothing in the log is left out of the timeline.
func (p *people) sentence(e audit.Entry, who string) string {
	var b map[string]any
	json.Unmarshal(e.Body, &b)
	// A sentence starts with a capital, but a name is written as its
	// owner writes it: only our own words are capitalised.
	for _, article := range []string{"the ", "a ", "an "} {
		if strings.HasPrefix(who, article) {
			who = strings.ToUpper(who[:1]) + who[1:]
		}
	}
	switch e.Action {
	case dueprocess.ActionRequestCreated:
		return fmt.Sprintf("%s submitted the request: %v target(s); data asked for: %s.", who, b["targets"], listOf(b["data_categories"]))
	case dueprocess.ActionRequestDecided:
		return fmt.Sprintf("The policy decided %s (rules %s); it allows %s and denies %s.", words(b["outcome"]), listOf(b["rules"]), listOf(b["allowed"]), listOf(b["denied"]))
	case dueprocess.ActionRequestStatus:
		s := fmt.Sprintf("%s moved the request from %s to %s", who, words(b["from"]), words(b["to"]))
		if d, ok := b["detail"].(string); ok && d != "" {
			s += " (" + d + ")"
		}
		return s + "."
	case dueprocess.ActionRequestViewed:
		return fmt.Sprintf("%s read the request.", who)
	case dueprocess.ActionRequestReviewed:
		s := fmt.Sprintf("%s proposed: %s", who, words(b["decision"]))
		if c := listOf(b["categories"]); c != "none" {
			s += " (" + c + ")"
		}
		return s + "."
	case dueprocess.ActionRequestApproved:
		by, _ := b["proposed_by"].(string)
		return fmt.Sprintf("%s confirmed the approval proposed by %s: %s.", who, p.staffName(by), listOf(b["categories"]))
	case dueprocess.ActionHumanRightsAssessed:
		return fmt.Sprintf("%s recorded a human-rights assessment: %s.", who, words(b["conclusion"]))
	case dueprocess.ActionRequestAssigned:
		id, _ := b["staff_id"].(string)
		return fmt.Sprintf("%s assigned the case to %s.", who, p.staffName(id))
	case dueprocess.ActionDocumentAdded:
		return fmt.Sprintf("%s attached a document.", who)
	case dueprocess.ActionDocumentViewed:
		return fmt.Sprintf("%s opened a document.", who)
	case dueprocess.ActionRequestNarrowed:
		if c := listOf(b["changed"]); c != "none" {
			return fmt.Sprintf("%s answered the request to narrow, and narrowed: %s.", who, c)
		}
		return fmt.Sprintf("%s answered the request to narrow, with a note.", who)
	case dueprocess.ActionCallbackRecorded:
		return fmt.Sprintf("%s called the agency back on %v, reached %v: %s.", who, b["dialled"], b["reached"], words(b["outcome"]))
	case dueprocess.ActionRequestForged:
		return fmt.Sprintf("%s refused the request as %v.", who, b["reason"])
	}
	return fmt.Sprintf("%s: %s.", who, words(e.Action))
}
