package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps what the officials' portal needs beyond sign-in:
// invitation and registration links, staff approval, agencies' verified
// domains, requests shared with colleagues, and officials' own tokens.

// Link is a single-use link sent to an official: an invitation from staff
// or the check of a self-registration's e-mail address.
type Link struct {
	Purpose    string // dueprocess.LinkInvite or dueprocess.LinkRegister
	AgencyID   string
	OfficialID string // set for an invitation
	Email      string
	Name       string
	ExpiresAt  time.Time
}

func (tx *Tx) insertLink(ctx context.Context, l *Link, hash []byte, lifetime time.Duration, by dueprocess.Actor) error {
	l.ExpiresAt = tx.now.Add(lifetime)
	_, err := tx.exec(ctx, `INSERT INTO official_links (hash, purpose, agency_id, official_id, email, name, created_by_type, created_by_id,
			created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		hash, l.Purpose, l.AgencyID, textOrNil(l.OfficialID), l.Email, l.Name, string(by.Type), by.ID, tx.db.ts(tx.now), tx.db.ts(l.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create link: %w", err)
	}
	return nil
}

// InviteOfficial invites o to the portal: it adds o to their agency
// (approved, since staff invite them) unless an official with that address
// who has never set a password is there already, and stores a link whose
// secret has the sha256 hash, valid for lifetime.
func (tx *Tx) InviteOfficial(ctx context.Context, o *dueprocess.Official, hash []byte, lifetime time.Duration, by dueprocess.Actor) (*Link, error) {
	var id, agencyID string
	var pw string
	err := tx.queryRow(ctx, `SELECT id, agency_id, password_hash FROM officials WHERE lower(email) = $1`, strings.ToLower(strings.TrimSpace(o.Email))).
		Scan(&id, &agencyID, nullString{&pw})
	switch {
	case err == nil && (agencyID != o.AgencyID || pw != ""):
		return nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "email", Message: "an official with this e-mail address has a portal account already"}
	case err == nil:
		found, err := tx.db.officialIn(ctx, tx.tx, id)
		if err != nil {
			return nil, err
		}
		*o = *found
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.CreateOfficial(ctx, o, by); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("invite official: %w", mapError(err))
	}
	l := &Link{Purpose: dueprocess.LinkInvite, AgencyID: o.AgencyID, OfficialID: o.ID, Email: o.Email, Name: o.Name}
	if err := tx.insertLink(ctx, l, hash, lifetime, by); err != nil {
		return nil, err
	}
	return l, tx.Record(ctx, by, dueprocess.ActionOfficialInvited, "official:"+o.ID, map[string]any{
		"agency_id": o.AgencyID, "expires_at": l.ExpiresAt})
}

// RequestRegistration stores the link that checks the address of an
// official who registers themself, at an agency whose verified domains hold
// it. The account is made when the link is used, and waits for approval.
// An address that has an account gets no link, and no error either: the
// form tells nobody which addresses have accounts.
func (tx *Tx) RequestRegistration(ctx context.Context, o *dueprocess.Official, hash []byte, lifetime time.Duration) (*Link, error) {
	a, err := tx.db.agency(ctx, tx.tx, o.AgencyID)
	if err != nil {
		return nil, err
	}
	if err := o.Check(a); err != nil {
		return nil, err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM officials WHERE lower(email) = $1`, o.Email).Scan(&n); err != nil {
		return nil, fmt.Errorf("registration: %w", mapError(err))
	}
	if n > 0 {
		return nil, nil
	}
	l := &Link{Purpose: dueprocess.LinkRegister, AgencyID: a.ID, Email: o.Email, Name: o.Name}
	if err := tx.insertLink(ctx, l, hash, lifetime, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "registration"}); err != nil {
		return nil, err
	}
	return l, tx.Record(ctx, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "registration"}, dueprocess.ActionOfficialRegistered,
		"agency:"+a.ID, map[string]any{"email": o.Email, "expires_at": l.ExpiresAt})
}

