package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Sign-in throttling, counted in the database so that it holds across
// servers: failures per account, per address and, for the second step, per
// session, within the window. Each attempt is counted before its password
// or code is checked, and released if it was right, so that no number of
// concurrent attempts gets more checks than the limit.
const (
	// SigninWindow is how long a failed sign-in counts against its keys;
	// failures older than that are pruned.
	SigninWindow       = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
	maxSessionFailures = 5
	// SetupLinkLifetime is how long a first-run setup link works.
	SetupLinkLifetime = 24 * time.Hour
	maxFormBody       = 64 << 10
)

// wrongCredentials is the one answer for an unknown e-mail address, a
// wrong password and an account that cannot sign in, so that the page
// tells nobody which accounts exist.
const wrongCredentials = "The e-mail address or the password is wrong."

// Answers to attempts that are not checked: throttled (429), and refused
// for want of a turn to hash the password (503). Neither depends on what
// was posted.
const (
	tooManyFailures = "Too many failed sign-ins. Wait 15 minutes and try again."
	serverBusy      = "The server is busy. Try again in a moment."
)

func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the form could not be read")
	}
	return nil
}

// formPage is a form shown before sign-in (sign-in, first-run setup),
// with what was typed into it.
type formPage struct {
	basePage
	Form map[string]string
}

func (s *Server) signinPage(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if se, err := s.session(w, r, rl); err == nil && se.MFAAt != nil {
			http.Redirect(w, r, rl.base, http.StatusSeeOther)
			return nil
		}
		v := &formPage{basePage: basePage{Title: "Sign in", Base: rl.base, CSRF: s.formCSRF(w, r)}, Form: map[string]string{}}
		switch r.URL.Query().Get("done") {
		case "signedout":
			v.Flash = "You are signed out."
		case "created":
			v.Flash = "The administrator account is created. Sign in to set up your authenticator app."
		case "expired":
			v.Flash = "Your session ended; sign in again."
		case "joined":
			v.Flash = "Your password is set. Sign in to set up your second factor."
		}
		s.render(w, r, "signin", v)
		return nil
	}
}

// signinLimits are the keys a sign-in attempt is counted against: the
// account (of the realm's kind), the address, and the session of a second
// step.
func signinLimits(rl *realm, email, addr, sessionID string) []store.SigninLimit {
	l := []store.SigninLimit{{Key: rl.accountKey + email, Max: maxAccountFailures}, {Key: "address:" + addr, Max: maxAddressFailures}}
	if sessionID != "" {
		l = append(l, store.SigninLimit{Key: "session:" + sessionID, Max: maxSessionFailures})
	}
	return l
}

// reserve counts a sign-in attempt before it is checked and returns its
// id. It returns "" when a key is at its limit, having set Retry-After: the
// caller then answers 429 without checking anything.
func (s *Server) reserve(w http.ResponseWriter, r *http.Request, limits []store.SigninLimit) (string, error) {
	attempt, err := s.db.ReserveSignin(r.Context(), SigninWindow, limits...)
	if dueprocess.ErrorKind(err) == dueprocess.RateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(int(SigninWindow.Seconds())))
		return "", nil
	}
	return attempt, err
}

// release forgets an attempt that was never checked.
func (s *Server) release(r *http.Request, attempt string) error {
	return s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.ReleaseSignin(r.Context(), attempt) })
}

// hash runs fn, which hashes or checks a password, within the bound on
// hashes running at once. If no turn comes, it sets Retry-After and
// returns an Unavailable error, and fn has not run.
func (s *Server) hash(w http.ResponseWriter, r *http.Request, fn func()) error {
	err := s.hashes.Do(r.Context(), func() {
		if s.testHookHash != nil {
			s.testHookHash(true)
			defer s.testHookHash(false)
		}
		fn()
	})
	if err != nil {
		w.Header().Set("Retry-After", "1")
	}
	return err
}

func (s *Server) signin(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return s.signinAs(w, r, rl) }
}

