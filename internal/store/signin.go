package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps what staff sign-in needs: passwords, TOTP secrets,
// sessions, failed attempts and first-run setup links. The rules (how many
// failures, how long a session lives) belong to internal/auth and
// internal/web; the store keeps the facts, shared by every server.

// Credentials are what sign-in checks for one account: a staff member
// (Staff) or an official (Official, with Staff left zero). PasswordHash
// and TOTPSecret are empty until set.
type Credentials struct {
	Staff        dueprocess.Staff
	Official     *dueprocess.Official
	PasswordHash string
	TOTPSecret   string
	TOTPLastStep int64
	// Disabled is set for a staff member who may no longer sign in, and
	// for an official whose account staff have not approved yet.
	Disabled bool
}

// Account returns who the credentials are of.
func (c *Credentials) Account() dueprocess.Actor {
	if c.Official != nil {
		return dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: c.Official.ID}
	}
	return dueprocess.Actor{Type: dueprocess.ActorStaff, ID: c.Staff.ID}
}

// Email returns the account's e-mail address.
func (c *Credentials) Email() string {
	if c.Official != nil {
		return c.Official.Email
	}
	return c.Staff.Email
}

// accountTable is the table that holds accounts of kind t.
func accountTable(t dueprocess.ActorType) string {
	if t == dueprocess.ActorOfficial {
		return "officials"
	}
	return "staff"
}

// object is the audit log's name of an account.
func object(who dueprocess.Actor) string {
	if who.Type == dueprocess.ActorOfficial {
		return "official:" + who.ID
	}
	return "staff:" + who.ID
}

func (db *DB) officialCredentials(ctx context.Context, where string, arg string) (*Credentials, error) {
	o := &dueprocess.Official{}
	c := &Credentials{Official: o}
	var approved *time.Time
	var suspended bool
	// A suspended official, or one of a suspended agency, cannot sign in
	// (docs/verification.md).
	err := db.sql.QueryRowContext(ctx, `SELECT id, agency_id, email, name, created_at, password_hash, totp_secret, totp_last_step, approved_at,
		suspended_at IS NOT NULL OR EXISTS (SELECT 1 FROM agencies a WHERE a.id = officials.agency_id AND a.suspended_at IS NOT NULL)
		FROM officials WHERE `+where, arg).Scan(&o.ID, &o.AgencyID, &o.Email, &o.Name, timeCol{&o.CreatedAt},
		nullString{&c.PasswordHash}, nullString{&c.TOTPSecret}, &c.TOTPLastStep, nullTimeCol{&approved}, &suspended)
	if err != nil {
		return nil, notFound(err, "official")
	}
	c.Disabled = approved == nil || suspended
	return c, nil
}

// AccountByEmail returns the credentials of the account of kind t (staff
// or official) with this e-mail address, compared without regard to case.
func (db *DB) AccountByEmail(ctx context.Context, t dueprocess.ActorType, email string) (*Credentials, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if t == dueprocess.ActorOfficial {
		return db.officialCredentials(ctx, `lower(email) = $1`, email)
	}
	return db.credentials(ctx, `lower(email) = $1`, email)
}

// Account returns the credentials of an account by who it is.
func (db *DB) Account(ctx context.Context, who dueprocess.Actor) (*Credentials, error) {
	if who.Type == dueprocess.ActorOfficial {
		return db.officialCredentials(ctx, `id = $1`, who.ID)
	}
	return db.credentials(ctx, `id = $1`, who.ID)
}

