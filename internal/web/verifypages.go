package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console's side of verification: the callback form and the signals
// on a request's page, the agencies page where admins keep the registry's
// contacts and suspend, and the alerts banner.

// verificationView adds to a request's page what verification shows.
func (s *Server) verificationView(r *http.Request, v *requestPage) error {
	ctx := r.Context()
	var err error
	if v.Agency, err = s.db.Agency(ctx, v.Request.AgencyID); err != nil {
		return err
	}
	if v.Official, err = s.db.Official(ctx, v.Request.OfficialID); err != nil {
		return err
	}
	if v.Callbacks, err = s.db.Callbacks(ctx, v.Request.ID); err != nil {
		return err
	}
	switch err := s.db.CheckReleasable(ctx, v.Request.ID); dueprocess.ErrorKind(err) {
	case "":
	case dueprocess.Conflict:
		v.Unreleased = dueprocess.ErrorMessage(err)
	default:
		return err
	}
	return nil
}

func (s *Server) consoleCallback(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestCallback, func(id string) error {
		in := dueprocess.NewCallback{Dialled: r.PostFormValue("dialled"), Reached: r.PostFormValue("reached"),
			Outcome: r.PostFormValue("outcome"), Note: r.PostFormValue("note")}
		if at := r.PostFormValue("called_at"); at != "" {
			in.CalledAt = at + ":00Z" // a datetime-local field, in UTC
		}
		c, err := in.Check(s.now())
		if err != nil {
			return err
		}
		return s.db.RecordCallback(r.Context(), id, c, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
	})
}

// agenciesPage is the registry as admins keep it.
type agenciesPage struct {
	basePage
	Agencies []*dueprocess.Agency
}

func (s *Server) agenciesView(r *http.Request, se *store.Session, staff *dueprocess.Staff) (*agenciesPage, error) {
	list, err := s.db.Agencies(r.Context())
	if err != nil {
		return nil, err
	}
	v := &agenciesPage{basePage: basePage{Title: "Agencies", Staff: staff, CSRF: se.CSRF}, Agencies: list}
	if r.URL.Query().Get("done") != "" {
		v.Flash = "Recorded."
	}
	return v, nil
}

func (s *Server) agenciesPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermRegistryManage); err != nil {
		return err
	}
	v, err := s.agenciesView(r, se, staff)
	if err != nil {
		return err
	}
	s.render(w, r, "agencies", v)
	return nil
}

// registryAction runs an admin's form about the registry: fn makes the
// one store call; back is where success returns to. A refusal shows the
// agencies page with the reason.
func (s *Server) registryAction(back func(r *http.Request) string, fn func(r *http.Request, by dueprocess.Actor) error) func(http.ResponseWriter, *http.Request, *store.Session, *dueprocess.Staff) error {
	return func(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
		err := allow(staff, dueprocess.PermRegistryManage)
		if err == nil {
			err = fn(r, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
		}
		if err == nil {
			http.Redirect(w, r, back(r), http.StatusSeeOther)
			return nil
		}
		if k := dueprocess.ErrorKind(err); k == dueprocess.Internal || k == dueprocess.Unavailable || k == dueprocess.Forbidden {
			return err
		}
		v, verr := s.agenciesView(r, se, staff)
		if verr != nil {
			return verr
		}
		v.refuse(err)
		s.render(w, r, "agencies", v)
		return nil
	}
}

func toAgencies(*http.Request) string { return "/console/agencies?done=1" }

// toRequest returns to the request the form was posted from, or to the
// agencies page.
func toRequest(r *http.Request) string {
	if id := r.PostFormValue("request_id"); id != "" {
		return "/console/requests/" + id + "?done=recorded"
	}
	return toAgencies(r)
}

func (s *Server) consoleAgencyContact(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.registryAction(toAgencies, func(r *http.Request, by dueprocess.Actor) error {
		phone, supervisor, err := dueprocess.CheckAgencyContact(r.PostFormValue("callback_phone"), r.PostFormValue("supervisor_contact"))
		if err != nil {
			return err
		}
		return s.db.SetAgencyContact(r.Context(), r.PathValue("agency"), phone, supervisor, by)
	})(w, r, se, staff)
}

// consoleSuspension makes the four suspend and reinstate forms.
func (s *Server) consoleSuspension(path string, do func(r *http.Request, id, reason string, by dueprocess.Actor) error) func(http.ResponseWriter, *http.Request, *store.Session, *dueprocess.Staff) error {
	return s.registryAction(toRequest, func(r *http.Request, by dueprocess.Actor) error {
		reason, err := dueprocess.CheckReason(r.PostFormValue("reason"))
		if err != nil {
			return err
		}
		return do(r, r.PathValue(path), reason, by)
	})
}

func (s *Server) consoleDismissAlert(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.registryAction(func(*http.Request) string { return "/console" }, func(r *http.Request, by dueprocess.Actor) error {
		return s.db.DismissAlert(r.Context(), r.PathValue("alert"), by)
	})(w, r, se, staff)
}
