package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Passkeys (WebAuthn) are a second factor for officials, beside TOTP,
// where the browser offers them. Both ceremonies run on a session whose
// password is checked and whose second factor is not: registration when
// the official has no second factor yet (in place of enrolling TOTP), and
// login when they have a passkey. The challenge is kept in the session's
// row, so that another server may finish what one began. The page's
// script (static/passkey.js) posts JSON with the session's CSRF token in
// the X-CSRF-Token header.

// maxCeremonyBody bounds a ceremony's JSON body.
const maxCeremonyBody = 64 << 10

// passkeyUser is an official as the WebAuthn library sees them.
type passkeyUser struct {
	o     *dueprocess.Official
	creds []webauthn.Credential
	rows  []store.Passkey
}

func (u *passkeyUser) WebAuthnID() []byte                         { return []byte(u.o.ID) }
func (u *passkeyUser) WebAuthnName() string                       { return u.o.Email }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.o.Name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Server) passkeyUser(r *http.Request, o *dueprocess.Official) (*passkeyUser, error) {
	rows, err := s.db.Passkeys(r.Context(), o.ID)
	if err != nil {
		return nil, err
	}
	u := &passkeyUser{o: o, rows: rows}
	for _, p := range rows {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(p.Credential), &c); err != nil {
			return nil, err
		}
		u.creds = append(u.creds, c)
	}
	return u, nil
}

// hasPasskey reports whether an official has a passkey the server can
// check (none when passkeys are not configured).
func (s *Server) hasPasskey(r *http.Request, officialID string) bool {
	if s.webauthn == nil {
		return false
	}
	rows, err := s.db.Passkeys(r.Context(), officialID)
	return err == nil && len(rows) > 0
}

// ceremony returns the portal session of a ceremony's call, its official
// and their passkeys, after checking the CSRF header. The session is one
// whose second factor is not checked yet, unless signedIn allows a
// complete one too (adding a passkey from the security page).
func (s *Server) ceremony(w http.ResponseWriter, r *http.Request, signedIn bool) (*store.Session, *store.Credentials, *passkeyUser, error) {
	if s.webauthn == nil {
		return nil, nil, nil, dueprocess.Errorf(dueprocess.NotFound, "passkeys are not configured on this server")
	}
	se, err := s.session(w, r, portal)
	if errors.Is(err, errNoSession) {
		return nil, nil, nil, dueprocess.Errorf(dueprocess.Unauthenticated, "your sign-in has expired; sign in again")
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if got := r.Header.Get("X-CSRF-Token"); subtle.ConstantTimeCompare([]byte(got), []byte(se.CSRF)) != 1 {
		return nil, nil, nil, dueprocess.Errorf(dueprocess.Forbidden, "the page has expired; reload it and try again")
	}
	if se.MFAAt != nil && !signedIn {
		return nil, nil, nil, dueprocess.Errorf(dueprocess.Conflict, "you are signed in already")
	}
	creds, err := s.db.Account(r.Context(), se.Account())
	if err != nil {
		return nil, nil, nil, err
	}
	u, err := s.passkeyUser(r, creds.Official)
	return se, creds, u, err
}

// pendingCeremony reads the session data saved when the ceremony began.
func pendingCeremony(se *store.Session) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	if se.WebAuthnPending == "" {
		return sd, dueprocess.Errorf(dueprocess.Conflict, "no passkey ceremony was begun; reload the page and try again")
	}
	return sd, json.Unmarshal([]byte(se.WebAuthnPending), &sd)
}

func (s *Server) saveCeremony(r *http.Request, se *store.Session, sd *webauthn.SessionData) error {
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.db.SetPendingWebAuthn(r.Context(), se.ID, string(b))
}

// mayRegister refuses a passkey registration on a half-done sign-in of an
// official who has a second factor already: that sign-in must finish
// with it, not with a passkey made on the spot.
func (s *Server) mayRegister(r *http.Request, se *store.Session, creds *store.Credentials) error {
	if se.MFAAt == nil && s.hasSecondFactor(r, creds) {
		return dueprocess.Errorf(dueprocess.Conflict, "you have a second factor already; sign in with it")
	}
	return nil
}

// passkeyRegisterBegin starts registering a passkey: as an official's
// first second factor at enrolment, or as another one once signed in.
func (s *Server) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) error {
	se, creds, u, err := s.ceremony(w, r, true)
	if err != nil {
		return err
	}
	if err := s.mayRegister(r, se, creds); err != nil {
		return err
	}
	exclude := make([]protocol.CredentialDescriptor, len(u.creds))
	for i, c := range u.creds {
		exclude[i] = c.Descriptor()
	}
	options, sd, err := s.webauthn.BeginRegistration(u, webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{UserVerification: protocol.VerificationPreferred}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return err
	}
	if err := s.saveCeremony(r, se, sd); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, options)
	return nil
}

