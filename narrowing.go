package dueprocess

import (
	"fmt"
	"slices"
)

// NewReply is an official's answer to a request to narrow, as submitted: a
// note, and optionally a narrowed request. A field left out keeps what the
// request asked for; a field given must ask for less (a subset of the
// targets, of the data categories, a date range inside the original), never
// more: a reply cannot widen a request.
type NewReply struct {
	Note    string `json:"note"`
	Targets []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"targets"`
	DataCategories []string `json:"data_categories"`
	DateRange      *struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"date_range"`
}

// Narrowing is a checked reply: the note, and the request's targets,
// categories and date range after it. Changed names the fields it
// narrowed, in the order of the request.
type Narrowing struct {
	ID             string         `json:"id"`
	RequestID      string         `json:"request_id"`
	Note           string         `json:"note"`
	Targets        []Target       `json:"targets"`
	DataCategories []DataCategory `json:"data_categories"`
	DateRange      *DateRange     `json:"date_range,omitempty"`
	Changed        []string       `json:"changed"`
}

// Check validates n against r, the request as it stands: a note is
// required, and every narrowed field must be a subset of what r asks for.
// A field that widens the request is Invalid, naming the field.
func (n *NewReply) Check(r *Request) (*Narrowing, error) {
	note, err := text("note", n.Note, MaxTextLength, true)
	if err != nil {
		return nil, err
	}
	out := &Narrowing{RequestID: r.ID, Note: note, Targets: r.Targets, DataCategories: r.DataCategories, DateRange: r.DateRange, Changed: []string{}}
	for _, check := range []func(*Request, *Narrowing) error{n.narrowTargets, n.narrowCategories, n.narrowDates} {
		if err := check(r, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n *NewReply) narrowTargets(r *Request, out *Narrowing) error {
	if n.Targets == nil {
		return nil
	}
	if len(n.Targets) == 0 {
		return FieldError("targets", "at least one target must remain; to drop the request, withdraw it")
	}
	var kept []Target
	for i, t := range n.Targets {
		field := fmt.Sprintf("targets[%d]", i)
		typ, err := oneOf(field+".type", t.Type, TargetTypes)
		if err != nil {
			return err
		}
		v, err := targetValue(field+".value", typ, t.Value)
		if err != nil {
			return err
		}
		// The target kept is the request's own, with what the platform
		// knows of it (its home country).
		at := slices.IndexFunc(r.Targets, func(x Target) bool { return x.Type == typ && x.Value == v })
		if at < 0 {
			return FieldError(field, "widens the request: %s %q is not one of its targets; a reply may only remove targets", typ, v)
		}
		tg := r.Targets[at]
		if slices.Contains(kept, tg) {
			return FieldError(field, "repeats an earlier target (%s %q)", typ, v)
		}
		kept = append(kept, tg)
	}
	if len(kept) < len(r.Targets) {
		out.Targets = kept
		out.Changed = append(out.Changed, "targets")
	}
	return nil
}

func (n *NewReply) narrowCategories(r *Request, out *Narrowing) error {
	if n.DataCategories == nil {
		return nil
	}
	if len(n.DataCategories) == 0 && len(r.DataCategories) > 0 {
		return FieldError("data_categories", "at least one data category must remain; to drop the request, withdraw it")
	}
	kept := []DataCategory{}
	for i, c := range n.DataCategories {
		field := fmt.Sprintf("data_categories[%d]", i)
		cat, err := oneOf(field, c, DataCategories)
		if err != nil {
			return err
		}
		if !slices.Contains(r.DataCategories, cat) {
			return FieldError(field, "widens the request: %s was not asked for; a reply may only remove categories", cat)
		}
		if slices.Contains(kept, cat) {
			return FieldError(field, "%q is listed twice", c)
		}
		kept = append(kept, cat)
	}
	if len(kept) < len(r.DataCategories) {
		out.DataCategories = kept
		out.Changed = append(out.Changed, "data_categories")
	}
	return nil
}

func (n *NewReply) narrowDates(r *Request, out *Narrowing) error {
	if n.DateRange == nil {
		return nil
	}
	from, err := date("date_range.from", n.DateRange.From, true)
	if err != nil {
		return err
	}
	to, err := date("date_range.to", n.DateRange.To, true)
	if err != nil {
		return err
	}
	if to.Before(from.Time) {
		return FieldError("date_range.to", "%s is before date_range.from %s; the range runs backwards", to, from)
	}
	if old := r.DateRange; old != nil {
		if from.Before(old.From.Time) {
			return FieldError("date_range.from", "widens the request: %s is before the original start, %s", from, old.From)
		}
		if to.After(old.To.Time) {
			return FieldError("date_range.to", "widens the request: %s is after the original end, %s", to, old.To)
		}
		if from.Equal(old.From.Time) && to.Equal(old.To.Time) {
			return nil
		}
	}
	out.DateRange = &DateRange{From: from, To: to}
	out.Changed = append(out.Changed, "date_range")
	return nil
}
