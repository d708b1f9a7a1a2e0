package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// cannotComply records an Annex III answer to an e-Evidence order: that
// it cannot be executed, on which grounds, or a request for clarification.
func (s *Server) cannotComply(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestCannot)
	if err != nil {
		return err
	}
	var in dueprocess.NewCannotComply
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	c, err := in.Check()
	if err != nil {
		return err
	}
	stored, err := s.db.CannotComply(r.Context(), r.PathValue("id"), c, p.Staff)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requests/"+stored.RequestID+"/cannot-comply")
	writeJSON(w, http.StatusCreated, stored)
	return nil
}

// cannotComplyAnswers are a request's Annex III answers, as JSON.
type cannotComplyAnswers struct {
	RequestID string                    `json:"request_id"`
	Answers   []dueprocess.CannotComply `json:"answers"`
}

// annex3Page is one Annex III answer as a printable page.
type annex3Page struct {
	basePage
	Request *dueprocess.Request
	Answer  dueprocess.CannotComply
	Grounds []dueprocess.Ground
	Text    map[dueprocess.Ground]string
}

// Has reports whether the answer gives ground g, for the form's boxes.
func (p *annex3Page) Has(g dueprocess.Ground) bool {
	for _, x := range p.Answer.Grounds {
		if x == g {
			return true
		}
	}
	return false
}

// getCannotComply shows a request's Annex III answers to the requesting
// agency's officials and to staff: JSON, or with Accept: text/html one
// answer (the latest, or ?seq=N) as a page laid out like Annex III, to
// print.
func (s *Server) getCannotComply(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestRead)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	answers, err := s.db.CannotComplyAnswers(r.Context(), req.ID)
	if err != nil {
		return err
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		writeJSON(w, http.StatusOK, cannotComplyAnswers{RequestID: req.ID, Answers: answers})
		return nil
	}
	return s.renderAnnex3(w, r, basePage{Title: "Annex III: " + req.ID}, req.Request, answers)
}

// portalAnnex3 shows an official of the requesting agency the Annex III
// answers to a request as the printable page, in the portal.
func (s *Server) portalAnnex3(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.visibleRequest(r, c.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	answers, err := s.db.CannotComplyAnswers(r.Context(), req.ID)
	if err != nil {
		return err
	}
	return s.renderAnnex3(w, r, c.base("Annex III: "+req.ID), req.Request, answers)
}

// renderAnnex3 renders one of answers, the latest or ?seq=N, as a page
// laid out like Annex III.
func (s *Server) renderAnnex3(w http.ResponseWriter, r *http.Request, base basePage, req *dueprocess.Request, answers []dueprocess.CannotComply) error {
	if len(answers) == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "%s has no Annex III answer", req.ID)
	}
	answer := answers[len(answers)-1]
	if q := r.URL.Query().Get("seq"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > len(answers) {
			return dueprocess.FieldError("seq", "%q is not the number of one of this request's %d answers", q, len(answers))
		}
		answer = answers[n-1]
	}
	s.render(w, r, "annex3", &annex3Page{basePage: base, Request: req, Answer: answer, Grounds: dueprocess.Grounds, Text: dueprocess.GroundText})
	return nil
}
