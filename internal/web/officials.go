package web

import (
	"net/http"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console's Officials page: staff invite officials of registered
// agencies to the portal, approve those who registered themselves, and
// (admins) set agencies' verified e-mail domains.

type officialsPage struct {
	basePage
	Officials []store.AccountRow
	Agencies  []*dueprocess.Agency
	Form      map[string]string
	// Link is an invitation's link, shown once to the staff member who
	// made it.
	Link string
}

func (s *Server) officialsPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermOfficialInvite); err != nil {
		return err
	}
	return s.showOfficials(w, r, se, staff, map[string]string{}, "", nil)
}

func (s *Server) showOfficials(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff,
	form map[string]string, link string, failed error) error {
	list, err := s.db.Officials(r.Context())
	if err != nil {
		return err
	}
	agencies, err := s.db.Agencies(r.Context())
	if err != nil {
		return err
	}
	v := &officialsPage{basePage: basePage{Title: "Officials", Staff: staff, CSRF: se.CSRF}, Officials: list, Agencies: agencies, Form: form, Link: link}
	switch r.URL.Query().Get("done") {
	case "approved":
		v.Flash = "The official is approved and may now sign in."
	case "domains":
		v.Flash = "The agency's verified domains are saved."
	}
	if link != "" {
		v.Flash = "The invitation is made. Its link is shown below, this once."
	}
	if failed != nil {
		v.refuse(failed)
	}
	s.render(w, r, "officials", v)
	return nil
}

// inviteOfficial invites an official of a registered agency. The link is
// shown once, on the page this answers with, and handed to the mail
// integration point (officialLinkMail) in the same transaction.
func (s *Server) inviteOfficial(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermOfficialInvite); err != nil {
		return err
	}
	form := map[string]string{"agency_id": r.PostFormValue("agency_id"), "name": strings.TrimSpace(r.PostFormValue("name")),
		"email": strings.TrimSpace(r.PostFormValue("email"))}
	o := &dueprocess.Official{AgencyID: form["agency_id"], Name: form["name"], Email: form["email"]}
	secret := randomToken()
	url := s.linkURL(r, secret)
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		invited := *o
		l, err := tx.InviteOfficial(r.Context(), &invited, auth.HashToken(secret), InviteLifetime, me)
		if err != nil {
			return err
		}
		return s.mailLink(r.Context(), tx, &LinkMail{Purpose: l.Purpose, To: l.Email, Name: l.Name, URL: url, Expires: l.ExpiresAt})
	})
	if err == nil {
		return s.showOfficials(w, r, se, staff, map[string]string{}, url, nil)
	}
	switch dueprocess.ErrorKind(err) {
	case dueprocess.Invalid, dueprocess.Conflict, dueprocess.NotFound:
		return s.showOfficials(w, r, se, staff, form, "", err)
	}
	return err
}

// approveOfficial lets a self-registered official use the portal.
func (s *Server) approveOfficial(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermOfficialApprove); err != nil {
		return err
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.ApproveOfficial(r.Context(), r.PathValue("id"), me) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/officials?done=approved", http.StatusSeeOther)
	return nil
}

// setDomains replaces an agency's verified e-mail domains, one per line
// or separated by commas.
func (s *Server) setDomains(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermAgencyManage); err != nil {
		return err
	}
	domains := strings.FieldsFunc(r.PostFormValue("domains"), func(c rune) bool { return c == ',' || c == '\n' || c == '\r' || c == ' ' })
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.SetAgencyDomains(r.Context(), r.PathValue("id"), domains, me) })
	if dueprocess.ErrorKind(err) == dueprocess.Invalid {
		return s.showOfficials(w, r, se, staff, map[string]string{}, "", err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/officials?done=domains", http.StatusSeeOther)
	return nil
}
