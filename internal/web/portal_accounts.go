package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// How long the links sent to officials work. Each works once.
const (
	InviteLifetime   = 7 * 24 * time.Hour
	RegisterLifetime = 24 * time.Hour
	// maxRegistrations is how many self-registrations one address may ask
	// for within SigninWindow.
	maxRegistrations = 5
)

// LinkMail is the message that carries an invitation or a registration
// link to an official.
type LinkMail struct {
	Purpose string // dueprocess.LinkInvite or dueprocess.LinkRegister
	To      string
	Name    string
	URL     string // the link, with its secret
	Expires time.Time
}

// officialLinkMail writes an invitation or a registration link to the
// outbox, inside the transaction that makes the link, so that the message
// leaves exactly when the link is committed (and never for a link rolled
// back). Staff also see an invitation's link once, on the page that makes
// it, for an official whose mail does not arrive.
func officialLinkMail(ctx context.Context, tx *store.Tx, m *LinkMail) error {
	subject, intro := "Your invitation to the dueprocess portal", "You have been invited to the portal through which your agency sends requests to us and receives our answers."
	if m.Purpose == dueprocess.LinkRegister {
		subject, intro = "Confirm your registration for the dueprocess portal", "Someone, we hope you, asked to register this address for the portal through which your agency sends requests to us. If it was not you, ignore this message."
	}
	body := fmt.Sprintf("Dear %s,\n\n%s\n\nOpen this link to set your password and second factor:\n\n%s\n\nThe link can be used once and expires on %s (UTC). We will never ask you for your password or a code by e-mail.\n",
		m.Name, intro, m.URL, m.Expires.UTC().Format("2 January 2006 at 15:04"))
	_, err := tx.QueueMail(ctx, &dueprocess.Mail{Kind: "official." + m.Purpose, To: m.To, Subject: subject, Body: body})
	return err
}

// linkURL is the address of a link to the portal with its secret.
func (s *Server) linkURL(r *http.Request, secret string) string {
	base := s.publicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil || s.secureCookies {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/portal/join?token=" + secret
}

// joinPage is where an official sets their password from a link.
type joinPage struct {
	basePage
	Token string
	Link  *store.Link
}

func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	l, err := s.db.LinkByHash(r.Context(), auth.HashToken(token))
	if err != nil {
		return err
	}
	s.render(w, r, "portal_join", &joinPage{basePage: basePage{Title: "Create your portal account", Base: portal.base, CSRF: s.formCSRF(w, r)},
		Token: token, Link: l})
	return nil
}

// join sets the official's password from a single-use link and begins
// their first sign-in, which goes on to enrol a second factor. A
// self-registered official waits for approval first.
func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if err := checkFormCSRF(r); err != nil {
		return err
	}
	token := r.PostFormValue("token")
	hash := auth.HashToken(token)
	l, err := s.db.LinkByHash(r.Context(), hash)
	if err != nil {
		return err
	}
	again := func(err error) error {
		v := &joinPage{basePage: basePage{Title: "Create your portal account", Base: portal.base, CSRF: s.formCSRF(w, r)}, Token: token, Link: l}
		v.refuse(err)
		s.render(w, r, "portal_join", v)
		return nil
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = l.Name
	}
	password := r.PostFormValue("password")
	if err := auth.CheckPasswordStrength(password, l.Email); err != nil {
		return again(err)
	}
	var pw string
	if err := s.hash(w, r, func() { pw = auth.HashPassword(password) }); err != nil {
		return err
	}
	var creds *store.Credentials
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		var err error
		creds, err = tx.Join(r.Context(), hash, name, pw)
		return err
	})
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return again(err)
	}
	if err != nil {
		return err
	}
	if creds.Disabled {
		s.render(w, r, "portal_waiting", &basePage{Title: "Your account waits for approval", Base: portal.base})
		return nil
	}
	return s.startSession(w, r, portal, creds, "", "/portal/enrol")
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "portal_register", &formPage{basePage: basePage{Title: "Register", Base: portal.base, CSRF: s.formCSRF(w, r)}, Form: map[string]string{}})
	return nil
}

// register asks for a link to the address given, if it is at one of a
// registered agency's verified domains. The answer is the same whether it
// is or not, and whether the address has an account, so that the form
// tells nobody which agencies or accounts exist; each address may ask a
// few times within the sign-in window.
func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if err := checkFormCSRF(r); err != nil {
		return err
	}
	form := map[string]string{"name": strings.TrimSpace(r.PostFormValue("name")), "email": strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))}
	again := func(err error) error {
		v := &formPage{basePage: basePage{Title: "Register", Base: portal.base, CSRF: s.formCSRF(w, r)}, Form: form}
		v.refuse(err)
		s.render(w, r, "portal_register", v)
		return nil
	}
	o := &dueprocess.Official{Name: form["name"], Email: form["email"]}
	// The name and the address are checked alike whether the address is
	// at an agency's domain or not, so that a refusal tells nothing.
	domain := o.Email[strings.LastIndexByte(o.Email, '@')+1:]
	if err := (&dueprocess.Official{Name: o.Name, Email: o.Email}).Check(&dueprocess.Agency{Domains: []string{domain}}); err != nil {
		return again(err)
	}
	attempt, err := s.reserve(w, r, []store.SigninLimit{{Key: "register:" + clientAddr(r), Max: maxRegistrations}})
	if err != nil {
		return err
	}
	if attempt == "" {
		return again(dueprocess.Errorf(dueprocess.RateLimited, "too many registrations from your address; wait 15 minutes"))
	}
	agencies, err := s.db.Agencies(r.Context())
	if err != nil {
		return err
	}
	if a, ok := dueprocess.AgencyForEmail(agencies, o.Email); ok {
		o.AgencyID = a.ID
		secret := randomToken()
		err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
			l, err := tx.RequestRegistration(r.Context(), o, auth.HashToken(secret), RegisterLifetime)
			if err != nil || l == nil {
				return err
			}
			return s.mailLink(r.Context(), tx, &LinkMail{Purpose: l.Purpose, To: l.Email, Name: l.Name, URL: s.linkURL(r, secret), Expires: l.ExpiresAt})
		})
		if dueprocess.ErrorKind(err) == dueprocess.Invalid {
			return again(err)
		}
		if err != nil {
			return err
		}
	}
	s.render(w, r, "portal_registered", &basePage{Title: "Check your e-mail", Base: portal.base})
	return nil
}