func (db *DB) credentials(ctx context.Context, where string, arg string) (*Credentials, error) {
	c := &Credentials{}
	var disabled *time.Time
	err := db.sql.QueryRowContext(ctx, `SELECT id, email, name, created_at, password_hash, totp_secret, totp_last_step, disabled_at
		FROM staff WHERE `+where, arg).Scan(&c.Staff.ID, &c.Staff.Email, &c.Staff.Name, timeCol{&c.Staff.CreatedAt},
		nullString{&c.PasswordHash}, nullString{&c.TOTPSecret}, &c.TOTPLastStep, nullTimeCol{&disabled})
	if err != nil {
		return nil, notFound(err, "staff member")
	}
	c.Disabled = disabled != nil
	if c.Staff.Roles, err = db.staffRoles(ctx, db.sql, c.Staff.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// CredentialsByEmail returns the credentials of the staff member with this
// e-mail address, compared without regard to case.
func (db *DB) CredentialsByEmail(ctx context.Context, email string) (*Credentials, error) {
	return db.credentials(ctx, `lower(email) = $1`, strings.ToLower(strings.TrimSpace(email)))
}

// Credentials returns the credentials of a staff member by id.
func (db *DB) Credentials(ctx context.Context, staffID string) (*Credentials, error) {
	return db.credentials(ctx, `id = $1`, staffID)
}

func (tx *Tx) updateAccount(ctx context.Context, who dueprocess.Actor, set string, args ...any) error {
	args = append(args, who.ID)
	res, err := tx.exec(ctx, `UPDATE `+accountTable(who.Type)+` SET `+set+fmt.Sprintf(` WHERE id = $%d`, len(args)), args...)
	if err != nil {
		return fmt.Errorf("update %s: %w", object(who), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "%s not found", object(who))
	}
	return nil
}

func staffAccount(id string) dueprocess.Actor {
	return dueprocess.Actor{Type: dueprocess.ActorStaff, ID: id}
}

// SetPassword stores a new password hash for a staff member. Every
// session they have is ended: a changed password must lock out whoever
// knew the old one.
func (tx *Tx) SetPassword(ctx context.Context, staffID, hash string, by dueprocess.Actor) error {
	if err := tx.updateAccount(ctx, staffAccount(staffID), `password_hash = $1`, hash); err != nil {
		return err
	}
	if _, err := tx.EndSessions(ctx, staffID, "", by); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionPasswordSet, "staff:"+staffID, nil)
}

// EnrolTOTP stores a staff member's TOTP secret, and the time step of the
// code that confirmed it, which may not be used again.
func (tx *Tx) EnrolTOTP(ctx context.Context, staffID, secret string, step int64, by dueprocess.Actor) error {
	return tx.EnrolAccountTOTP(ctx, staffAccount(staffID), secret, step, by)
}

// EnrolAccountTOTP is EnrolTOTP for an account of either kind.
func (tx *Tx) EnrolAccountTOTP(ctx context.Context, who dueprocess.Actor, secret string, step int64, by dueprocess.Actor) error {
	if err := tx.updateAccount(ctx, who, `totp_secret = $1, totp_last_step = $2`, secret, step); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionTOTPEnrolled, object(who), nil)
}

// UseTOTPStep records that a code of time step step was used, and fails
// with Conflict if that step or a later one was used already: with several
// servers, only one of two sign-ins racing with the same code wins.
func (tx *Tx) UseTOTPStep(ctx context.Context, staffID string, step int64) error {
	return tx.UseAccountTOTPStep(ctx, staffAccount(staffID), step)
}

