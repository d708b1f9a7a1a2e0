package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// realm is one signed-in site: the console, for staff, or the portal, for
// officials. Sign-in, its second step, sessions, their limits and CSRF
// are one code for both; a realm says whose accounts sign in and where its
// pages are. Each has its own session cookie, and a session is taken only
// by the realm of its account's kind, so that an official's session never
// opens the console and a staff member's never opens the portal.
type realm struct {
	kind       dueprocess.ActorType
	base       string // the path every page of the realm is under
	cookie     string // the session cookie
	accountKey string // prefix of the throttling key of an account
	passkeys   bool   // passkeys may be a second factor
}

var (
	console = &realm{kind: dueprocess.ActorStaff, base: "/console", cookie: "dp_session", accountKey: "account:"}
	portal  = &realm{kind: dueprocess.ActorOfficial, base: "/portal", cookie: "dp_portal", accountKey: "official:", passkeys: true}
)

// errNoSession sends the browser to the sign-in page.
var errNoSession = errors.New("no session")

// session returns the caller's session in realm rl, ending it if it has
// been idle or alive too long. A session whose second factor is not
// checked yet comes back too; its MFAAt is nil.
func (s *Server) session(w http.ResponseWriter, r *http.Request, rl *realm) (*store.Session, error) {
	c, err := r.Cookie(rl.cookie)
	if err != nil || c.Value == "" {
		return nil, errNoSession
	}
	se, err := s.db.SessionByHash(r.Context(), auth.HashToken(c.Value))
	if err == nil && se.Account().Type != rl.kind {
		err = dueprocess.ErrNotFound
	}
	if errors.Is(err, dueprocess.ErrNotFound) {
		s.setCookie(w, r, rl.cookie, "", -1)
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	expired := now.Sub(se.SeenAt) > s.sessionIdle || now.Sub(se.CreatedAt) > s.sessionMax ||
		(se.MFAAt == nil && now.Sub(se.CreatedAt) > pendingTimeout)
	if expired {
		err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.EndSession(r.Context(), se, "timed out") })
		if err != nil {
			return nil, err
		}
		s.setCookie(w, r, rl.cookie, "", -1)
		return nil, errNoSession
	}
	if now.Sub(se.SeenAt) > time.Minute {
		// Touching at most once a minute keeps reads from becoming writes.
		if err := s.db.TouchSession(r.Context(), se.ID, now); err != nil {
			return nil, err
		}
	}
	return se, nil
}

// hasSecondFactor reports whether an account has a second factor
// enrolled: a TOTP secret, or for an official a passkey.
func (s *Server) hasSecondFactor(r *http.Request, creds *store.Credentials) bool {
	if creds.TOTPSecret != "" {
		return true
	}
	return creds.Official != nil && s.hasPasskey(r, creds.Official.ID)
}

// secondStepPage is the second step of a sign-in: a TOTP code, or where
// the account has one, a passkey.
type secondStepPage struct {
	basePage
	TOTP    bool // the account has a TOTP secret
	Passkey bool // the account has a passkey, and the server takes them
}

func (s *Server) secondStep(r *http.Request, rl *realm, se *store.Session, creds *store.Credentials, msg string, status int) *secondStepPage {
	return &secondStepPage{basePage: basePage{Title: "Authentication code", Base: rl.base, CSRF: se.CSRF, Error: msg, Status: status},
		TOTP: creds.TOTPSecret != "", Passkey: rl.passkeys && creds.Official != nil && s.hasPasskey(r, creds.Official.ID)}
}
