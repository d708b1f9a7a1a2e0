package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// recordCallback records a staff member's callback to the agency of a
// request (POST /api/v1/requests/{id}/callback). Only a call to the
// number in our registry counts: any other is 409, naming why. A failed
// callback refuses the request as suspected forgery and suspends its
// official (see store.Tx.RecordCallback).
func (s *Server) recordCallback(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestCallback)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	var in dueprocess.NewCallback
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	c, err := in.Check(s.now())
	if err != nil {
		return err
	}
	if err := s.db.RecordCallback(r.Context(), req.ID, c, p.Actor()); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// suspension is one of the four routes that suspend or reinstate an
// agency or an official, each with {"reason": "…"}.
func (s *Server) suspension(do func(r *http.Request, id, reason string, by dueprocess.Actor) error, path string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.need(r, dueprocess.PermRegistryManage)
		if err != nil {
			return err
		}
		reason, err := readReason(w, r)
		if err != nil {
			return err
		}
		id := r.PathValue(path)
		if err := do(r, id, reason, p.Actor()); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id, "reason": reason})
		return nil
	}
}

func (s *Server) suspendAgency(r *http.Request, id, reason string, by dueprocess.Actor) error {
	return s.db.SuspendAgency(r.Context(), id, reason, by)
}

func (s *Server) reinstateAgency(r *http.Request, id, reason string, by dueprocess.Actor) error {
	return s.db.ReinstateAgency(r.Context(), id, reason, by)
}

func (s *Server) suspendOfficial(r *http.Request, id, reason string, by dueprocess.Actor) error {
	return s.db.SuspendOfficial(r.Context(), id, reason, by)
}

func (s *Server) reinstateOfficial(r *http.Request, id, reason string, by dueprocess.Actor) error {
	return s.db.ReinstateOfficial(r.Context(), id, reason, by)
}

// setAgencyContact sets an agency's callback number and supervisor in
// our registry (POST /api/v1/agencies/{agency}/contact).
func (s *Server) setAgencyContact(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRegistryManage)
	if err != nil {
		return err
	}
	var in struct {
		CallbackPhone     string `json:"callback_phone"`
		SupervisorContact string `json:"supervisor_contact"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	phone, supervisor, err := dueprocess.CheckAgencyContact(in.CallbackPhone, in.SupervisorContact)
	if err != nil {
		return err
	}
	id := r.PathValue("agency")
	if err := s.db.SetAgencyContact(r.Context(), id, phone, supervisor, p.Actor()); err != nil {
		return err
	}
	a, err := s.db.Agency(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// listAlerts shows the administrators' alerts not yet dismissed.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.need(r, dueprocess.PermRegistryManage); err != nil {
		return err
	}
	list, err := s.db.Alerts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": list})
	return nil
}
