package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// regimeView is what the request page shows and offers for an e-Evidence
// order: the Annex III answer form, and the enforcing authority's
// objections with the form to record one.
type regimeView struct {
	EEvidence      bool       // an EPOC or EPOC-PR: the Annex III form applies
	ValidationDue  *time.Time // an emergency order awaiting its validation: by when
	Objectable     bool       // an EPOC whose enforcing authority was notified
	Objections     []dueprocess.Objection
	Grounds        []dueprocess.Ground
	GroundText     map[dueprocess.Ground]string
	CategoryChoice []dueprocess.DataCategory
}

// loadRegime fills in the page's e-Evidence part.
func (v *requestPage) loadRegime(r *http.Request, s *Server) error {
	lp := &v.Request.LegalProcess
	if !lp.Type.EEvidence() {
		return nil
	}
	v.EEvidence, v.Grounds, v.GroundText, v.CategoryChoice = true, dueprocess.Grounds, dueprocess.GroundText, v.Request.DataCategories
	if v.Request.AwaitsValidation() && v.Request.Status.Open() {
		due := v.Request.ReceivedAt.Add(dueprocess.EmergencyValidation).UTC()
		v.ValidationDue = &due
	}
	ea := lp.RegimeFields.EnforcingAuthority
	if lp.Type != dueprocess.ProcessEPOC || ea == nil || !ea.Notified {
		return nil
	}
	v.Objectable = true
	var err error
	v.Objections, err = s.db.Objections(r.Context(), v.Request.ID)
	return err
}

// consoleObjection records the enforcing authority's objection from the
// request page, through the same store operation as the API.
func (s *Server) consoleObjection(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestObjection, func(id string) error {
		in := dueprocess.NewObjection{Grounds: r.PostFormValue("grounds")}
		if at := r.PostFormValue("received_at"); at != "" {
			in.ReceivedAt = at + ":00Z" // a datetime-local field, in UTC
		}
		o, err := in.Check(s.now())
		if err != nil {
			return err
		}
		_, err = s.db.RecordObjection(r.Context(), id, o, staff)
		return err
	})
}

// consoleValidation records the validation of an emergency order from
// the request page, through the same store operation as the API.
func (s *Server) consoleValidation(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestValidation, func(id string) error {
		in := dueprocess.NewValidation{Name: r.PostFormValue("name"), Type: r.PostFormValue("type"), Reference: r.PostFormValue("reference")}
		v, err := in.Check()
		if err != nil {
			return err
		}
		return s.db.RecordValidation(r.Context(), id, v, staff)
	})
}

// consoleCannotComply records an Annex III answer from the request page,
// through the same store operation as the API.
func (s *Server) consoleCannotComply(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestCannot, func(id string) error {
		in := dueprocess.NewCannotComply{Kind: r.PostFormValue("kind"), Grounds: r.PostForm["grounds"],
			Explanation: r.PostFormValue("explanation"), Clarification: r.PostFormValue("clarification")}
		if country := strings.TrimSpace(r.PostFormValue("third_country")); country != "" {
			in.ThirdCountry = &struct {
				Country     string `json:"country"`
				Law         string `json:"law"`
				Explanation string `json:"explanation"`
			}{country, r.PostFormValue("third_country_law"), r.PostFormValue("third_country_explanation")}
		}
		if cats := r.PostForm["preserved"]; len(cats) > 0 {
			in.Preserved = &struct {
				Categories []string `json:"categories"`
				Until      string   `json:"until"`
				Note       string   `json:"note"`
			}{cats, r.PostFormValue("preserved_until"), r.PostFormValue("preserved_note")}
		}
		c, err := in.Check()
		if err != nil {
			return err
		}
		_, err = s.db.CannotComply(r.Context(), id, c, staff)
		return err
	})
}
