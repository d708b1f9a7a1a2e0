package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps preservation holds: placed when a preservation request
// reaches review, linked to later user_data requests about the same
// target, extended once by the official, released by staff or with their
// request, expired by the expiry loop (holdjobs.go). Which moves of a
// request touch its holds is said once, in holdsOnMove, which SetStatus
// calls: every route that moves a request (withdraw, close, review) takes
// its holds along without knowing about them.

// holdInForce is the SQL list of statuses a hold may be in force in.
var holdInForce = `('` + string(dueprocess.HoldActive) + `', '` + string(dueprocess.HoldExtended) + `', '` + string(dueprocess.HoldSuperseded) + `')`

// holdRunning is the SQL list of statuses of a hold whose term runs.
var holdRunning = `('` + string(dueprocess.HoldActive) + `', '` + string(dueprocess.HoldExtended) + `')`

const holdColumns = `id, request_id, target_type, target_value, status, created_at, expires_at, extension_days,
	extended_at, reminded_at, ended_at, end_reason`

func scanHold(row interface{ Scan(...any) error }) (*dueprocess.Hold, error) {
	h := &dueprocess.Hold{}
	var typ, status string
	err := row.Scan(&h.ID, &h.RequestID, &typ, &h.Target.Value, &status, timeCol{&h.CreatedAt}, timeCol{&h.ExpiresAt},
		&h.ExtensionDays, nullTimeCol{&h.ExtendedAt}, nullTimeCol{&h.RemindedAt}, nullTimeCol{&h.EndedAt}, nullString{&h.EndReason})
	h.Target.Type, h.Status = dueprocess.TargetType(typ), dueprocess.HoldStatus(status)
	return h, err
}

// holdTerms returns the terms of a jurisdiction's holds: the policy's, if
// the server set HoldTerms, else 90 days and one extension of 90. A
// European Preservation Order's are the Regulation's, wherever it comes
// from.
func (db *DB) holdTerms(jurisdiction string, process dueprocess.LegalProcessType) dueprocess.HoldTerms {
	if process == dueprocess.ProcessEPOCPR {
		return dueprocess.EPOCPRHoldTerms
	}
	if db.HoldTerms != nil {
		return db.HoldTerms(jurisdiction)
	}
	return dueprocess.DefaultHoldTerms
}

