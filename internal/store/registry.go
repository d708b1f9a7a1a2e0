package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// CreateAgency registers a checked agency and returns it with its id.
func (tx *Tx) CreateAgency(ctx context.Context, a *dueprocess.Agency, by dueprocess.Actor) error {
	if err := a.Check(); err != nil {
		return err
	}
	a.ID = newID("ag")
	a.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO agencies (id, name, jurisdiction, kind, callback_phone, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.ID, a.Name, a.Jurisdiction, string(a.Kind), a.CallbackPhone, tx.db.ts(a.CreatedAt)); err != nil {
		return fmt.Errorf("create agency: %w", err)
	}
	for _, d := range a.Domains {
		if _, err := tx.exec(ctx, `INSERT INTO agency_domains (agency_id, domain) VALUES ($1, $2)`, a.ID, d); err != nil {
			return fmt.Errorf("create agency: %w", err)
		}
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencyCreated, "agency:"+a.ID, map[string]any{
		"jurisdiction": a.Jurisdiction, "kind": a.Kind, "domains": a.Domains})
}

const agencyColumns = `id, name, jurisdiction, kind, callback_phone, created_at, supervisor_contact, suspended_at, suspended_reason, signing_key`

func scanAgency(row interface{ Scan(...any) error }) (*dueprocess.Agency, error) {
	a := &dueprocess.Agency{}
	var kind string
	if err := row.Scan(&a.ID, &a.Name, &a.Jurisdiction, &kind, &a.CallbackPhone, timeCol{&a.CreatedAt},
		&a.SupervisorContact, nullTimeCol{&a.SuspendedAt}, &a.SuspendedReason, &a.SigningKey); err != nil {
		return nil, err
	}
	a.Kind = dueprocess.AgencyKind(kind)
	return a, nil
}

// Agency returns the agency with the given id.
func (db *DB) Agency(ctx context.Context, id string) (*dueprocess.Agency, error) {
	return db.agency(ctx, db.sql, id)
}

func (db *DB) agency(ctx context.Context, q querier, id string) (*dueprocess.Agency, error) {
	a, err := scanAgency(q.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "agency "+id)
	}
	if a.Domains, err = db.agencyDomains(ctx, q, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

func (db *DB) agencyDomains(ctx context.Context, q querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT domain FROM agency_domains WHERE agency_id = $1 ORDER BY domain`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	domains := []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, mapError(err)
		}
		domains = append(domains, d)
	}
	return domains, mapError(rows.Err())
}

// Agencies lists every agency, by name.
func (db *DB) Agencies(ctx context.Context) ([]*dueprocess.Agency, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+agencyColumns+` FROM agencies ORDER BY name, id`)
	if err != nil {
		return nil, mapError(err)
	}
	var list []*dueprocess.Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			rows.Close()
			return nil, mapError(err)
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	for _, a := range list {
		if a.Domains, err = db.agencyDomains(ctx, db.sql, a.ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// CreateOfficial adds a checked official to their agency.
func (tx *Tx) CreateOfficial(ctx context.Context, o *dueprocess.Official, by dueprocess.Actor) error {
	a, err := tx.db.agency(ctx, tx.tx, o.AgencyID)
	if err != nil {
		return err
	}
	if err := o.Check(a); err != nil {
		return err
	}
	o.ID = newID("of")
	o.CreatedAt = tx.now
	// Staff (or the command line) add this official, so the account is
	// approved as it is made; only a self-registration waits for approval.
	if _, err := tx.exec(ctx, `INSERT INTO officials (id, agency_id, email, name, created_at, approved_at, age_recipient) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
		o.ID, o.AgencyID, o.Email, o.Name, tx.db.ts(o.CreatedAt), textOrNil(o.AgeRecipient)); err != nil {
		if dueprocess.ErrorKind(err) == dueprocess.Conflict {
			return &dueprocess.Error{Kind: dueprocess.Conflict, Field: "email", Message: "an official with this e-mail address already exists"}
		}
		return fmt.Errorf("create official: %w", err)
	}
	return tx.Record(ctx, by, dueprocess.ActionOfficialCreated, "official:"+o.ID, map[string]any{"agency_id": o.AgencyID})
}