// passkeyRegisterFinish checks the new credential against the challenge
// and stores it; at enrolment it completes the sign-in with it.
func (s *Server) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) error {
	se, creds, u, err := s.ceremony(w, r, true)
	if err != nil {
		return err
	}
	if err := s.mayRegister(r, se, creds); err != nil {
		return err
	}
	sd, err := pendingCeremony(se)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCeremonyBody))
	if err != nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the passkey's answer could not be read")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(bytes.NewReader(body))
	if err != nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the passkey's answer is malformed")
	}
	cred, err := s.webauthn.CreateCredential(u, sd, parsed)
	if err != nil {
		return &dueprocess.Error{Kind: dueprocess.Invalid, Message: "the passkey could not be checked; try again", Err: err}
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	enrolling := se.MFAAt == nil
	secret := randomToken()
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.AddPasskey(r.Context(), &store.Passkey{ID: cred.ID, OfficialID: creds.Official.ID, Credential: string(record)}); err != nil {
			return err
		}
		if !enrolling {
			return nil
		}
		return tx.CompleteSessionWith(r.Context(), se, auth.HashToken(secret), "passkey")
	})
	if err != nil {
		return err
	}
	if !enrolling {
		writeJSON(w, http.StatusOK, map[string]string{"next": "/portal/security?done=passkey"})
		return nil
	}
	s.setCookie(w, r, portal.cookie, secret, 0)
	writeJSON(w, http.StatusOK, map[string]string{"next": portal.base})
	return nil
}

// passkeyLoginBegin starts the second step of a sign-in with a passkey.
func (s *Server) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) error {
	se, _, u, err := s.ceremony(w, r, false)
	if err != nil {
		return err
	}
	if len(u.creds) == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "you have no passkey; sign in with your authenticator app")
	}
	options, sd, err := s.webauthn.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return err
	}
	if err := s.saveCeremony(r, se, sd); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, options)
	return nil
}

// passkeyLoginFinish checks an assertion as the second factor. An attempt
// is counted against the account, the address and the session before it
// is checked, as a TOTP code is.
func (s *Server) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) error {
	se, creds, u, err := s.ceremony(w, r, false)
	if err != nil {
		return err
	}
	sd, err := pendingCeremony(se)
	if err != nil {
		return err
	}
	attempt, err := s.reserveCode(w, r, portal, se, creds)
	if err != nil {
		return err
	}
	if attempt == "" {
		return dueprocess.Errorf(dueprocess.RateLimited, "too many failed sign-ins; wait 15 minutes and try again")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCeremonyBody))
	var cred *webauthn.Credential
	if err == nil {
		var parsed *protocol.ParsedCredentialAssertionData
		if parsed, err = protocol.ParseCredentialRequestResponseBody(bytes.NewReader(body)); err == nil {
			cred, err = s.webauthn.ValidateLogin(u, sd, parsed)
		}
	}
	if err != nil {
		if err := s.secondFactorFailed(r, creds, "passkey"); err != nil {
			return err
		}
		return &dueprocess.Error{Kind: dueprocess.Unauthenticated, Message: "the passkey could not be checked; try again", Err: err}
	}
	var row store.Passkey
	for _, p := range u.rows {
		if bytes.Equal(p.ID, cred.ID) {
			row = p
		}
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	secret := randomToken()
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		if err := tx.UsePasskey(r.Context(), &store.Passkey{ID: row.ID, OfficialID: row.OfficialID, Credential: string(record)}, row.Credential); err != nil {
			return err
		}
		if err := tx.ReleaseSignin(r.Context(), attempt); err != nil {
			return err
		}
		return tx.CompleteSessionWith(r.Context(), se, auth.HashToken(secret), "passkey")
	})
	if err != nil {
		return err
	}
	s.setCookie(w, r, portal.cookie, secret, 0)
	writeJSON(w, http.StatusOK, map[string]string{"next": portal.base})
	return nil
}

// securityPage shows an official's second factors, and where the server
// takes passkeys, a button to add one.
type securityPage struct {
	basePage
	TOTP     bool
	Passkeys int
	Offered  bool // the server takes passkeys
	// AgeRecipient is the official's age public key, if any.
	AgeRecipient string
}

func (s *Server) portalSecurity(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	return s.showSecurity(w, r, c, nil)
}

// showSecurity shows the sign-in security page, with failed (the refusal
// of its age key form) when not nil.
func (s *Server) showSecurity(w http.ResponseWriter, r *http.Request, c *portalCaller, failed error) error {
	creds, err := s.db.Account(r.Context(), c.p.Actor())
	if err != nil {
		return err
	}
	rows, err := s.db.Passkeys(r.Context(), c.p.Official.ID)
	if err != nil {
		return err
	}
	v := &securityPage{basePage: c.base("Sign-in security"), TOTP: creds.TOTPSecret != "", Passkeys: len(rows), Offered: s.webauthn != nil}
	v.AgeRecipient = c.p.Official.AgeRecipient
	switch r.URL.Query().Get("done") {
	case "passkey":
		v.Flash = "The passkey is added. You may sign in with it from now on."
	case "age":
		v.Flash = "Your age key is saved. Packages released to you from now on are encrypted to it."
	}
	if failed != nil {
		v.refuse(failed)
	}
	s.render(w, r, "portal_security", v)
	return nil
}
