package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// visible is a request as one caller may see it. Every answer that
// carries a request (the API's JSON and the console's pages) holds this
// type rather than a *dueprocess.Request, and only show makes one, so a
// handler cannot write a stored request to a response without the
// visibility rule: the rule is applied in one place, for every route,
// reads and writes alike.
type visible struct {
	*dueprocess.Request
}

// show turns stored requests into what caller p may see of them:
//   - an official sees their own agency's requests whole, and another
//     agency's not at all: it is not found, exactly as a missing id is;
//   - staff who may see every case's targets (dueprocess.PermRequestTargets)
//     see every request whole;
//   - other staff see a request's targets and documents only when they
//     are assigned to its case; otherwise both are withheld, and the
//     answer says why.
//
// The requests in list are changed in place.
func (s *Server) show(r *http.Request, p *dueprocess.Principal, list ...*dueprocess.Request) ([]visible, error) {
	out := make([]visible, len(list))
	for i, req := range list {
		out[i] = visible{req}
	}
	switch {
	case !p.May(dueprocess.PermRequestRead):
		return nil, dueprocess.PermRequestRead.Refused()
	case p.Official != nil:
		// The permission is the kind of action; whose request it is, is
		// checked here.
		for _, req := range list {
			if p.Agency == nil || req.AgencyID != p.Agency.ID {
				return nil, requestNotFound(req.ID)
			}
			req.ForOfficial()
		}
		return out, nil
	case p.May(dueprocess.PermRequestTargets) || len(list) == 0:
		return out, nil
	}
	ids := make([]string, len(list))
	for i, req := range list {
		ids[i] = req.ID
	}
	assigned, err := s.db.AssignedAmong(r.Context(), p.Staff.ID, ids)
	if err != nil {
		return nil, err
	}
	for _, req := range list {
		if !assigned[req.ID] {
			req.Redact()
		}
	}
	return out, nil
}

// visibleRequest loads request id as caller p may see it. An official's
// load names their agency in the query itself (store.AgencyRequest), so
// another agency's request is not found by the same single query as a
// missing one, before any target or document is read: the two 404s take
// the same path and cost the same, and ids cannot be probed by timing.
func (s *Server) visibleRequest(r *http.Request, p *dueprocess.Principal, id string) (visible, error) {
	var req *dueprocess.Request
	var err error
	switch {
	case p.Official != nil && p.Agency != nil:
		req, err = s.db.AgencyRequest(r.Context(), p.Agency.ID, id)
	case p.Official != nil:
		return visible{}, requestNotFound(id)
	default:
		req, err = s.db.Request(r.Context(), id)
	}
	if err != nil {
		return visible{}, err
	}
	shown, err := s.show(r, p, req)
	if err != nil {
		return visible{}, err
	}
	return shown[0], nil
}

// requestNotFound is the error for a request the caller may not know of,
// worded as the store words a missing one.
func requestNotFound(id string) error {
	return dueprocess.Errorf(dueprocess.NotFound, "request %s not found", id)
}
