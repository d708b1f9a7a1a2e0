package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The routes of preservation holds: the official's extension, staff's
// listing and early release, and the platform's check before it deletes an
// account (docs/holds.md).

// heldTarget is the target of a hold as a caller sees it: staff off the
// request's case see its type but not its value, as with requests
// (visibility.go).
type shownHold struct {
	*dueprocess.Hold
	Withheld string `json:"withheld,omitempty"`
}

// showHolds turns holds into what staff member p may see of them: whole
// for those who see every case's targets (PermRequestTargets) and on the
// cases assigned to p, without the target's value on the others.
func (s *Server) showHolds(r *http.Request, p *dueprocess.Principal, list []*dueprocess.Hold) ([]shownHold, error) {
	out := make([]shownHold, len(list))
	for i, h := range list {
		out[i] = shownHold{Hold: h}
	}
	if p.May(dueprocess.PermRequestTargets) || len(list) == 0 {
		return out, nil
	}
	ids := make([]string, len(list))
	for i, h := range list {
		ids[i] = h.RequestID
	}
	assigned, err := s.db.AssignedAmong(r.Context(), p.Staff.ID, ids)
	if err != nil {
		return nil, err
	}
	for i, h := range list {
		if !assigned[h.RequestID] {
			h.Target.Value = ""
			out[i].Withheld = "the target is shown only to staff assigned to request " + h.RequestID + ", and to admins"
		}
	}
	return out, nil
}

// listHolds lists holds for staff, filtered by request, status and target,
// a page at a time. Staff who may not see every case's targets find by
// target only among the holds of their own cases, so that the filter
// cannot tell them whether someone else's account is held. The listing is
// a read of user data, and audited.
func (s *Server) listHolds(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermHoldList)
	if err != nil {
		return err
	}
	f, err := holdFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.Target != nil && !p.May(dueprocess.PermRequestTargets) {
		f.AssignedTo = p.Staff.ID
	}
	list, err := s.db.Holds(r.Context(), f)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, h := range list {
		ids[i] = h.ID
	}
	if err := s.db.Record(r.Context(), p.Actor(), dueprocess.ActionHoldsListed, "holds", map[string]any{
		"ids": ids, "request": f.RequestID, "status": f.Status, "by_target": f.Target != nil, "after": f.After}); err != nil {
		return err
	}
	shown, err := s.showHolds(r, p, list)
	if err != nil {
		return err
	}
	type page struct {
		Holds []shownHold `json:"holds"`
		Next  string      `json:"next,omitempty"`
	}
	out := page{Holds: shown}
	if len(list) == f.Limit {
		out.Next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// holdFilter reads a hold listing's query: request, status, target (as
// TYPE:VALUE, such as username:alice or email:a@example.org), after and
// limit.
func holdFilter(q url.Values) (dueprocess.HoldFilter, error) {
	f := dueprocess.HoldFilter{Limit: 50, RequestID: q.Get("request"), After: q.Get("after")}
	for name := range q {
		switch name {
		case "request", "status", "target", "after", "limit":
		default:
			return f, dueprocess.FieldError(name, "is not a known filter (request, status, target, after, limit)")
		}
	}
	var err error
	if v := q.Get("status"); v != "" {
		if f.Status, err = dueprocess.CheckHoldStatus(v); err != nil {
			return f, err
		}
	}
	if q.Has("target") {
		typ, value, ok := strings.Cut(q.Get("target"), ":")
		if !ok {
			return f, dueprocess.FieldError("target", "want TYPE:VALUE, such as username:alice")
		}
		t, err := dueprocess.CheckTarget(typ, value)
		if err != nil {
			return f, dueprocess.FieldError("target", "%s", dueprocess.ErrorMessage(err))
		}
		f.Target = &t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxPage {
			return f, dueprocess.FieldError("limit", "must be a whole number from 1 to %d", store.MaxPage)
		}
		f.Limit = n
	}
	return f, nil
}

// checkHold answers the platform's deletion job: is this account held,
// and until when? It reads one index and writes nothing, so that it can be
// asked before every deletion.
func (s *Server) checkHold(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.need(r, dueprocess.PermHoldCheck); err != nil {
		return err
	}
	q := r.URL.Query()
	for name := range q {
		if name != "type" && name != "value" {
			return dueprocess.FieldError(name, "is not a known parameter (type, value)")
		}
	}
	t, err := dueprocess.CheckTarget(q.Get("type"), q.Get("value"))
	if err != nil {
		return err
	}
	c, err := s.db.CheckHold(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// releaseHold ends a hold early, for staff, with a reason.
func (s *Server) releaseHold(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermHoldRelease)
	if err != nil {
		return err
	}
	reason, err := readReason(w, r)
	if err != nil {
		return err
	}
	h, err := s.db.ReleaseHold(r.Context(), r.PathValue("id"), reason, p.Actor())
	if err != nil {
		return err
	}
	shown, err := s.showHolds(r, p, []*dueprocess.Hold{h})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shown[0])
	return nil
}

// extendHolds extends the holds of the caller's agency's preservation
// request, once. The body is empty (then no Content-Type is needed) or {}.
func (s *Server) extendHolds(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermHoldExtend)
	if err != nil {
		return err
	}
	if p.Agency == nil {
		return requestNotFound(r.PathValue("id"))
	}
	// No body needs no Content-Type; a body must be JSON, and {}.
	if r.ContentLength != 0 {
		body, err := readJSONBody(w, r, 1<<10)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(body)) > 0 {
			var none struct{}
			if err := decodeStrict(body, &none); err != nil {
				return err
			}
		}
	}
	holds, err := s.db.ExtendHolds(r.Context(), r.PathValue("id"), p.Agency.ID, p.Actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"request": r.PathValue("id"), "holds": holds})
	return nil
}
