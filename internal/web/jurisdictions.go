package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
)

// jurisdiction is what GET /api/v1/jurisdictions/{code} answers: whether
// the jurisdiction is paused now, by which pause, and every pause it has
// had. Pauses are public: their history is part of the transparency
// report.
type jurisdiction struct {
	Code    string             `json:"code"`
	Name    string             `json:"name"`
	Paused  bool               `json:"paused"`
	Pause   *dueprocess.Pause  `json:"pause"`
	History []dueprocess.Pause `json:"history"`
}

// pauseAnswer is what pausing and resuming answer: the pause, and the
// requests that changed status because of it.
type pauseAnswer struct {
	Pause dueprocess.Pause `json:"pause"`
	Moved []string         `json:"moved"`
}

func jurisdictionCode(r *http.Request) (string, error) {
	code, err := dueprocess.ParseJurisdiction(r.PathValue("code"))
	if err != nil {
		return "", &dueprocess.Error{Kind: dueprocess.Invalid, Field: "code", Message: dueprocess.ErrorMessage(err)}
	}
	return code, nil
}

// getJurisdiction shows a jurisdiction's pause state and history. A
// country's history includes its subdivisions' pauses.
func (s *Server) getJurisdiction(w http.ResponseWriter, r *http.Request) error {
	code, err := jurisdictionCode(r)
	if err != nil {
		return err
	}
	history, err := s.db.Pauses(r.Context(), code)
	if err != nil {
		return err
	}
	out := jurisdiction{Code: code, Name: dueprocess.Countries[dueprocess.Country(code)], History: history}
	for i := range history {
		if history[i].Jurisdiction == code && history[i].EndedAt == nil {
			out.Paused, out.Pause = true, &history[i]
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listPauses lists the pauses in force in every jurisdiction.
func (s *Server) listPauses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.db.PausesInForce(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"pauses": list})
	return nil
}

// pauseJurisdiction puts a pause in force: every unfinished request in
// its scope moves to paused, and new ones arrive paused.
func (s *Server) pauseJurisdiction(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermJurisdictionPause)
	if err != nil {
		return err
	}
	code, err := jurisdictionCode(r)
	if err != nil {
		return err
	}
	in := dueprocess.NewPause{}
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	in.Jurisdiction = code
	pause, err := in.Check()
	if err != nil {
		return err
	}
	pause.StartedBy = p.Actor()
	moved, err := s.db.Pause(r.Context(), pause)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, pauseAnswer{Pause: *pause, Moved: moved})
	return nil
}

// resumeJurisdiction ends the pause in force and releases the requests it
// held that no other pause covers (see store.Tx.Resume).
func (s *Server) resumeJurisdiction(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermJurisdictionPause)
	if err != nil {
		return err
	}
	code, err := jurisdictionCode(r)
	if err != nil {
		return err
	}
	reason, err := readReason(w, r)
	if err != nil {
		return err
	}
	ended, moved, err := s.db.Resume(r.Context(), code, reason, p.Actor(), s.decide)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pauseAnswer{Pause: *ended, Moved: moved})
	return nil
}