// UseAccountTOTPStep is UseTOTPStep for an account of either kind.
func (tx *Tx) UseAccountTOTPStep(ctx context.Context, who dueprocess.Actor, step int64) error {
	res, err := tx.exec(ctx, `UPDATE `+accountTable(who.Type)+` SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, who.ID)
	if err != nil {
		return fmt.Errorf("use TOTP step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "this code was used already; wait for the next one")
	}
	return nil
}

// Session is a signed-in browser. It is complete once its second factor
// was checked (MFAAt); until then it may only finish signing in.
type Session struct {
	ID      string
	StaffID string
	// OfficialID is set, and StaffID empty, for a portal session.
	OfficialID string
	CSRF       string // the token every state-changing form carries
	Address    string
	UserAgent  string
	CreatedAt  time.Time
	SeenAt     time.Time
	MFAAt      *time.Time
	// TOTPPending is the secret shown at a first sign-in, kept until a code
	// from the staff member's app confirms it.
	TOTPPending string
	// WebAuthnPending is the challenge of a passkey ceremony under way
	// (the library's session data, as JSON).
	WebAuthnPending string
}

// Account returns whose session it is.
func (s *Session) Account() dueprocess.Actor {
	if s.OfficialID != "" {
		return dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: s.OfficialID}
	}
	return staffAccount(s.StaffID)
}

// CreateSession stores a new session whose secret has the sha256 hash,
// after a correct password, and records the sign-in.
func (tx *Tx) CreateSession(ctx context.Context, s *Session, hash []byte) error {
	s.ID = newID("se")
	s.CreatedAt, s.SeenAt, s.MFAAt = tx.now, tx.now, nil
	if len(s.UserAgent) > 300 {
		s.UserAgent = s.UserAgent[:300]
	}
	_, err := tx.exec(ctx, `INSERT INTO sessions (id, hash, staff_id, official_id, csrf, address, user_agent, created_at, seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, hash, textOrNil(s.StaffID), textOrNil(s.OfficialID), s.CSRF, s.Address, s.UserAgent, tx.db.ts(s.CreatedAt), tx.db.ts(s.SeenAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return tx.Record(ctx, s.Account(), dueprocess.ActionSignin, object(s.Account()),
		map[string]any{"session_id": s.ID, "step": "password", "address": s.Address})
}

// CompleteSession marks a session's second factor as checked.
//
// The session's secret is replaced by one whose hash is newHash: the
// cookie that carried the password step does not carry the signed-in
// session, so a secret fixed or seen before the second factor is useless
// after it.
func (tx *Tx) CompleteSession(ctx context.Context, s *Session, newHash []byte) error {
	return tx.CompleteSessionWith(ctx, s, newHash, "totp")
}

// CompleteSessionWith is CompleteSession for a second factor named factor
// ("totp" or "passkey"), which the audit entry records.
func (tx *Tx) CompleteSessionWith(ctx context.Context, s *Session, newHash []byte, factor string) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET mfa_at = $1, seen_at = $1, totp_pending = NULL, webauthn_pending = NULL, hash = $2
		WHERE id = $3 AND ended_at IS NULL`, tx.db.ts(tx.now), newHash, s.ID)
	if err != nil {
		return fmt.Errorf("complete session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Unauthenticated, "the session has ended; sign in again")
	}
	now := tx.now
	s.MFAAt, s.SeenAt, s.TOTPPending, s.WebAuthnPending = &now, now, "", ""
	return tx.Record(ctx, s.Account(), dueprocess.ActionSignin, object(s.Account()),
		map[string]any{"session_id": s.ID, "step": factor})
}

// SessionByHash returns the session whose secret has this hash, if it has
// not ended and its staff member is not disabled, or its official is
// approved and neither they nor their agency is suspended.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (*Session, error) {
	s := &Session{}
	err := db.sql.QueryRowContext(ctx, `SELECT se.id, se.staff_id, se.official_id, se.csrf, se.address, se.user_agent, se.created_at,
			se.seen_at, se.mfa_at, se.totp_pending, se.webauthn_pending
		FROM sessions se LEFT JOIN staff st ON st.id = se.staff_id LEFT JOIN officials o ON o.id = se.official_id
		WHERE se.hash = $1 AND se.ended_at IS NULL
			AND ((st.id IS NOT NULL AND st.disabled_at IS NULL) OR (o.id IS NOT NULL AND o.approved_at IS NOT NULL AND o.suspended_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM agencies a WHERE a.id = o.agency_id AND a.suspended_at IS NOT NULL)))`, hash).
		Scan(&s.ID, nullString{&s.StaffID}, nullString{&s.OfficialID}, &s.CSRF, &s.Address, &s.UserAgent, timeCol{&s.CreatedAt},
			timeCol{&s.SeenAt}, nullTimeCol{&s.MFAAt}, nullString{&s.TOTPPending}, nullString{&s.WebAuthnPending})
	if err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// SetPendingTOTP keeps the TOTP secret being enrolled in a session, so
// that the page that shows it and the form that confirms it agree.
func (db *DB) SetPendingTOTP(ctx context.Context, sessionID, secret string) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE sessions SET totp_pending = $1 WHERE id = $2 AND ended_at IS NULL`, secret, sessionID)
	return mapError(err)
}

// HasAdmin reports whether any staff member holds the first role (see
// dueprocess.FirstRole); a database without one gets a first-run setup
// link.
func (db *DB) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_roles WHERE role = $1`, string(dueprocess.FirstRole)).Scan(&n)
	return n > 0, mapError(err)
}

// TouchSession records that a session was used now, for the idle time-out.
func (db *DB) TouchSession(ctx context.Context, id string, now time.Time) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE sessions SET seen_at = $1 WHERE id = $2`, db.ts(now.UTC()), id)
	return mapError(err)
}

