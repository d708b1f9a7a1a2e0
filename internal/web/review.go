package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// staffWith returns the calling staff member if they hold one of roles.
func (s *Server) staffWith(r *http.Request, what string, roles ...dueprocess.Role) (*dueprocess.Principal, error) {
	p, err := s.principal(r)
	if err != nil {
		return nil, err
	}
	if p.Staff != nil {
		for _, role := range roles {
			if p.Staff.HasRole(role) {
				return p, nil
			}
		}
	}
	names := make([]string, len(roles))
	for i, role := range roles {
		names[i] = string(role)
	}
	return nil, dueprocess.Errorf(dueprocess.Forbidden, "only staff with the %s role may %s", joinOr(names), what)
}

func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + " or " + names[len(names)-1]
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
	p, err := s.staffWith(r, "review a request", dueprocess.RoleReviewer)
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
	p, err := s.staffWith(r, "approve a request", dueprocess.RoleApprover)
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
	p, err := s.staffWith(r, "assess a request's human-rights impact", dueprocess.RoleHumanRights)
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
	p, err := s.staffWith(r, "assign a request", dueprocess.RoleAdmin, dueprocess.RoleReviewer)
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
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	if p.Official == nil {
		return dueprocess.Errorf(dueprocess.Forbidden, "only the requesting agency withdraws a request")
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