func (s *Server) signinAs(w http.ResponseWriter, r *http.Request, rl *realm) error {
	if err := s.parseForm(w, r); err != nil {
		return err
	}
	if err := checkFormCSRF(r); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	addr := clientAddr(r)
	again := func(status int, msg string) error {
		s.render(w, r, "signin", &formPage{basePage: basePage{Title: "Sign in", Base: rl.base, CSRF: s.formCSRF(w, r), Error: msg, Status: status},
			Form: map[string]string{"email": email}})
		return nil
	}
	attempt, err := s.reserve(w, r, signinLimits(rl, email, addr, ""))
	if err != nil {
		return err
	}
	if attempt == "" {
		return again(http.StatusTooManyRequests, tooManyFailures)
	}

	creds, err := s.db.AccountByEmail(r.Context(), rl.kind, email)
	if err != nil && !errors.Is(err, dueprocess.ErrNotFound) {
		return err
	}
	ok, waiting := false, false
	var checkErr error
	err = s.hash(w, r, func() {
		if creds == nil || creds.PasswordHash == "" {
			ok = auth.CheckNoAccount(password)
			return
		}
		ok, checkErr = auth.CheckPassword(creds.PasswordHash, password)
		// An official whose registration staff have not approved yet is
		// told so, but only after the right password.
		waiting = ok && creds.Disabled && creds.Official != nil
		ok = ok && !creds.Disabled
	})
	if err != nil {
		// Never checked, so not a failure.
		if err := s.release(r, attempt); err != nil {
			return err
		}
		return again(http.StatusServiceUnavailable, serverBusy)
	}
	if checkErr != nil {
		return checkErr
	}
	if waiting {
		if err := s.release(r, attempt); err != nil {
			return err
		}
		return again(http.StatusForbidden, "Your account waits for approval by the service's staff. You can sign in once they have approved it.")
	}
	if !ok {
		// The reserved attempt stays counted, as the failure it was.
		err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
			return tx.RecordSigninFailure(r.Context(), email, addr, "password")
		})
		if err != nil {
			return err
		}
		return again(http.StatusUnauthorized, wrongCredentials)
	}

	next := rl.base + "/totp"
	if !s.hasSecondFactor(r, creds) {
		next = rl.base + "/enrol"
	}
	return s.startSession(w, r, rl, creds, attempt, next)
}

// startSession begins a session whose password step is done, releasing
// the sign-in attempt that checked it (if any) in the same transaction,
// and sends the browser to next, the second step.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, rl *realm, creds *store.Credentials, attempt, next string) error {
	secret := randomToken()
	se := &store.Session{CSRF: randomToken(), Address: clientAddr(r), UserAgent: r.UserAgent()}
	if creds.Official != nil {
		se.OfficialID = creds.Official.ID
	} else {
		se.StaffID = creds.Staff.ID
	}
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if attempt != "" {
			if err := tx.ReleaseSignin(r.Context(), attempt); err != nil {
				return err
			}
		}
		return tx.CreateSession(r.Context(), se, auth.HashToken(secret))
	})
	if err != nil {
		return err
	}
	s.setCookie(w, r, rl.cookie, secret, 0)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// pending returns the caller's session if it still needs its second
// factor; otherwise it redirects and returns nil.
func (s *Server) pending(w http.ResponseWriter, r *http.Request, rl *realm) (*store.Session, *store.Credentials, error) {
	se, err := s.session(w, r, rl)
	if errors.Is(err, errNoSession) {
		http.Redirect(w, r, rl.base+"/signin?done=expired", http.StatusSeeOther)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if se.MFAAt != nil {
		http.Redirect(w, r, rl.base, http.StatusSeeOther)
		return nil, nil, nil
	}
	creds, err := s.db.Account(r.Context(), se.Account())
	if err != nil {
		return nil, nil, err
	}
	return se, creds, nil
}

// pendingForm is pending for a posted form: it also reads the form and
// checks its CSRF token.
func (s *Server) pendingForm(w http.ResponseWriter, r *http.Request, rl *realm) (*store.Session, *store.Credentials, error) {
	se, creds, err := s.pending(w, r, rl)
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

func (s *Server) totpPage(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		se, creds, err := s.pending(w, r, rl)
		if se == nil {
			return err
		}
		if !s.hasSecondFactor(r, creds) {
			http.Redirect(w, r, rl.base+"/enrol", http.StatusSeeOther)
			return nil
		}
		s.render(w, r, "totp", s.secondStep(r, rl, se, creds, "", 0))
		return nil
	}
}

// reserveCode counts an attempt at the second step, against the account,
// the address and the session, like a password; see reserve.
func (s *Server) reserveCode(w http.ResponseWriter, r *http.Request, rl *realm, se *store.Session, creds *store.Credentials) (string, error) {
	return s.reserve(w, r, signinLimits(rl, creds.Email(), clientAddr(r), se.ID))
}

// secondFactorFailed records a wrong code in the audit log; its reserved
// attempt stays counted, like a wrong password.
func (s *Server) secondFactorFailed(r *http.Request, creds *store.Credentials, why string) error {
	return s.db.Transact(r.Context(), func(tx *store.Tx) error {
		return tx.RecordSigninFailure(r.Context(), creds.Email(), clientAddr(r), why)
	})
}

func (s *Server) totp(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return s.totpAs(w, r, rl) }
}

