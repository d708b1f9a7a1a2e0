package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// need authenticates the caller of r and returns them if they hold
// permission perm, and a Forbidden error naming who holds it otherwise.
// Every API route that needs a permission asks here; the console asks
// allow with the signed-in staff member.
func (s *Server) need(r *http.Request, perm dueprocess.Permission) (*dueprocess.Principal, error) {
	p, err := s.principal(r)
	if err != nil {
		return nil, err
	}
	if err := allow(p, perm); err != nil {
		return nil, err
	}
	return p, nil
}

// allow refuses a caller who does not hold perm.
func allow(who interface {
	May(dueprocess.Permission) bool
}, perm dueprocess.Permission) error {
	if !who.May(perm) {
		return perm.Refused()
	}
	return nil
}

// reviewAnswer is what the review routes answer: the step recorded and
// the request as it now stands, as the reviewer may see it.
type reviewAnswer struct {
	Review  *dueprocess.Review `json:"review"`
	Request visible            `json:"request"`
}

// answerReview answers a review step with the request as p may see it:
// staff not on the case get it without targets and documents, as a GET
// would give it to them.
func (s *Server) answerReview(w http.ResponseWriter, r *http.Request, p *dueprocess.Principal, rv *dueprocess.Review) error {
	req, err := s.visibleRequest(r, p, rv.RequestID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reviewAnswer{Review: rv, Request: req})
	return nil
}

// reviewRequest records a reviewer's proposal.
func (s *Server) reviewRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestReview)
	if err != nil {
		return err
	}
	var in dueprocess.NewProposal
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	rv, err := s.db.Propose(r.Context(), r.PathValue("id"), p.Staff, &in)
	if err != nil {
		return err
	}
	return s.answerReview(w, r, p, rv)
}

// approveRequest confirms a proposal to approve: four eyes.
func (s *Server) approveRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestApprove)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	rv, err := s.db.Approve(r.Context(), r.PathValue("id"), p.Staff, in.Note)
	if err != nil {
		return err
	}
	return s.answerReview(w, r, p, rv)
}

// assessHumanRights records the human-rights officer's assessment of an
// escalated request.
func (s *Server) assessHumanRights(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestAssess)
	if err != nil {
		return err
	}
	var in dueprocess.NewAssessment
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	conclusion, a, note, err := in.Check()
	if err != nil {
		return err
	}
	rv, err := s.db.AssessHumanRights(r.Context(), r.PathValue("id"), p.Staff, conclusion, a, note)
	if err != nil {
		return err
	}
	return s.answerReview(w, r, p, rv)
}

// assignRequest puts a staff member on a request's case.
func (s *Server) assignRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestAssign)
	if err != nil {
		return err
	}
	var in struct {
		StaffID string `json:"staff_id"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	if in.StaffID == "" {
		return dueprocess.FieldError("staff_id", "is required")
	}
	id := r.PathValue("id")
	if err := s.db.Assign(r.Context(), id, in.StaffID, p.Actor()); err != nil {
		return err
	}
	ids, err := s.db.Assignees(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"request_id": id, "assignees": ids})
	return nil
}

// withdrawRequest lets the requesting agency withdraw its request while
// it is unfinished.
func (s *Server) withdrawRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestWithdraw)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	reason, err := readReason(w, r)
	if err != nil {
		return err
	}
	if err := s.db.Withdraw(r.Context(), req.ID, reason, p.Actor()); err != nil {
		return err
	}
	req, err = s.visibleRequest(r, p, req.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, req)
	return nil
}