// LinkByHash returns the unused, unexpired link whose secret has this hash.
func (db *DB) LinkByHash(ctx context.Context, hash []byte) (*Link, error) {
	l := &Link{}
	err := db.sql.QueryRowContext(ctx, `SELECT purpose, agency_id, official_id, email, name, expires_at FROM official_links
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2`, hash, db.ts(db.Now().UTC())).
		Scan(&l.Purpose, &l.AgencyID, nullString{&l.OfficialID}, &l.Email, &l.Name, timeCol{&l.ExpiresAt})
	if err != nil {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "this link is not valid: it was used already, it has expired, or it is not complete")
	}
	return l, nil
}

// Join uses a link once: an invited official sets their password; a
// registering one gets their account, unapproved, with that password. It
// returns the official's credentials. A link used, expired or unknown is
// NotFound, and two uses at once let one through.
func (tx *Tx) Join(ctx context.Context, hash []byte, name, passwordHash string) (*Credentials, error) {
	res, err := tx.exec(ctx, `UPDATE official_links SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1`, tx.db.ts(tx.now), hash)
	if err != nil {
		return nil, fmt.Errorf("use link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "this link is not valid: it was used already, it has expired, or it is not complete")
	}
	l := &Link{}
	if err := tx.queryRow(ctx, `SELECT purpose, agency_id, official_id, email FROM official_links WHERE hash = $1`, hash).
		Scan(&l.Purpose, &l.AgencyID, nullString{&l.OfficialID}, &l.Email); err != nil {
		return nil, fmt.Errorf("use link: %w", mapError(err))
	}
	o := &dueprocess.Official{ID: l.OfficialID, AgencyID: l.AgencyID, Email: l.Email, Name: name}
	if l.Purpose == dueprocess.LinkRegister {
		a, err := tx.db.agency(ctx, tx.tx, l.AgencyID)
		if err != nil {
			return nil, err
		}
		if err := o.Check(a); err != nil {
			return nil, err
		}
		o.ID, o.CreatedAt = newID("of"), tx.now
		if _, err := tx.exec(ctx, `INSERT INTO officials (id, agency_id, email, name, created_at, password_hash) VALUES ($1, $2, $3, $4, $5, $6)`,
			o.ID, o.AgencyID, o.Email, o.Name, tx.db.ts(o.CreatedAt), passwordHash); err != nil {
			if dueprocess.ErrorKind(err) == dueprocess.Conflict {
				return nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "email", Message: "an official with this e-mail address exists already"}
			}
			return nil, fmt.Errorf("register official: %w", err)
		}
		if _, err := tx.exec(ctx, `UPDATE official_links SET official_id = $1 WHERE hash = $2`, o.ID, hash); err != nil {
			return nil, fmt.Errorf("use link: %w", err)
		}
	} else if err := tx.updateAccount(ctx, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID}, `password_hash = $1`, passwordHash); err != nil {
		return nil, err
	}
	who := dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID}
	if err := tx.Record(ctx, who, dueprocess.ActionOfficialJoined, "official:"+o.ID, map[string]any{"agency_id": o.AgencyID, "by": l.Purpose}); err != nil {
		return nil, err
	}
	var approved *time.Time
	c := &Credentials{Official: o, PasswordHash: passwordHash}
	if err := tx.queryRow(ctx, `SELECT name, created_at, approved_at FROM officials WHERE id = $1`, o.ID).
		Scan(&o.Name, timeCol{&o.CreatedAt}, nullTimeCol{&approved}); err != nil {
		return nil, fmt.Errorf("use link: %w", mapError(err))
	}
	c.Disabled = approved == nil
	return c, nil
}

