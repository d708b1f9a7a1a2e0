package web

import (
	"context"
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// noticePlan looks up the address of each target of r (its own e-mail, or
// the connectors' contact query) for store.Tx.PlanNotices, with the
// policy's notice settings. It talks to the platform's database, so it is
// called before the transaction that releases a package or places a hold,
// never inside it:
//
//	plan, err := s.noticePlan(ctx, req)
//	... db.Transact(ctx, func(tx *store.Tx) error {
//		... the release ...
//		_, err := tx.PlanNotices(ctx, req.ID, dueprocess.NoticeReleased, plan)
//		return err
//	})
func (s *Server) noticePlan(ctx context.Context, r *dueprocess.Request) (store.NoticePlan, error) {
	addrs, err := dueprocess.NoticeAddresses(ctx, r.Targets, s.contacts)
	if err != nil {
		return store.NoticePlan{}, dueprocess.Errorf(dueprocess.Unavailable, "the platform's contact query failed; nothing was changed; try again: %v", err)
	}
	return store.NoticePlan{Policy: s.notice, Addresses: addrs}, nil
}

// notStaff refuses officials a request's user notices: they name the
// targets and their addresses, so they are shown only to staff on the
// request's case (and admins), never to the requesting official.
func notStaff(p *dueprocess.Principal) error {
	if p.Staff == nil {
		return dueprocess.Errorf(dueprocess.Forbidden, "user notices are shown only to the staff on the request's case")
	}
	return nil
}

// listNotices answers GET /api/v1/requests/{id}/notices: each user notice
// of the request and where it stands.
func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	if err := notStaff(p); err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := onCase(req); err != nil {
		return err
	}
	list, err := s.db.Notices(r.Context(), req.ID)
	if err != nil {
		return err
	}
	if err := s.recordRead(r, p, dueprocess.ActionRequestViewed, req.ID, map[string]any{"view": "notices"}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": list})
	return nil
}

// consoleLiftNondisclosure lifts an order without an end date, from the
// request page: the notices it withheld go out. The lift shows no target,
// so the permission is enough; the page offers the form on the case only,
// where the notices are shown.
func (s *Server) consoleLiftNondisclosure(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermNoticeLift, func(id string) error {
		_, err := s.db.LiftNondisclosure(r.Context(), id, staff, r.PostFormValue("reason"))
		return err
	})
}