func (s *Server) totpAs(w http.ResponseWriter, r *http.Request, rl *realm) error {
	se, creds, err := s.pendingForm(w, r, rl)
	if se == nil {
		return err
	}
	again := func(status int, msg string) error {
		s.render(w, r, "totp", s.secondStep(r, rl, se, creds, msg, status))
		return nil
	}
	attempt, err := s.reserveCode(w, r, rl, se, creds)
	if err != nil {
		return err
	}
	if attempt == "" {
		return again(http.StatusTooManyRequests, tooManyFailures)
	}
	step, ok := auth.CheckTOTP(creds.TOTPSecret, r.PostFormValue("code"), s.now(), creds.TOTPLastStep)
	if !ok {
		why, msg := "totp", "That code is not right. Codes change every 30 seconds; enter the one your app shows now."
		if auth.ReusedTOTP(creds.TOTPSecret, r.PostFormValue("code"), s.now(), creds.TOTPLastStep) {
			why, msg = "totp used already", "That code was used already, and each code works once. Wait for your app to show the next one (at most 30 seconds), then enter it."
		}
		if err := s.secondFactorFailed(r, creds, why); err != nil {
			return err
		}
		return again(http.StatusUnauthorized, msg)
	}
	secret := randomToken()
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.UseAccountTOTPStep(r.Context(), creds.Account(), step); err != nil {
			return err
		}
		if err := tx.ReleaseSignin(r.Context(), attempt); err != nil {
			return err
		}
		return tx.CompleteSession(r.Context(), se, auth.HashToken(secret))
	})
	if errors.Is(err, dueprocess.ErrConflict) {
		// A code used already is a failed attempt, and stays counted.
		if err := s.secondFactorFailed(r, creds, "totp used already"); err != nil {
			return err
		}
		return again(http.StatusUnauthorized, "That code was used already. Wait for the next one.")
	}
	if err != nil {
		return err
	}
	s.setCookie(w, r, rl.cookie, secret, 0)
	http.Redirect(w, r, rl.base, http.StatusSeeOther)
	return nil
}

func (s *Server) enrolPage(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		se, creds, err := s.pending(w, r, rl)
		if se == nil {
			return err
		}
		if s.hasSecondFactor(r, creds) {
			http.Redirect(w, r, rl.base+"/totp", http.StatusSeeOther)
			return nil
		}
		return s.showEnrolment(w, r, rl, se, creds, "", http.StatusOK)
	}
}

// enrolPage shows a new TOTP secret, as a QR code and as text.
type enrolPage struct {
	basePage
	QR     template.URL // a data: URL of the PNG, made here, never from input
	Secret string
	// Passkeys is set where a passkey may be enrolled instead (the portal).
	Passkeys bool
}

// showEnrolment shows the QR code of the secret being enrolled, making one
// on first view; a reload shows the same one, so a code scanned before it
// still works.
func (s *Server) showEnrolment(w http.ResponseWriter, r *http.Request, rl *realm, se *store.Session, creds *store.Credentials, msg string, status int) error {
	var e *auth.Enrolment
	var err error
	if se.TOTPPending != "" {
		e, err = auth.TOTPFor(s.issuer, creds.Email(), se.TOTPPending)
	} else {
		e, err = auth.NewTOTP(s.issuer, creds.Email())
		if err == nil {
			err = s.db.SetPendingTOTP(r.Context(), se.ID, e.Secret)
		}
	}
	if err != nil {
		return err
	}
	s.render(w, r, "enrol", &enrolPage{basePage: basePage{Title: "Set up your authenticator app", Base: rl.base, CSRF: se.CSRF, Error: msg, Status: status},
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode)), Secret: e.Secret,
		Passkeys: rl.passkeys && s.webauthn != nil})
	return nil
}