// ApproveOfficial lets an official who registered themself use the
// portal. Approving one approved already is a Conflict.
func (tx *Tx) ApproveOfficial(ctx context.Context, id string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE officials SET approved_at = $1 WHERE id = $2 AND approved_at IS NULL`, tx.db.ts(tx.now), id)
	if err != nil {
		return fmt.Errorf("approve official: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "official %s is approved already, or does not exist", id)
	}
	return tx.Record(ctx, by, dueprocess.ActionOfficialApproved, "official:"+id, nil)
}

// AccountRow is an official as the console lists them.
type AccountRow struct {
	dueprocess.Official
	Agency   string
	Joined   bool // a password is set
	Approved bool
}

// Officials lists officials, those waiting for approval first, then by
// agency and e-mail address.
func (db *DB) Officials(ctx context.Context) ([]AccountRow, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT o.id, o.agency_id, o.email, o.name, o.created_at, a.name,
			o.password_hash IS NOT NULL, o.approved_at IS NOT NULL
		FROM officials o JOIN agencies a ON a.id = o.agency_id
		ORDER BY o.approved_at IS NOT NULL, a.name, o.email`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []AccountRow
	for rows.Next() {
		var r AccountRow
		if err := rows.Scan(&r.ID, &r.AgencyID, &r.Email, &r.Name, timeCol{&r.CreatedAt}, &r.Agency, &r.Joined, &r.Approved); err != nil {
			return nil, mapError(err)
		}
		list = append(list, r)
	}
	return list, mapError(rows.Err())
}

// Colleagues lists the approved officials of an agency, by name.
func (db *DB) Colleagues(ctx context.Context, agencyID string) ([]dueprocess.Official, error) {
	return db.officialList(ctx, `SELECT `+officialColumns+` FROM officials
		WHERE agency_id = $1 AND approved_at IS NOT NULL ORDER BY name, email`, agencyID)
}

// officialList runs a query that selects officialColumns.
func (db *DB) officialList(ctx context.Context, query string, args ...any) ([]dueprocess.Official, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []dueprocess.Official
	for rows.Next() {
		o, err := scanOfficial(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, *o)
	}
	return list, mapError(rows.Err())
}

func (db *DB) officialIn(ctx context.Context, q querier, id string) (*dueprocess.Official, error) {
	o := &dueprocess.Official{}
	err := q.QueryRowContext(ctx, `SELECT id, agency_id, email, name, created_at FROM officials WHERE id = $1`, id).
		Scan(&o.ID, &o.AgencyID, &o.Email, &o.Name, timeCol{&o.CreatedAt})
	if err != nil {
		return nil, notFound(err, "official "+id)
	}
	return o, nil
}