// placeHolds puts one hold on each target of a preservation request, on
// the terms of its jurisdiction, unless it has holds already (a request
// that comes back to review after a pause or a narrowing keeps the ones it
// has). It records one audit entry for the request, which names the holds
// but not the targets: those are user data.
func (tx *Tx) placeHolds(ctx context.Context, requestID, jurisdiction string, process dueprocess.LegalProcessType, targets []dueprocess.Target, by dueprocess.Actor) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM holds WHERE request_id = $1`, requestID).Scan(&n); err != nil {
		return mapError(fmt.Errorf("holds of %s: %w", requestID, err))
	}
	if n > 0 || len(targets) == 0 {
		return nil
	}
	terms := tx.db.holdTerms(jurisdiction, process)
	expires := tx.now.Add(time.Duration(terms.Days) * 24 * time.Hour)
	ids := make([]string, len(targets))
	for i := range ids {
		ids[i] = newID("hd")
	}
	err := insertRows(ctx, tx.tx, `INSERT INTO holds (id, request_id, target_type, target_value, status, created_at, expires_at, extension_days) VALUES `, ``, 8, len(targets),
		func(i int) []any {
			return []any{ids[i], requestID, string(targets[i].Type), targets[i].Value, string(dueprocess.HoldActive),
				tx.db.ts(tx.now), tx.db.ts(expires), terms.ExtensionDays}
		})
	if err != nil {
		return fmt.Errorf("place holds for %s: %w", requestID, err)
	}
	if err := tx.Record(ctx, by, dueprocess.ActionHoldsPlaced, "request:"+requestID, map[string]any{
		"holds": ids, "expires_at": expires, "days": terms.Days, "extension_days": terms.ExtensionDays}); err != nil {
		return err
	}
	// The users are told if the policy says so (notice.on_hold). This
	// runs inside intake and status moves, so no address is looked up
	// here: the notice loop asks the platform, outside any transaction.
	_, err = tx.PlanNotices(ctx, requestID, dueprocess.NoticeHoldPlaced, NoticePlan{Policy: tx.NoticePolicy()})
	return err
}

// linkHolds links a user_data request to every hold in force on one of its
// targets: such a hold is superseded, and stays until the last request
// linked to it is closed or withdrawn.
func (tx *Tx) linkHolds(ctx context.Context, requestID string, targets []dueprocess.Target, by dueprocess.Actor) error {
	var ids []string
	for _, t := range targets {
		found, err := tx.holdIDs(ctx, `target_type = $1 AND target_value = $2 AND status IN `+holdInForce+` AND (status = $3 OR expires_at > $4)`,
			string(t.Type), t.Value, string(dueprocess.HoldSuperseded), tx.db.ts(tx.now))
		if err != nil {
			return err
		}
		ids = append(ids, found...)
	}
	if len(ids) == 0 {
		return nil
	}
	var linked []string
	for _, id := range ids {
		// Only while it is still in force: another server's loop may
		// have expired it, or staff released it, since it was read.
		res, err := tx.exec(ctx, `UPDATE holds SET status = $1 WHERE id = $2 AND status IN `+holdInForce+` AND (status = $1 OR expires_at > $3)`,
			string(dueprocess.HoldSuperseded), id, tx.db.ts(tx.now))
		if err != nil {
			return fmt.Errorf("supersede hold %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO hold_links (hold_id, request_id, linked_at) VALUES ($1, $2, $3)`, id, requestID, tx.db.ts(tx.now)); err != nil {
			return fmt.Errorf("link hold %s to %s: %w", id, requestID, err)
		}
		linked = append(linked, id)
	}
	if len(linked) == 0 {
		return nil
	}
	return tx.Record(ctx, by, dueprocess.ActionHoldsLinked, "request:"+requestID, map[string]any{"holds": linked})
}

// holdIDs returns the ids of the holds matching where, in id order.
func (tx *Tx) holdIDs(ctx context.Context, where string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM holds WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("find holds: %w", err))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		ids = append(ids, id)
	}
	return ids, mapError(rows.Err())
}

// holdsOnMove is what a request's move does to holds; SetStatus calls it
// for every move, so that no route needs to know about holds:
//
//   - a preservation request that reaches in_review gets its holds, once
//     (at intake, or when a resume, a narrowing or a human-rights
//     assessment sends it there);
//   - a preservation request that is withdrawn, refused or rejected
//     releases the holds whose terms still run;
//   - a request that is closed or withdrawn ends its links: a hold that
//     no open request keeps any more goes back to its term, or expires if
//     its term has run out.
func (tx *Tx) holdsOnMove(ctx context.Context, id string, kind dueprocess.RequestKind, to dueprocess.Status, by dueprocess.Actor) error {
	if kind == dueprocess.KindPreservation {
		switch to {
		case dueprocess.StatusInReview:
			r, err := tx.Request(ctx, id)
			if err != nil {
				return err
			}
			return tx.placeHolds(ctx, id, r.Jurisdiction, r.LegalProcess.Type, r.Targets, by)
		case dueprocess.StatusWithdrawn, dueprocess.StatusRefused, dueprocess.StatusRejected:
			ids, err := tx.holdIDs(ctx, `request_id = $1 AND status IN `+holdRunning, id)
			if err != nil {
				return err
			}
			for _, h := range ids {
				if err := tx.endHold(ctx, h, dueprocess.HoldReleased, "request "+id+" is "+string(to), by); err != nil {
					return err
				}
			}
		}
	}
	if to == dueprocess.StatusClosed || to == dueprocess.StatusWithdrawn {
		return tx.unlinkHolds(ctx, id, by)
	}
	return nil
}

