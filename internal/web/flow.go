package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// The workflow's moves that are neither a review step nor a pause:
// closing, a reviewer's escalation, an approver sending a proposal back,
// and the agency's answer to a request to narrow. The store checks each
// move against the workflow table; these check who may ask for it.

// readNote reads a body of {"note": "…"}, the note required.
func readNote(w http.ResponseWriter, r *http.Request) (string, error) {
	var in struct {
		Note string `json:"note"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return "", err
	}
	return dueprocess.CheckNote(in.Note)
}

// moveWithNote runs a staff move that takes a note: fn makes the one
// store call, and the answer is the request as the caller may see it.
func (s *Server) moveWithNote(w http.ResponseWriter, r *http.Request, perm dueprocess.Permission,
	fn func(id, note string, by dueprocess.Actor) error) error {
	p, err := s.need(r, perm)
	if err != nil {
		return err
	}
	note, err := readNote(w, r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := fn(id, note, p.Actor()); err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, req)
	return nil
}

// closeRequest ends a finished request.
func (s *Server) closeRequest(w http.ResponseWriter, r *http.Request) error {
	return s.moveWithNote(w, r, dueprocess.PermRequestClose, func(id, note string, by dueprocess.Actor) error {
		return s.db.CloseRequest(r.Context(), id, note, by)
	})
}

// escalateRequest sends a request in review to the human-rights officer.
func (s *Server) escalateRequest(w http.ResponseWriter, r *http.Request) error {
	return s.moveWithNote(w, r, dueprocess.PermRequestReview, func(id, note string, by dueprocess.Actor) error {
		return s.db.Escalate(r.Context(), id, note, by)
	})
}

// sendBackRequest returns a proposal awaiting approval to review.
func (s *Server) sendBackRequest(w http.ResponseWriter, r *http.Request) error {
	return s.moveWithNote(w, r, dueprocess.PermRequestApprove, func(id, note string, by dueprocess.Actor) error {
		return s.db.SendBack(r.Context(), id, note, by)
	})
}

// replyRequest records the requesting agency's answer to a request to
// narrow: a note, and optionally a narrowed request.
func (s *Server) replyRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestReply)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in dueprocess.NewReply
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	n, err := s.db.Reply(r.Context(), req.ID, &in, p.Actor(), s.decide)
	if err != nil {
		return err
	}
	req, err = s.visibleRequest(r, p, req.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Narrowing *dueprocess.Narrowing `json:"narrowing"`
		Request   visible               `json:"request"`
	}{n, req})
	return nil
}