// OfficialByEmail returns the official with this e-mail address, compared
// without regard to case.
func (db *DB) OfficialByEmail(ctx context.Context, email string) (*dueprocess.Official, error) {
	o, err := scanOfficial(db.sql.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE lower(email) = $1`,
		strings.ToLower(strings.TrimSpace(email))))
	if err != nil {
		return nil, notFound(err, "official "+email)
	}
	return o, nil
}

// Official returns the official with the given id.
func (db *DB) Official(ctx context.Context, id string) (*dueprocess.Official, error) {
	return db.official(ctx, db.sql, id)
}

func (db *DB) official(ctx context.Context, q querier, id string) (*dueprocess.Official, error) {
	o, err := scanOfficial(q.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "official "+id)
	}
	return o, nil
}

const officialColumns = `id, agency_id, email, name, created_at, suspended_at, suspended_reason, age_recipient`

func scanOfficial(row interface{ Scan(...any) error }) (*dueprocess.Official, error) {
	o := &dueprocess.Official{}
	err := row.Scan(&o.ID, &o.AgencyID, &o.Email, &o.Name, timeCol{&o.CreatedAt}, nullTimeCol{&o.SuspendedAt}, &o.SuspendedReason, nullString{&o.AgeRecipient})
	return o, err
}

// CreateStaff adds a checked staff member with their roles.
func (tx *Tx) CreateStaff(ctx context.Context, s *dueprocess.Staff, by dueprocess.Actor) error {
	if err := s.Check(); err != nil {
		return err
	}
	s.ID = newID("st")
	s.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO staff (id, email, name, created_at) VALUES ($1, $2, $3, $4)`,
		s.ID, s.Email, s.Name, tx.db.ts(s.CreatedAt)); err != nil {
		if dueprocess.ErrorKind(err) == dueprocess.Conflict {
			return &dueprocess.Error{Kind: dueprocess.Conflict, Field: "email", Message: "a staff member with this e-mail address already exists"}
		}
		return fmt.Errorf("create staff: %w", err)
	}
	for _, r := range s.Roles {
		if _, err := tx.exec(ctx, `INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING`, s.ID, string(r)); err != nil {
			return fmt.Errorf("create staff: %w", err)
		}
	}
	return tx.Record(ctx, by, dueprocess.ActionStaffCreated, "staff:"+s.ID, map[string]any{"roles": s.Roles})
}

// StaffMembers lists every staff member with their roles, by e-mail.
func (db *DB) StaffMembers(ctx context.Context) ([]*dueprocess.Staff, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, email, name, created_at, disabled_at IS NOT NULL FROM staff ORDER BY email`)
	if err != nil {
		return nil, mapError(err)
	}
	var list []*dueprocess.Staff
	for rows.Next() {
		s := &dueprocess.Staff{}
		if err := rows.Scan(&s.ID, &s.Email, &s.Name, timeCol{&s.CreatedAt}, &s.Disabled); err != nil {
			rows.Close()
			return nil, mapError(err)
		}
		list = append(list, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	for _, s := range list {
		if s.Roles, err = db.staffRoles(ctx, db.sql, s.ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Staff returns the staff member with the given id.
func (db *DB) Staff(ctx context.Context, id string) (*dueprocess.Staff, error) {
	return db.staff(ctx, db.sql, id)
}

func (db *DB) staff(ctx context.Context, q querier, id string) (*dueprocess.Staff, error) {
	s := &dueprocess.Staff{}
	err := q.QueryRowContext(ctx, `SELECT id, email, name, created_at FROM staff WHERE id = $1`, id).
		Scan(&s.ID, &s.Email, &s.Name, timeCol{&s.CreatedAt})
	if err != nil {
		return nil, notFound(err, "staff member "+id)
	}
	if s.Roles, err = db.staffRoles(ctx, q, id); err != nil {
		return nil, err
	}
	return s, nil
}

func (db *DB) staffRoles(ctx context.Context, q querier, id string) ([]dueprocess.Role, error) {
	rows, err := q.QueryContext(ctx, `SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var roles []dueprocess.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, mapError(err)
		}
		roles = append(roles, dueprocess.Role(r))
	}
	return roles, mapError(rows.Err())
}

