package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Sign-in throttling, counted in the database so that it holds across
// servers: failures per account, and per address, within the window.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
	// SetupLinkLifetime is how long a first-run setup link works.
	SetupLinkLifetime = 24 * time.Hour
	maxFormBody       = 64 << 10
)

// wrongCredentials is the one answer for an unknown e-mail address, a
// wrong password and an account that cannot sign in, so that the page
// tells nobody which accounts exist.
const wrongCredentials = "The e-mail address or the password is wrong."

func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the form could not be read")
	}
	return nil
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) error {
	if se, _, err := s.session(w, r); err == nil && se.MFAAt != nil {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return nil
	}
	v := &view{Title: "Sign in", CSRF: s.formCSRF(w, r), Form: map[string]string{}}
	switch r.URL.Query().Get("done") {
	case "signedout":
		v.Flash = "You are signed out."
	case "created":
		v.Flash = "The administrator account is created. Sign in to set up your authenticator app."
	case "expired":
		v.Flash = "Your session ended; sign in again."
	}
	s.render(w, r, "signin", v)
	return nil
}

// throttled reports whether sign-in from this account or address must
// wait, having failed too often within the window.
func (s *Server) throttled(r *http.Request, accountKey, addressKey string) (bool, error) {
	since := s.now().Add(-throttleWindow)
	n, err := s.db.SigninFailures(r.Context(), accountKey, since)
	if err != nil || n >= maxAccountFailures {
		return err == nil, err
	}
	n, err = s.db.SigninFailures(r.Context(), addressKey, since)
	return err == nil && n >= maxAddressFailures, err
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if err := checkFormCSRF(r); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	addr := clientAddr(r)
	accountKey, addressKey := "account:"+email, "address:"+addr
	again := func(status int, msg string) error {
		s.render(w, r, "signin", &view{Title: "Sign in", CSRF: s.formCSRF(w, r), Error: msg, Status: status,
			Form: map[string]string{"email": email}})
		return nil
	}
	if throttled, err := s.throttled(r, accountKey, addressKey); err != nil {
		return err
	} else if throttled {
		return again(http.StatusTooManyRequests, "Too many failed sign-ins. Wait 15 minutes and try again.")
	}

	creds, err := s.db.CredentialsByEmail(r.Context(), email)
	ok := false
	switch {
	case errors.Is(err, dueprocess.ErrNotFound), err == nil && creds.PasswordHash == "":
		ok = auth.CheckNoAccount(password)
	case err != nil:
		return err
	default:
		ok, err = auth.CheckPassword(creds.PasswordHash, password)
		if err != nil {
			return err
		}
		ok = ok && !creds.Disabled
	}
	if !ok {
		err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
			return tx.RecordSigninFailure(r.Context(), email, addr, "password", accountKey, addressKey)
		})
		if err != nil {
			return err
		}
		return again(http.StatusUnauthorized, wrongCredentials)
	}

	secret := randomToken()
	se := &store.Session{StaffID: creds.Staff.ID, CSRF: randomToken(), Address: addr, UserAgent: r.UserAgent()}
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.CreateSession(r.Context(), se, auth.HashToken(secret)) })
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, secret, 0)
	next := "/console/totp"
	if creds.TOTPSecret == "" {
		next = "/console/enrol"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// pending returns the caller's session if it still needs its second
// factor; otherwise it redirects and returns nil.
func (s *Server) pending(w http.ResponseWriter, r *http.Request) (*store.Session, *store.Credentials, error) {
	se, _, err := s.session(w, r)
	if errors.Is(err, errNoSession) {
		http.Redirect(w, r, "/console/signin?done=expired", http.StatusSeeOther)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if se.MFAAt != nil {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return nil, nil, nil
	}
	creds, err := s.db.Credentials(r.Context(), se.StaffID)
	if err != nil {
		return nil, nil, err
	}
	return se, creds, nil
}

// pendingForm is pending for a posted form: it also reads the form and
// checks its CSRF token.
func (s *Server) pendingForm(w http.ResponseWriter, r *http.Request) (*store.Session, *store.Credentials, error) {
	se, creds, err := s.pending(w, r)
	if se == nil {
		return nil, nil, err
	}
	if err := s.parseForm(w, r); err != nil {
		return nil, nil, err
	}
	if err := checkCSRF(r, se.CSRF); err != nil {
		return nil, nil, err
	}
	return se, creds, nil
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) error {
	se, creds, err := s.pending(w, r)
	if se == nil {
		return err
	}
	if creds.TOTPSecret == "" {
		http.Redirect(w, r, "/console/enrol", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, "totp", &view{Title: "Authentication code", CSRF: se.CSRF})
	return nil
}

// secondFactorFailed counts a wrong code against the account and the
// address, like a wrong password.
func (s *Server) secondFactorFailed(r *http.Request, creds *store.Credentials, why string) error {
	addr := clientAddr(r)
	return s.db.Transact(r.Context(), func(tx *store.Tx) error {
		return tx.RecordSigninFailure(r.Context(), creds.Staff.Email, addr, why, "account:"+creds.Staff.Email, "address:"+addr)
	})
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request) error {
	se, creds, err := s.pendingForm(w, r)
	if se == nil {
		return err
	}
	again := func(status int, msg string) error {
		s.render(w, r, "totp", &view{Title: "Authentication code", CSRF: se.CSRF, Error: msg, Status: status})
		return nil
	}
	if throttled, err := s.throttled(r, "account:"+creds.Staff.Email, "address:"+clientAddr(r)); err != nil {
		return err
	} else if throttled {
		return again(http.StatusTooManyRequests, "Too many failed sign-ins. Wait 15 minutes and try again.")
	}
	step, ok := auth.CheckTOTP(creds.TOTPSecret, r.PostFormValue("code"), s.now(), creds.TOTPLastStep)
	if !ok {
		if err := s.secondFactorFailed(r, creds, "totp"); err != nil {
			return err
		}
		return again(http.StatusUnauthorized, "That code is not right. Codes change every 30 seconds; enter the one your app shows now.")
	}
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.UseTOTPStep(r.Context(), creds.Staff.ID, step); err != nil {
			return err
		}
		return tx.CompleteSession(r.Context(), se)
	})
	if errors.Is(err, dueprocess.ErrConflict) {
		return again(http.StatusUnauthorized, "That code was used already. Wait for the next one.")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console", http.StatusSeeOther)
	return nil
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request) error {
	se, creds, err := s.pending(w, r)
	if se == nil {
		return err
	}
	if creds.TOTPSecret != "" {
		http.Redirect(w, r, "/console/totp", http.StatusSeeOther)
		return nil
	}
	return s.showEnrolment(w, r, se, creds, "", http.StatusOK)
}

// showEnrolment shows the QR code of the secret being enrolled, making one
// on first view; a reload shows the same one, so a code scanned before it
// still works.
func (s *Server) showEnrolment(w http.ResponseWriter, r *http.Request, se *store.Session, creds *store.Credentials, msg string, status int) error {
	var e *auth.Enrolment
	var err error
	if se.TOTPPending != "" {
		e, err = auth.TOTPFor(s.issuer, creds.Staff.Email, se.TOTPPending)
	} else {
		e, err = auth.NewTOTP(s.issuer, creds.Staff.Email)
		if err == nil {
			err = s.db.SetPendingTOTP(r.Context(), se.ID, e.Secret)
		}
	}
	if err != nil {
		return err
	}
	s.render(w, r, "enrol", &view{Title: "Set up your authenticator app", CSRF: se.CSRF, Error: msg, Status: status,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode)), Secret: e.Secret})
	return nil
}

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) error {
	se, creds, err := s.pendingForm(w, r)
	if se == nil {
		return err
	}
	if creds.TOTPSecret != "" || se.TOTPPending == "" {
		http.Redirect(w, r, "/console/totp", http.StatusSeeOther)
		return nil
	}
	step, ok := auth.CheckTOTP(se.TOTPPending, r.PostFormValue("code"), s.now(), 0)
	if !ok {
		if err := s.secondFactorFailed(r, creds, "totp enrolment"); err != nil {
			return err
		}
		return s.showEnrolment(w, r, se, creds, "That code is not right. Check the app's clock, and enter the code it shows now.", http.StatusUnauthorized)
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: creds.Staff.ID}
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.EnrolTOTP(r.Context(), creds.Staff.ID, se.TOTPPending, step, me); err != nil {
			return err
		}
		return tx.CompleteSession(r.Context(), se)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console", http.StatusSeeOther)
	return nil
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.EndSession(r.Context(), se, "signed out") }); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin?done=signedout", http.StatusSeeOther)
	return nil
}