// EndSession signs one session out.
func (tx *Tx) EndSession(ctx context.Context, s *Session, reason string) error {
	if _, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, tx.db.ts(tx.now), s.ID); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return tx.Record(ctx, s.Account(), dueprocess.ActionSignout, object(s.Account()),
		map[string]any{"session_id": s.ID, "reason": reason})
}

// EndSessions signs a staff member out everywhere, except the session
// keep (empty for none), and returns how many sessions it ended.
func (tx *Tx) EndSessions(ctx context.Context, staffID, keep string, by dueprocess.Actor) (int64, error) {
	return tx.EndAccountSessions(ctx, staffAccount(staffID), keep, by)
}

// EndAccountSessions is EndSessions for an account of either kind.
func (tx *Tx) EndAccountSessions(ctx context.Context, who dueprocess.Actor, keep string, by dueprocess.Actor) (int64, error) {
	column := "staff_id"
	if who.Type == dueprocess.ActorOfficial {
		column = "official_id"
	}
	res, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1 WHERE `+column+` = $2 AND id <> $3 AND ended_at IS NULL`,
		tx.db.ts(tx.now), who.ID, keep)
	if err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return n, tx.Record(ctx, by, dueprocess.ActionSignout, object(who), map[string]any{"sessions": n, "reason": "everywhere"})
}

// SigninLimit is a key that sign-in attempts are counted against, such as
// "account:reviewer@example.com", "address:192.0.2.7" or "session:se_…",
// and how many failures it may have within the window.
type SigninLimit struct {
	Key string
	Max int
}

// maxSigninKey bounds a stored key; a longer one (an e-mail address is
// whatever a form posts) is stored as its hash, so that no posted value can
// overflow an index entry.
const maxSigninKey = 200

func signinKey(k string) string {
	if len(k) <= maxSigninKey {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ReserveSignin counts one sign-in attempt against every key before its
// password or code is checked, and returns the attempt's id. If any key has
// Max failures already within window (attempts still being checked count
// as failures), nothing is counted and the error is RateLimited; the
// caller must then refuse without checking, so that the answer says
// nothing about the password.
//
// Counting first is what makes the limit hold under concurrency: a count
// read before the check and a failure written after it would let every
// concurrent attempt see the same count. Each attempt locks its keys' rows
// in signin_keys before counting, so that on PostgreSQL attempts on one key
// from several servers count one after another; on SQLite the single
// writer does the same. An attempt that turns out right is released with
// ReleaseSignin; a wrong one stays counted as a failure.
func (db *DB) ReserveSignin(ctx context.Context, window time.Duration, limits ...SigninLimit) (string, error) {
	limits = slices.Clone(limits)
	for i := range limits {
		limits[i].Key = signinKey(limits[i].Key)
	}
	// One order for every attempt, so that two attempts on the same keys
	// never wait for each other's locks in a circle.
	slices.SortFunc(limits, func(a, b SigninLimit) int { return strings.Compare(a.Key, b.Key) })
	var attempt string
	var err error
	// A deadlock with another server's transaction (which PostgreSQL
	// breaks by failing one side) left nothing counted; try again.
	for try := 0; try < 3; try++ {
		err = db.Transact(ctx, func(tx *Tx) error {
			var e error
			attempt, e = tx.reserveSignin(ctx, window, limits)
			return e
		})
		if !isDeadlock(err) {
			break
		}
	}
	if err != nil {
		return "", err
	}
	if attempt == "" {
		return "", dueprocess.Errorf(dueprocess.RateLimited, "too many failed sign-ins; wait %s and try again", window)
	}
	return attempt, nil
}

// reserveSignin is ReserveSignin within a transaction. It returns "" when
// a key is at its limit; it does not fail then, since a failed op would
// roll back every other op of its group commit.
func (tx *Tx) reserveSignin(ctx context.Context, window time.Duration, limits []SigninLimit) (string, error) {
	since := tx.db.ts(tx.now.Add(-window))
	for _, l := range limits {
		if _, err := tx.exec(ctx, `INSERT INTO signin_keys (key, seen_at) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at`, l.Key, tx.db.ts(tx.now)); err != nil {
			return "", fmt.Errorf("lock sign-in key: %w", err)
		}
	}
	for _, l := range limits {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM signin_failures WHERE key = $1 AND at >= $2`, l.Key, since).Scan(&n); err != nil {
			return "", fmt.Errorf("count failed sign-ins: %w", mapError(err))
		}
		if n >= l.Max {
			return "", nil
		}
	}
	attempt := newID("sa")
	for _, l := range limits {
		if _, err := tx.exec(ctx, `INSERT INTO signin_failures (key, at, attempt) VALUES ($1, $2, $3)`, l.Key, tx.db.ts(tx.now), attempt); err != nil {
			return "", fmt.Errorf("count sign-in attempt: %w", err)
		}
	}
	return attempt, nil
}