// CreateToken stores the hash of a new API token for an official or a
// staff member (exactly one of t.OfficialID, t.StaffID).
func (tx *Tx) CreateToken(ctx context.Context, t *dueprocess.Token, hash []byte, by dueprocess.Actor) error {
	if (t.OfficialID == "") == (t.StaffID == "") {
		return dueprocess.Errorf(dueprocess.Invalid, "a token belongs to exactly one official or staff member")
	}
	t.ID = newID("tk")
	t.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO tokens (id, hash, official_id, staff_id, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, hash, textOrNil(t.OfficialID), textOrNil(t.StaffID), t.Label, tx.db.ts(t.CreatedAt)); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	body := map[string]any{"official_id": t.OfficialID}
	if t.StaffID != "" {
		body = map[string]any{"staff_id": t.StaffID}
	}
	return tx.Record(ctx, by, dueprocess.ActionTokenIssued, "token:"+t.ID, body)
}

// RevokeToken revokes a token; a revoked token no longer authenticates.
func (tx *Tx) RevokeToken(ctx context.Context, id string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, tx.db.ts(tx.now), id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "token %s not found or already revoked", id)
	}
	return tx.Record(ctx, by, dueprocess.ActionTokenRevoked, "token:"+id, nil)
}

// PrincipalByTokenHash returns who holds the unrevoked token with this hash.
// It runs on every API call, so the token, its holder and the holder's
// agency come back in one query.
func (db *DB) PrincipalByTokenHash(ctx context.Context, hash []byte) (*dueprocess.Principal, error) {
	var tokenID, officialID, staffID string
	var o dueprocess.Official
	var a dueprocess.Agency
	var agencyKind string
	var s dueprocess.Staff
	var oCreated, aCreated, sCreated *time.Time
	err := db.sql.QueryRowContext(ctx, `SELECT t.id, t.official_id, t.staff_id,
			o.agency_id, o.email, o.name, o.created_at,
			a.name, a.jurisdiction, a.kind, a.callback_phone, a.created_at,
			s.email, s.name, s.created_at
		FROM tokens t
		LEFT JOIN officials o ON o.id = t.official_id
		LEFT JOIN agencies a ON a.id = o.agency_id
		LEFT JOIN staff s ON s.id = t.staff_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND s.disabled_at IS NULL
			AND o.suspended_at IS NULL AND a.suspended_at IS NULL`, hash).
		Scan(&tokenID, nullString{&officialID}, nullString{&staffID},
			nullString{&o.AgencyID}, nullString{&o.Email}, nullString{&o.Name}, nullTimeCol{&oCreated},
			nullString{&a.Name}, nullString{&a.Jurisdiction}, nullString{&agencyKind}, nullString{&a.CallbackPhone}, nullTimeCol{&aCreated},
			nullString{&s.Email}, nullString{&s.Name}, nullTimeCol{&sCreated})
	if err != nil {
		return nil, notFound(err, "token")
	}
	p := &dueprocess.Principal{TokenID: tokenID}
	if officialID != "" {
		o.ID, o.CreatedAt = officialID, *oCreated
		a.ID, a.Kind, a.CreatedAt = o.AgencyID, dueprocess.AgencyKind(agencyKind), *aCreated
		if a.Domains, err = db.agencyDomains(ctx, db.sql, a.ID); err != nil {
			return nil, err
		}
		p.Official, p.Agency = &o, &a
		return p, nil
	}
	s.ID, s.CreatedAt = staffID, *sCreated
	if s.Roles, err = db.staffRoles(ctx, db.sql, s.ID); err != nil {
		return nil, err
	}
	p.Staff = &s
	return p, nil
}

// joinList and splitList keep short lists of names from a small, closed
// set (data categories, request kinds, routes) in one text column.
func joinList[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

func splitList[T ~string](s string) []T {
	xs := []T{}
	if s == "" {
		return xs
	}
	for _, x := range strings.Split(s, ",") {
		xs = append(xs, T(x))
	}
	return xs
}