func (s *Server) enrol(rl *realm) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return s.enrolAs(w, r, rl) }
}

func (s *Server) enrolAs(w http.ResponseWriter, r *http.Request, rl *realm) error {
	se, creds, err := s.pendingForm(w, r, rl)
	if se == nil {
		return err
	}
	if s.hasSecondFactor(r, creds) || se.TOTPPending == "" {
		http.Redirect(w, r, rl.base+"/totp", http.StatusSeeOther)
		return nil
	}
	attempt, err := s.reserveCode(w, r, rl, se, creds)
	if err != nil {
		return err
	}
	if attempt == "" {
		return s.showEnrolment(w, r, rl, se, creds, tooManyFailures, http.StatusTooManyRequests)
	}
	step, ok := auth.CheckTOTP(se.TOTPPending, r.PostFormValue("code"), s.now(), 0)
	if !ok {
		if err := s.secondFactorFailed(r, creds, "totp enrolment"); err != nil {
			return err
		}
		return s.showEnrolment(w, r, rl, se, creds, "That code is not right. Check the app's clock, and enter the code it shows now.", http.StatusUnauthorized)
	}
	me := creds.Account()
	secret := randomToken()
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.EnrolAccountTOTP(r.Context(), me, se.TOTPPending, step, me); err != nil {
			return err
		}
		if err := tx.ReleaseSignin(r.Context(), attempt); err != nil {
			return err
		}
		return tx.CompleteSession(r.Context(), se, auth.HashToken(secret))
	})
	if err != nil {
		return err
	}
	s.setCookie(w, r, rl.cookie, secret, 0)
	http.Redirect(w, r, rl.base, http.StatusSeeOther)
	return nil
}

// signout ends the caller's session in realm rl.
func (s *Server) signout(rl *realm, se *store.Session, w http.ResponseWriter, r *http.Request) error {
	if err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.EndSession(r.Context(), se, "signed out") }); err != nil {
		return err
	}
	s.setCookie(w, r, rl.cookie, "", -1)
	http.Redirect(w, r, rl.base+"/signin?done=signedout", http.StatusSeeOther)
	return nil
}

// signoutEverywhere ends every session of the caller's account.
func (s *Server) signoutEverywhere(rl *realm, se *store.Session, w http.ResponseWriter, r *http.Request) error {
	me := se.Account()
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		_, err := tx.EndAccountSessions(r.Context(), me, "", me)
		return err
	})
	if err != nil {
		return err
	}
	s.setCookie(w, r, rl.cookie, "", -1)
	http.Redirect(w, r, rl.base+"/signin?done=signedout", http.StatusSeeOther)
	return nil
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return dueprocess.Errorf(dueprocess.NotFound, "this setup link is not complete; copy the whole link the server printed")
	}
	s.render(w, r, "setup", &formPage{basePage: basePage{Title: "Create the first administrator", CSRF: s.formCSRF(w, r)}, Form: map[string]string{"token": token}})
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
		s.render(w, r, "setup", &formPage{basePage: basePage{Title: "Create the first administrator", CSRF: s.formCSRF(w, r), Error: msg, Status: http.StatusBadRequest}, Form: form})
		return nil
	}
	staff := &dueprocess.Staff{Email: strings.ToLower(strings.TrimSpace(form["email"])), Name: strings.TrimSpace(form["name"]), Roles: []dueprocess.Role{dueprocess.FirstRole}}
	if err := staff.Check(); err != nil {
		return again(dueprocess.ErrorMessage(err))
	}
	password := r.PostFormValue("password")
	if err := auth.CheckPasswordStrength(password, staff.Email); err != nil {
		return again("Password " + dueprocess.ErrorMessage(err) + ".")
	}
	// Anyone may post this form, so its hash too waits for a turn.
	var hash string
	if err := s.hash(w, r, func() { hash = auth.HashPassword(password) }); err != nil {
		return err
	}
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