func (s *Server) signoutEverywhere(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		_, err := tx.EndSessions(r.Context(), staff.ID, "", me)
		return err
	})
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin?done=signedout", http.StatusSeeOther)
	return nil
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return dueprocess.Errorf(dueprocess.NotFound, "this setup link is not complete; copy the whole link the server printed")
	}
	s.render(w, r, "setup", &view{Title: "Create the first administrator", CSRF: s.formCSRF(w, r), Form: map[string]string{"token": token}})
	return nil
}

// setup creates the first administrator from a one-time link.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if err := checkFormCSRF(r); err != nil {
		return err
	}
	form := map[string]string{"token": r.PostFormValue("token"), "name": r.PostFormValue("name"), "email": r.PostFormValue("email")}
	again := func(msg string) error {
		s.render(w, r, "setup", &view{Title: "Create the first administrator", CSRF: s.formCSRF(w, r), Form: form, Error: msg, Status: http.StatusBadRequest})
		return nil
	}
	staff := &dueprocess.Staff{Email: strings.ToLower(strings.TrimSpace(form["email"])), Name: strings.TrimSpace(form["name"]), Roles: []dueprocess.Role{dueprocess.RoleAdmin}}
	if err := staff.Check(); err != nil {
		return again(dueprocess.ErrorMessage(err))
	}
	password := r.PostFormValue("password")
	if err := auth.CheckPasswordStrength(password, staff.Email); err != nil {
		return again("Password " + dueprocess.ErrorMessage(err) + ".")
	}
	hash := auth.HashPassword(password)
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.UseSetupToken(r.Context(), auth.HashToken(form["token"]), SetupLinkLifetime); err != nil {
			return err
		}
		if err := tx.CreateStaff(r.Context(), staff, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "setup"}); err != nil {
			return err
		}
		return tx.SetPassword(r.Context(), staff.ID, hash, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
	})
	if dueprocess.ErrorKind(err) == dueprocess.Unauthenticated || dueprocess.ErrorKind(err) == dueprocess.Conflict {
		return again(dueprocess.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/signin?done=created", http.StatusSeeOther)
	return nil
}

// home is the console's first page: the queue, filtered.
func (s *Server) home(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	f, err := queueFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = 100
	list, err := s.db.Requests(r.Context(), f)
	if err != nil {
		return err
	}
	// The queue shows no targets today; it still passes the one
	// visibility rule, so that a column added later cannot leak them.
	shown, err := s.show(r, &dueprocess.Principal{Staff: staff}, list...)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, req := range list {
		ids[i] = req.ID
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := s.db.Record(r.Context(), me, dueprocess.ActionRequestsListed, "requests", map[string]any{
		"ids": ids, "status": f.Status, "jurisdiction": f.Jurisdiction, "kind": f.Kind, "view": "console"}); err != nil {
		return err
	}
	today := dueprocess.DateOf(s.now())
	rows := make([]queueRow, len(list))
	for i, req := range shown {
		rows[i].Request = req.Request
		if !req.Deadline.IsZero() && req.Status.Open() {
			switch days := req.Deadline.Sub(today.Time).Hours() / 24; {
			case days < 0:
				rows[i].Due = "overdue"
			case days <= 3:
				rows[i].Due = "due-soon"
			}
		}
	}
	s.render(w, r, "home", &view{Title: "Queue", Staff: staff, CSRF: se.CSRF, Rows: rows, Filter: f,
		Statuses: dueprocess.Statuses, Kinds: dueprocess.RequestKinds})
	return nil
}