// SetAgencyDomains replaces an agency's verified e-mail domains, checked
// as when it was registered. Officials already added keep their accounts.
func (tx *Tx) SetAgencyDomains(ctx context.Context, agencyID string, domains []string, by dueprocess.Actor) error {
	a, err := tx.db.agency(ctx, tx.tx, agencyID)
	if err != nil {
		return err
	}
	before := a.Domains
	a.Domains = append([]string(nil), domains...)
	if err := a.Check(); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM agency_domains WHERE agency_id = $1`, a.ID); err != nil {
		return fmt.Errorf("set domains: %w", err)
	}
	for _, d := range a.Domains {
		if _, err := tx.exec(ctx, `INSERT INTO agency_domains (agency_id, domain) VALUES ($1, $2)`, a.ID, d); err != nil {
			return fmt.Errorf("set domains: %w", err)
		}
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencyDomainsSet, "agency:"+a.ID, map[string]any{"from": before, "to": a.Domains})
}

// ShareRequest shares a request of agencyID with colleague, an official of
// the same agency, so that they may act on it as its submitter does. A
// colleague of another agency is refused like one who does not exist; a
// request shared with MaxShares colleagues already is a Conflict. On
// PostgreSQL the request's row is locked first, so that shares from
// several servers count one after another.
func (tx *Tx) ShareRequest(ctx context.Context, agencyID, requestID, colleague string, by dueprocess.Actor) error {
	var submitter string
	lock := ``
	if tx.db.dialect == Postgres {
		lock = ` FOR UPDATE`
	}
	if err := tx.queryRow(ctx, `SELECT official_id FROM requests WHERE id = $1 AND agency_id = $2`+lock, requestID, agencyID).Scan(&submitter); err != nil {
		return notFound(err, "request "+requestID)
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM officials WHERE id = $1 AND agency_id = $2 AND approved_at IS NOT NULL`,
		colleague, agencyID).Scan(&n); err != nil {
		return fmt.Errorf("share: %w", mapError(err))
	}
	if n == 0 {
		return &dueprocess.Error{Kind: dueprocess.Invalid, Field: "official_id", Message: "is not an official of your agency; a request is shared only with colleagues of the same agency"}
	}
	if colleague == submitter {
		return &dueprocess.Error{Kind: dueprocess.Invalid, Field: "official_id", Message: "is the official who submitted the request"}
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM request_shares WHERE request_id = $1`, requestID).Scan(&n); err != nil {
		return fmt.Errorf("share: %w", mapError(err))
	}
	if n >= dueprocess.MaxShares {
		return dueprocess.Errorf(dueprocess.Conflict, "%s is shared with %d colleagues already, the most allowed", requestID, dueprocess.MaxShares)
	}
	if _, err := tx.exec(ctx, `INSERT INTO request_shares (request_id, official_id, shared_by, shared_at) VALUES ($1, $2, $3, $4)`,
		requestID, colleague, by.ID, tx.db.ts(tx.now)); err != nil {
		if dueprocess.ErrorKind(err) == dueprocess.Conflict {
			return dueprocess.Errorf(dueprocess.Conflict, "%s is shared with this colleague already", requestID)
		}
		return fmt.Errorf("share: %w", err)
	}
	return tx.Record(ctx, by, dueprocess.ActionRequestShared, "request:"+requestID, map[string]any{"official_id": colleague})
}

// Shares lists the colleagues a request is shared with, by name.
func (db *DB) Shares(ctx context.Context, requestID string) ([]dueprocess.Official, error) {
	return db.officialList(ctx, `SELECT `+officialColumns+` FROM officials
		WHERE id IN (SELECT official_id FROM request_shares WHERE request_id = $1) ORDER BY name, email`, requestID)
}

// MayActOn reports whether an official may act on a request of their
// agency (withdraw it, share it, and later download its answer): they
// submitted it, or it is shared with them.
func (db *DB) MayActOn(ctx context.Context, r *dueprocess.Request, officialID string) (bool, error) {
	if r.OfficialID == officialID {
		return true, nil
	}
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM request_shares WHERE request_id = $1 AND official_id = $2`, r.ID, officialID).Scan(&n)
	return n > 0, mapError(err)
}

// AgencyRequests lists an agency's requests, newest first, at most limit.
func (db *DB) AgencyRequests(ctx context.Context, agencyID string, limit int) ([]*dueprocess.Request, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE agency_id = $1 ORDER BY id DESC LIMIT $2`, agencyID, limit)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []*dueprocess.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, r)
	}
	return list, mapError(rows.Err())
}

// OfficialTokens lists an official's API tokens, revoked ones too.
func (db *DB) OfficialTokens(ctx context.Context, officialID string) ([]dueprocess.Token, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, label, created_at, revoked_at FROM tokens WHERE official_id = $1 ORDER BY created_at, id`, officialID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []dueprocess.Token
	for rows.Next() {
		t := dueprocess.Token{OfficialID: officialID}
		if err := rows.Scan(&t.ID, &t.Label, timeCol{&t.CreatedAt}, nullTimeCol{&t.RevokedAt}); err != nil {
			return nil, mapError(err)
		}
		list = append(list, t)
	}
	return list, mapError(rows.Err())
}

// RevokeOwnToken revokes a token of officialID; anyone else's token is
// not found, as a missing one.
func (tx *Tx) RevokeOwnToken(ctx context.Context, officialID, id string) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM tokens WHERE id = $1 AND official_id = $2 AND revoked_at IS NULL`, id, officialID).Scan(&n); err != nil {
		return fmt.Errorf("revoke token: %w", mapError(err))
	}
	if n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "token %s not found or already revoked", id)
	}
	return tx.RevokeToken(ctx, id, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: officialID})
}
