package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// enforcingObjection records that the enforcing authority notified of a
// European Production Order raised a ground for refusal, or objected
// after an emergency disclosure; it stops the release of the data.
func (s *Server) enforcingObjection(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestObjection)
	if err != nil {
		return err
	}
	var in dueprocess.NewObjection
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	o, err := in.Check(s.now())
	if err != nil {
		return err
	}
	stored, err := s.db.RecordObjection(r.Context(), r.PathValue("id"), o, p.Staff)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, stored)
	return nil
}

// recordValidation records the validation of an emergency e-Evidence
// order issued by an authority that is not a judge, court, investigating
// judge or prosecutor, which must come within 48 hours.
func (s *Server) recordValidation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestValidation)
	if err != nil {
		return err
	}
	var in dueprocess.NewValidation
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	v, err := in.Check()
	if err != nil {
		return err
	}
	if err := s.db.RecordValidation(r.Context(), r.PathValue("id"), v, p.Staff); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"request_id": r.PathValue("id"), "validated_by": v})
	return nil
}
