package web

import (
	"net/http"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// holdsPage lists preservation holds with their expiry, soonest first
// among those in force, for staff: the targets as showHolds lets them
// see, and a status filter.
type holdsPage struct {
	basePage
	Holds    []shownHold
	Status   dueprocess.HoldStatus
	Request  string
	Statuses []dueprocess.HoldStatus
	Now      time.Time
	Next     string
}

// Soon reports whether a hold in force ends within the reminder period,
// for the page to mark it.
func (v *holdsPage) Soon(h shownHold) bool {
	return (h.Status == dueprocess.HoldActive || h.Status == dueprocess.HoldExtended) && h.ExpiresAt.Sub(v.Now) <= dueprocess.HoldReminder
}

func (s *Server) holdsPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermHoldList); err != nil {
		return err
	}
	q := r.URL.Query()
	f := dueprocess.HoldFilter{Limit: 100, After: q.Get("after"), RequestID: q.Get("request")}
	if v := q.Get("status"); v != "" {
		st, err := dueprocess.CheckHoldStatus(v)
		if err != nil {
			return err
		}
		f.Status = st
	}
	list, err := s.db.Holds(r.Context(), f)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, h := range list {
		ids[i] = h.ID
	}
	p := &dueprocess.Principal{Staff: staff}
	if err := s.db.Record(r.Context(), p.Actor(), dueprocess.ActionHoldsListed, "holds", map[string]any{
		"ids": ids, "request": f.RequestID, "status": f.Status, "after": f.After}); err != nil {
		return err
	}
	shown, err := s.showHolds(r, p, list)
	if err != nil {
		return err
	}
	v := &holdsPage{basePage: basePage{Title: "Holds", Staff: staff, CSRF: se.CSRF},
		Holds: shown, Status: f.Status, Request: f.RequestID, Statuses: dueprocess.HoldStatuses, Now: s.now()}
	if len(list) == f.Limit {
		v.Next = list[len(list)-1].ID
	}
	s.render(w, r, "holds", v)
	return nil
}