// ReleaseSignin forgets an attempt counted by ReserveSignin: it was right,
// or it was never checked. Successes are not failures, so that a staff
// member who signs in often is never locked out by it.
func (tx *Tx) ReleaseSignin(ctx context.Context, attempt string) error {
	if _, err := tx.exec(ctx, `DELETE FROM signin_failures WHERE attempt = $1`, attempt); err != nil {
		return fmt.Errorf("release sign-in attempt: %w", err)
	}
	return nil
}

// RecordSigninFailure records a failed sign-in in the audit log, naming the
// account tried but never the password, and counts it against each of
// keys. An attempt reserved with ReserveSignin is counted already; pass no
// keys for it.
func (tx *Tx) RecordSigninFailure(ctx context.Context, account, address, why string, keys ...string) error {
	for _, k := range keys {
		if _, err := tx.exec(ctx, `INSERT INTO signin_failures (key, at) VALUES ($1, $2)`, signinKey(k), tx.db.ts(tx.now)); err != nil {
			return fmt.Errorf("record failed sign-in: %w", err)
		}
	}
	if len(account) > dueprocess.MaxShortLength {
		account = account[:dueprocess.MaxShortLength]
	}
	return tx.Record(ctx, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "signin"}, dueprocess.ActionSigninFailed, "signin",
		map[string]any{"account": account, "address": address, "why": why})
}

// SigninFailures returns how many failures were counted against key since,
// attempts still being checked included.
func (db *DB) SigninFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE key = $1 AND at >= $2`, signinKey(key), db.ts(since.UTC())).Scan(&n)
	return n, mapError(err)
}

// PruneSigninFailures forgets failures, and keys not tried since, older
// than before.
func (tx *Tx) PruneSigninFailures(ctx context.Context, before time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM signin_failures WHERE at < $1`, tx.db.ts(before.UTC())); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `DELETE FROM signin_keys WHERE seen_at < $1`, tx.db.ts(before.UTC()))
	return err
}

// CreateSetupToken stores the hash of a one-time link to create the first
// administrator.
func (tx *Tx) CreateSetupToken(ctx context.Context, hash []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO setup_tokens (hash, created_at) VALUES ($1, $2)`, hash, tx.db.ts(tx.now))
	return err
}

// UseSetupToken spends a setup link. An unknown, used or expired link is
// Unauthenticated, with no hint as to which.
func (tx *Tx) UseSetupToken(ctx context.Context, hash []byte, maxAge time.Duration) error {
	res, err := tx.exec(ctx, `UPDATE setup_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND created_at >= $3`,
		tx.db.ts(tx.now), hash, tx.db.ts(tx.now.Add(-maxAge)))
	if err != nil {
		return fmt.Errorf("use setup link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Unauthenticated, "this setup link is not valid; start the server on an empty database for a new one")
	}
	return nil
}

// DisableStaff stops a staff member from signing in or using tokens, and
// ends their sessions; the record stays, for the audit log's sake.
func (tx *Tx) DisableStaff(ctx context.Context, staffID string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE staff SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL`, tx.db.ts(tx.now), staffID)
	if err != nil {
		return fmt.Errorf("disable staff %s: %w", staffID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "staff member %s does not exist or is disabled already", staffID)
	}
	if _, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL`, tx.db.ts(tx.now), staffID); err != nil {
		return fmt.Errorf("disable staff %s: %w", staffID, err)
	}
	if _, err := tx.EndSessions(ctx, staffID, "", by); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionStaffDisabled, "staff:"+staffID, nil)
}