// unlinkHolds lets go of the holds a finished request kept: each one that
// no other open request keeps returns to its term (active, or extended if
// it was), or expires if that has run out.
func (tx *Tx) unlinkHolds(ctx context.Context, requestID string, by dueprocess.Actor) error {
	ids, err := tx.holdIDs(ctx, `status = $1 AND id IN (SELECT hold_id FROM hold_links WHERE request_id = $2)`, string(dueprocess.HoldSuperseded), requestID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		var open int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM hold_links l JOIN requests r ON r.id = l.request_id
			WHERE l.hold_id = $1 AND l.request_id <> $2 AND r.status NOT IN ($3, $4)`,
			id, requestID, string(dueprocess.StatusClosed), string(dueprocess.StatusWithdrawn)).Scan(&open)
		if err != nil {
			return mapError(fmt.Errorf("requests keeping hold %s: %w", id, err))
		}
		if open > 0 {
			continue
		}
		h, err := tx.hold(ctx, id)
		if err != nil {
			return err
		}
		if !h.ExpiresAt.After(tx.now) {
			if err := tx.endHold(ctx, id, dueprocess.HoldExpired, "request "+requestID+" that kept it is finished, and its term has run out", by); err != nil {
				return err
			}
			continue
		}
		back := dueprocess.HoldActive
		if h.ExtendedAt != nil {
			back = dueprocess.HoldExtended
		}
		res, err := tx.exec(ctx, `UPDATE holds SET status = $1 WHERE id = $2 AND status = $3`, string(back), id, string(dueprocess.HoldSuperseded))
		if err != nil {
			return fmt.Errorf("return hold %s to its term: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue // released by staff meanwhile
		}
		if err := tx.Record(ctx, by, dueprocess.ActionHoldUnlinked, "hold:"+id, map[string]any{
			"request": requestID, "status": back, "expires_at": h.ExpiresAt}); err != nil {
			return err
		}
	}
	return nil
}

// endHold moves a hold in force to expired or released, with why, and
// records it. A hold that has ended meanwhile (another server's loop, or
// staff, ended it since it was read) is left as it is, unrecorded.
func (tx *Tx) endHold(ctx context.Context, id string, status dueprocess.HoldStatus, reason string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE holds SET status = $1, ended_at = $2, end_reason = $3 WHERE id = $4 AND status IN `+holdInForce,
		string(status), tx.db.ts(tx.now), reason, id)
	if err != nil {
		return fmt.Errorf("end hold %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	action := dueprocess.ActionHoldReleased
	if status == dueprocess.HoldExpired {
		action = dueprocess.ActionHoldExpired
	}
	return tx.Record(ctx, by, action, "hold:"+id, map[string]any{"reason": reason})
}

// hold reads one hold inside the transaction.
func (tx *Tx) hold(ctx context.Context, id string) (*dueprocess.Hold, error) {
	h, err := scanHold(tx.queryRow(ctx, `SELECT `+holdColumns+` FROM holds WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "hold "+id)
	}
	return h, nil
}

// ExtendHolds extends the holds of an agency's preservation request, once:
// each hold in force that was never extended gets its jurisdiction's
// extension added to its end (a superseded one too, for when its requests
// finish). A second extension, a request of another kind, and holds that
// have all ended are Conflicts; another agency's request is not found.
func (tx *Tx) ExtendHolds(ctx context.Context, requestID, agencyID string, by dueprocess.Actor) ([]*dueprocess.Hold, error) {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil || r.AgencyID != agencyID {
		return nil, cmpErr(err, dueprocess.Errorf(dueprocess.NotFound, "request %s not found", requestID))
	}
	if r.Kind != dueprocess.KindPreservation {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is a %s request; only a preservation request's holds are extended", r.ID, r.Kind)
	}
	holds, err := tx.requestHolds(ctx, requestID)
	if err != nil {
		return nil, err
	}
	var todo []*dueprocess.Hold
	for _, h := range holds {
		inForce := h.Status == dueprocess.HoldSuperseded || (h.Status.InForce() && h.ExpiresAt.After(tx.now))
		if inForce && h.ExtendedAt == nil && h.ExtensionDays > 0 {
			todo = append(todo, h)
		}
	}
	if len(todo) == 0 {
		return nil, extendRefusal(r.ID, holds)
	}
	ids := make([]string, len(todo))
	for i, h := range todo {
		h.ExpiresAt = h.ExpiresAt.Add(time.Duration(h.ExtensionDays) * 24 * time.Hour)
		if h.Status == dueprocess.HoldActive {
			h.Status = dueprocess.HoldExtended
		}
		now := tx.now
		h.ExtendedAt, h.RemindedAt, ids[i] = &now, nil, h.ID
		// A new term gets its own reminder.
		if _, err := tx.exec(ctx, `UPDATE holds SET status = $1, expires_at = $2, extended_at = $3, reminded_at = NULL WHERE id = $4`,
			string(h.Status), tx.db.ts(h.ExpiresAt), tx.db.ts(now), h.ID); err != nil {
			return nil, fmt.Errorf("extend hold %s: %w", h.ID, err)
		}
	}
	if err := tx.Record(ctx, by, dueprocess.ActionHoldsExtended, "request:"+r.ID, map[string]any{"holds": ids, "expires_at": todo[0].ExpiresAt}); err != nil {
		return nil, err
	}
	return holds, nil
}

// extendRefusal says why none of a request's holds can be extended.
func extendRefusal(id string, holds []*dueprocess.Hold) error {
	if len(holds) == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "%s has no holds: they are placed when the request reaches review, and it has not", id)
	}
	for _, h := range holds {
		if h.ExtendedAt != nil {
			return dueprocess.Errorf(dueprocess.Conflict, "the holds of %s were extended already, on %s; a hold is extended only once", id, h.ExtendedAt.Format(time.DateOnly))
		}
	}
	for _, h := range holds {
		if h.Status.InForce() && h.ExtensionDays == 0 {
			return dueprocess.Errorf(dueprocess.Conflict, "the policy allows no extension of holds in this jurisdiction; send formal process instead")
		}
	}
	return dueprocess.Errorf(dueprocess.Conflict, "the holds of %s have ended (%s); send a new preservation request", id, holds[0].Status)
}

// cmpErr returns err if it is set, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// requestHolds returns a request's holds in id order, read in the
// transaction and locked on PostgreSQL, so that the hold loop of another
// server skips them until this transaction ends, or this one waits for
// that loop and reads what it did.
func (tx *Tx) requestHolds(ctx context.Context, requestID string) ([]*dueprocess.Hold, error) {
	lock := ``
	if tx.db.dialect == Postgres {
		lock = ` FOR UPDATE`
	}
	return queryHolds(ctx, tx.tx, `WHERE request_id = $1 ORDER BY id`+lock, requestID)
}

// ReleaseHold ends a hold in force before its time, for staff, with the
// reason. A hold already ended is a Conflict.
func (tx *Tx) ReleaseHold(ctx context.Context, id, reason string, by dueprocess.Actor) (*dueprocess.Hold, error) {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT id FROM holds WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("lock hold %s: %w", id, err)
		}
	}
	h, err := tx.hold(ctx, id)
	if err != nil {
		return nil, err
	}
	if !h.Status.InForce() {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "hold %s is %s already; only an active, extended or superseded hold is released", id, h.Status)
	}
	if err := tx.endHold(ctx, id, dueprocess.HoldReleased, reason, by); err != nil {
		return nil, err
	}
	now := tx.now
	h.Status, h.EndedAt, h.EndReason = dueprocess.HoldReleased, &now, reason
	return h, nil
}

func queryHolds(ctx context.Context, q querier, where string, args ...any) ([]*dueprocess.Hold, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+holdColumns+` FROM holds `+where, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("read holds: %w", err))
	}
	defer rows.Close()
	list := []*dueprocess.Hold{}
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, mapError(fmt.Errorf("read holds: %w", err))
		}
		list = append(list, h)
	}
	return list, mapError(rows.Err())
}

// Holds lists holds matching f in id order, at most f.Limit (default 50,
// at most MaxPage), each with the user_data requests that keep it.
func (db *DB) Holds(ctx context.Context, f dueprocess.HoldFilter) ([]*dueprocess.Hold, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) {
		n := make([]any, len(v))
		for i := range v {
			args = append(args, v[i])
			n[i] = len(args)
		}
		where = append(where, fmt.Sprintf(cond, n...))
	}
	if f.RequestID != "" {
		add("request_id = $%d", f.RequestID)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Target != nil {
		add("target_type = $%d AND target_value = $%d", string(f.Target.Type), f.Target.Value)
	}
	if f.AssignedTo != "" {
		add("request_id IN (SELECT request_id FROM assignments WHERE staff_id = $%d)", f.AssignedTo)
	}
	if f.After != "" {
		add("id > $%d", f.After)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	q := ``
	if len(where) > 0 {
		q = `WHERE ` + strings.Join(where, " AND ")
	}
	list, err := queryHolds(ctx, db.sql, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, min(limit, MaxPage)), args...)
	if err != nil {
		return nil, err
	}
	for _, h := range list {
		if h.Status == dueprocess.HoldSuperseded {
			if h.LinkedRequests, err = db.holdLinks(ctx, h.ID); err != nil {
				return nil, err
			}
		}
	}
	return list, nil
}

func (db *DB) holdLinks(ctx context.Context, id string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT request_id FROM hold_links WHERE hold_id = $1 ORDER BY request_id`, id)
	if err != nil {
		return nil, mapError(fmt.Errorf("links of hold %s: %w", id, err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, mapError(err)
		}
		out = append(out, r)
	}
	return out, mapError(rows.Err())
}

// Hold returns one hold.
func (db *DB) Hold(ctx context.Context, id string) (*dueprocess.Hold, error) {
	h, err := scanHold(db.sql.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM holds WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "hold "+id)
	}
	return h, nil
}

var checkHoldQuery = `SELECT status, expires_at FROM holds WHERE target_type = $1 AND target_value = $2 AND status IN ` + holdInForce

// CheckHold answers a platform that asks whether t is held: whether a
// hold is in force on it now, and until when (nil while a user_data
// request keeps it). It reads the holds_target index and nothing else, and
// goes by expires_at, so a hold ends on time whether or not the expiry
// loop has marked it yet.
func (db *DB) CheckHold(ctx context.Context, t dueprocess.Target) (dueprocess.HoldCheck, error) {
	var out dueprocess.HoldCheck
	now := db.Now().UTC()
	rows, err := db.readQuery(ctx, checkHoldQuery, string(t.Type), t.Value)
	if err != nil {
		return out, mapError(fmt.Errorf("check hold: %w", err))
	}
	defer rows.Close()
	indefinite := false
	for rows.Next() {
		var status string
		var until time.Time
		if err := rows.Scan(&status, timeCol{&until}); err != nil {
			return out, mapError(err)
		}
		switch {
		case dueprocess.HoldStatus(status) == dueprocess.HoldSuperseded:
			out.Held, indefinite = true, true
		case until.After(now):
			out.Held = true
			if out.Until == nil || until.After(*out.Until) {
				u := until
				out.Until = &u
			}
		}
	}
	if indefinite {
		out.Until = nil
	}
	return out, mapError(rows.Err())
}

// ExtendHolds extends an agency's preservation request's holds once, for
// its official (see Tx.ExtendHolds), and returns them.
func (db *DB) ExtendHolds(ctx context.Context, requestID, agencyID string, by dueprocess.Actor) (holds []*dueprocess.Hold, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		holds, err = tx.ExtendHolds(ctx, requestID, agencyID, by)
		return err
	})
	return holds, err
}

// ReleaseHold ends a hold early, for staff, with a checked reason (see
// Tx.ReleaseHold).
func (db *DB) ReleaseHold(ctx context.Context, id, reason string, by dueprocess.Actor) (h *dueprocess.Hold, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		h, err = tx.ReleaseHold(ctx, id, reason, by)
		return err
	})
	return h, err
}

// readQuery runs a read that is asked very often through a statement
// prepared once, on SQLite, which otherwise parses its text on every call;
// pgx keeps its own cache of prepared statements on PostgreSQL.
func (db *DB) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.dialect != SQLite {
		return db.sql.QueryContext(ctx, query, args...)
	}
	if v, ok := db.reads.Load(query); ok {
		return v.(*sql.Stmt).QueryContext(ctx, args...)
	}
	st, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := db.reads.LoadOrStore(query, st); loaded {
		st.Close()
		st = v.(*sql.Stmt)
	}
	return st.QueryContext(ctx, args...)
}
