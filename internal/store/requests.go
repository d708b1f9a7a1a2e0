package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// CreateRequest stores a checked request, giving it the next id of the year
// it was received in, and records the "received" event. The caller sets
// AgencyID, OfficialID and Status; ReceivedAt defaults to the transaction's
// time (an import keeps the original).
func (tx *Tx) CreateRequest(ctx context.Context, r *dueprocess.Request, by dueprocess.Actor) error {
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = tx.now
	}
	r.ReceivedAt = r.ReceivedAt.UTC().Truncate(time.Microsecond)
	r.UpdatedAt = tx.now
	if r.Status == "" {
		r.Status = dueprocess.StatusReceived
	}
	if r.Channel == "" {
		r.Channel = dueprocess.ChannelAPI
	}
	year := r.ReceivedAt.Year()
	seq, err := tx.NextNumber(ctx, fmt.Sprintf("request:%d", year))
	if err != nil {
		return err
	}
	r.ID = fmt.Sprintf("DP-%d-%06d", year, seq)
	r.DueAt = r.Due(0)

	if err := tx.insertRequest(ctx, r, nil); err != nil {
		return err
	}
	if err := tx.insertTargets(ctx, r.ID, r.Targets); err != nil {
		return err
	}
	if err := tx.count(ctx, r.ReceivedAt, r.Jurisdiction, r.Kind, r.LegalProcess.Type, r.Status, 1, int64(len(r.Targets))); err != nil {
		return err
	}
	if r.Documents == nil {
		r.Documents = []dueprocess.Document{}
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, At: r.ReceivedAt, Actor: by, Type: dueprocess.EventReceived}); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionRequestCreated, "request:"+r.ID, createdBody(r))
}

// createdBody is the body of a request's request.created entry: the
// request's shape, never its targets, which are user data, while the log
// is kept for ever. It is a struct rather than a map because an import
// marshals one per request; the log stores the same canonical JSON either way.
func createdBody(r *dueprocess.Request) any {
	return struct {
		AgencyID       string                      `json:"agency_id"`
		DataCategories []dueprocess.DataCategory   `json:"data_categories"`
		Jurisdiction   string                      `json:"jurisdiction"`
		Kind           dueprocess.RequestKind      `json:"kind"`
		LegalProcess   dueprocess.LegalProcessType `json:"legal_process"`
		OfficialID     string                      `json:"official_id"`
		ReceivedAt     time.Time                   `json:"received_at"`
		Status         dueprocess.Status           `json:"status"`
		Targets        int                         `json:"targets"`
	}{r.AgencyID, r.DataCategories, r.Jurisdiction, r.Kind, r.LegalProcess.Type, r.OfficialID, r.ReceivedAt, r.Status, len(r.Targets)}
}

// optionalColumns returns the columns of r's optional parts, empty where
// a part is absent, as both the single insert and the bulk import write
// them.
func optionalColumns(r *dueprocess.Request) (offCat, offDesc, harm, just string, from, to, ndUntil dueprocess.Date) {
	if r.Offence != nil {
		offCat, offDesc = r.Offence.Category, r.Offence.Description
	}
	if r.Emergency != nil {
		harm, just = string(r.Emergency.Harm), r.Emergency.Justification
	}
	if r.DateRange != nil {
		from, to = r.DateRange.From, r.DateRange.To
	}
	if r.Nondisclosure != nil {
		ndUntil = r.Nondisclosure.Until
	}
	return
}

// insertRequest writes r's row, with decision (its JSON, or nil).
func (tx *Tx) insertRequest(ctx context.Context, r *dueprocess.Request, decision any) error {
	offCat, offDesc, harm, just, from, to, ndUntil := optionalColumns(r)
	var attestation any
	if r.Attestation != nil {
		b, err := json.Marshal(r.Attestation)
		if err != nil {
			return fmt.Errorf("attestation of %s: %w", r.ID, err)
		}
		attestation = string(b)
	}
	regime, err := regimeColumn(r)
	if err != nil {
		return err
	}
	_, extraterritorial := r.Extraterritorial()
	// A request refused as it arrives is answered then.
	var answered any
	if !r.Status.Open() {
		answered = tx.db.ts(r.ReceivedAt)
	}
	err = tx.tx.write(ctx, `INSERT INTO requests (id, agency_id, official_id, kind, jurisdiction, status,
		process_type, process_reference, process_issued_by, process_issued_on,
		offence_category, offence_description, data_categories, date_from, date_to,
		nondisclosure, nondisclosure_until, emergency_harm, emergency_justification, deadline,
		received_at, updated_at, decision, due_at, attestation, channel, sender, signals, flag, signed_by, regime, extraterritorial, answered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)`,
		r.ID, r.AgencyID, r.OfficialID, string(r.Kind), r.Jurisdiction, string(r.Status),
		string(r.LegalProcess.Type), r.LegalProcess.Reference, r.LegalProcess.IssuedBy, dateOrNil(r.LegalProcess.IssuedOn),
		textOrNil(offCat), textOrNil(offDesc), joinList(r.DataCategories), dateOrNil(from), dateOrNil(to),
		r.Nondisclosure != nil, dateOrNil(ndUntil), textOrNil(harm), textOrNil(just), dateOrNil(r.Deadline),
		tx.db.ts(r.ReceivedAt), tx.db.ts(r.UpdatedAt), decision, tx.db.ts(r.DueAt), attestation,
		string(cmp.Or(r.Channel, dueprocess.ChannelAPI)), jsonOrEmpty(r.Sender), jsonOrEmpty(r.Signals), r.Flag, r.SignedBy, regime, extraterritorial, answered)
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	return tx.awaitValidation(ctx, r)
}

// insertTargets writes targets with multi-row inserts rather than one
// statement per row, since a request may name up to 500.
func (tx *Tx) insertTargets(ctx context.Context, id string, targets []dueprocess.Target) error {
	err := insertRows(ctx, tx.tx, `INSERT INTO request_targets (request_id, position, type, value, country) VALUES `, ``, 5, len(targets),
		func(i int) []any {
			return []any{id, i, string(targets[i].Type), targets[i].Value, textOrNil(targets[i].Country)}
		})
	if err != nil {
		return fmt.Errorf("create request targets: %w", err)
	}
	return nil
}

// NextNumber returns the next number of a named counter, starting at 1. The
// counter's row stays locked until the transaction ends, so numbers have no
// gaps and no repeats even with several servers on one database.
//
// The first number a group takes reads and locks the counter; the group's
// later numbers are counted here, and the counter written once before the
// commit.
func (tx *Tx) NextNumber(ctx context.Context, name string) (int64, error) {
	return tx.ReserveNumbers(ctx, name, 1)
}

// ReserveNumbers takes the next k numbers of a named counter and returns
// the first; an import numbers a batch with one call. Numbers taken in a
// group, by single requests and by imports alike, come from the one count
// the group keeps, so that they never repeat.
func (tx *Tx) ReserveNumbers(ctx context.Context, name string, k int64) (int64, error) {
	g := tx.group
	if c := g.counters[name]; c != nil {
		first := c.value + 1
		c.value += k
		c.dirty = true
		return first, nil
	}
	var last int64
	err := tx.queryRow(ctx, `INSERT INTO counters (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value`, name, k).Scan(&last)
	if err != nil {
		return 0, mapError(fmt.Errorf("next number of %s: %w", name, err))
	}
	if g.counters == nil {
		g.counters = map[string]*groupCounter{}
	}
	g.counters[name] = &groupCounter{value: last}
	return last - k + 1, nil
}

// SetStatus moves a request to a new status and records the change. A move
// the workflow does not allow (dueprocess.CheckMove) is a Conflict. A move
// to paused also records the status it left (see Resume).
func (tx *Tx) SetStatus(ctx context.Context, id string, status dueprocess.Status, by dueprocess.Actor, detail string) error {
	return tx.setStatus(ctx, id, status, by, detail, false)
}

// setStatus is SetStatus; with force it makes a move the workflow does
// not list, as a refusal for suspected forgery does from any open status.
func (tx *Tx) setStatus(ctx context.Context, id string, status dueprocess.Status, by dueprocess.Actor, detail string, force bool) error {
	var old, from, juris, kind, process string
	var received time.Time
	var accounts int64
	err := tx.queryRow(ctx, `SELECT status, paused_from, received_at, jurisdiction, kind, process_type,
		(SELECT COUNT(*) FROM request_targets WHERE request_id = $1) FROM requests WHERE id = $1`, id).
		Scan(&old, nullString{&from}, timeCol{&received}, &juris, &kind, &process, &accounts)
	if err != nil {
		return notFound(err, "request "+id)
	}
	check := dueprocess.CheckMove(dueprocess.Status(old), status)
	if dueprocess.Status(old) == dueprocess.StatusPaused {
		check = dueprocess.CheckUnpause(dueprocess.Status(from), status)
	}
	if check != nil && !force {
		return check
	}
	// A closed request is counted under the answer it was closed with
	// (disclosed, no_data, rejected, refused), kept in answered_as.
	counted, answeredAs := status, any(nil)
	if status == dueprocess.StatusClosed && !dueprocess.Status(old).Open() {
		counted, answeredAs = dueprocess.Status(old), old
	}
	k, p := dueprocess.RequestKind(kind), dueprocess.LegalProcessType(process)
	if err := tx.count(ctx, received, juris, k, p, dueprocess.Status(old), -1, accounts); err != nil {
		return err
	}
	if err := tx.count(ctx, received, juris, k, p, counted, 1, accounts); err != nil {
		return err
	}
	// A move into paused remembers where the request stood, so that the
	// end of the last pause covering it can return it there; any move out
	// of paused forgets it.
	var pausedFrom any
	if status == dueprocess.StatusPaused {
		pausedFrom = old
	}
	// The first move out of the open statuses answers the request.
	var answered any
	if !status.Open() {
		answered = tx.db.ts(tx.now)
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET status = $1, updated_at = $2, paused_from = $3, answered_as = $4, answered_at = COALESCE(answered_at, $6) WHERE id = $5`,
		string(status), tx.db.ts(tx.now), pausedFrom, answeredAs, id, answered); err != nil {
		return fmt.Errorf("set status: %w", err)
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: id, Actor: by, Type: dueprocess.EventStatusChanged, Detail: cmp.Or(detail, old+" → "+string(status))}); err != nil {
		return err
	}
	body := map[string]any{"from": old, "to": status}
	if detail != "" {
		body["detail"] = detail
	}
	if err := tx.Record(ctx, by, dueprocess.ActionRequestStatus, "request:"+id, body); err != nil {
		return err
	}
	if err := tx.officialMailOnMove(ctx, id, status); err != nil {
		return err
	}
	return tx.holdsOnMove(ctx, id, k, status, by)
}

// AddEvent appends an event to a request's history.
func (tx *Tx) AddEvent(ctx context.Context, e *dueprocess.Event) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	err := tx.queryRow(ctx, `INSERT INTO request_events (request_id, seq, at, actor_type, actor_id, type, detail)
		SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM request_events WHERE request_id = $7
		RETURNING seq`,
		e.RequestID, tx.db.ts(e.At), string(e.Actor.Type), e.Actor.ID, e.Type, e.Detail, e.RequestID).Scan(&e.Seq)
	if err != nil {
		return mapError(fmt.Errorf("add event to %s: %w", e.RequestID, err))
	}
	return nil
}

const requestColumns = `id, agency_id, official_id, kind, jurisdiction, status,
	process_type, process_reference, process_issued_by, process_issued_on,
	offence_category, offence_description, data_categories, date_from, date_to,
	nondisclosure, nondisclosure_until, emergency_harm, emergency_justification, deadline,
	received_at, updated_at, decision, due_at, attestation, channel, sender, signals, flag, forged_at, signed_by, regime`

func scanRequest(row interface{ Scan(...any) error }) (*dueprocess.Request, error) {
	r := &dueprocess.Request{}
	var kind, status, ptype, offCat, offDesc, cats, harm, just, decision, attestation, channel, sender, signals, regime string
	var from, to, ndUntil dueprocess.Date
	var nd bool
	err := row.Scan(&r.ID, &r.AgencyID, &r.OfficialID, &kind, &r.Jurisdiction, &status,
		&ptype, &r.LegalProcess.Reference, &r.LegalProcess.IssuedBy, dateCol{&r.LegalProcess.IssuedOn},
		nullString{&offCat}, nullString{&offDesc}, &cats, dateCol{&from}, dateCol{&to},
		&nd, dateCol{&ndUntil}, nullString{&harm}, nullString{&just}, dateCol{&r.Deadline},
		timeCol{&r.ReceivedAt}, timeCol{&r.UpdatedAt}, nullString{&decision}, timeCol{&r.DueAt}, nullString{&attestation},
		&channel, &sender, &signals, &r.Flag, nullTimeCol{&r.Forged}, &r.SignedBy, nullString{&regime})
	if err != nil {
		return nil, err
	}
	if err := scanRegime(r, regime); err != nil {
		return nil, err
	}
	r.Channel = dueprocess.Channel(channel)
	if sender != "" {
		r.Sender = new(dueprocess.Sender)
		if err := json.Unmarshal([]byte(sender), r.Sender); err != nil {
			return nil, fmt.Errorf("request %s: stored sender: %w", r.ID, err)
		}
	}
	if signals != "" {
		if err := json.Unmarshal([]byte(signals), &r.Signals); err != nil {
			return nil, fmt.Errorf("request %s: stored signals: %w", r.ID, err)
		}
	}
	if attestation != "" {
		r.Attestation = new(dueprocess.Attestation)
		if err := json.Unmarshal([]byte(attestation), r.Attestation); err != nil {
			return nil, fmt.Errorf("request %s: stored attestation: %w", r.ID, err)
		}
	}
	if decision != "" {
		r.Decision = new(dueprocess.Decision)
		if err := json.Unmarshal([]byte(decision), r.Decision); err != nil {
			return nil, fmt.Errorf("request %s: stored decision: %w", r.ID, err)
		}
	}
	r.Kind = dueprocess.RequestKind(kind)
	r.Status = dueprocess.Status(status)
	r.LegalProcess.Type = dueprocess.LegalProcessType(ptype)
	if offCat != "" {
		r.Offence = &dueprocess.Offence{Category: offCat, Description: offDesc}
	}
	r.DataCategories = splitList[dueprocess.DataCategory](cats)
	if !from.IsZero() || !to.IsZero() {
		r.DateRange = &dueprocess.DateRange{From: from, To: to}
	}
	if nd {
		r.Nondisclosure = &dueprocess.Nondisclosure{Until: ndUntil}
	}
	if harm != "" {
		r.Emergency = &dueprocess.EmergencyClaim{Harm: dueprocess.Harm(harm), Justification: just}
	}
	return r, nil
}

// Request returns a request with its targets and documents.
func (db *DB) Request(ctx context.Context, id string) (*dueprocess.Request, error) {
	return db.request(ctx, db.sql, id, "")
}

// AgencyRequest returns a request with its targets and documents if the
// agency agencyID made it. The agency is part of the query itself, so
// another agency's request is not found by the same single statement, on
// the same index, as a missing id, and the error is the same; neither
// reads a target or a document. The two answers then cost the same, and
// an official cannot tell by timing that an id exists elsewhere.
func (db *DB) AgencyRequest(ctx context.Context, agencyID, id string) (*dueprocess.Request, error) {
	if agencyID == "" {
		// An empty agency would read as "any agency" below.
		return nil, dueprocess.Errorf(dueprocess.NotFound, "request %s not found", id)
	}
	return db.request(ctx, db.sql, id, agencyID)
}

// Request reads a request inside the transaction, seeing its own writes.
func (tx *Tx) Request(ctx context.Context, id string) (*dueprocess.Request, error) {
	return tx.db.request(ctx, tx.tx, id, "")
}

// request reads request id, and only if agencyID made it when agencyID is
// not empty.
func (db *DB) request(ctx context.Context, q querier, id, agencyID string) (*dueprocess.Request, error) {
	query, args := `SELECT `+requestColumns+` FROM requests WHERE id = $1`, []any{id}
	if agencyID != "" {
		query, args = query+` AND agency_id = $2`, append(args, agencyID)
	}
	r, err := scanRequest(q.QueryRowContext(ctx, query, args...))
	if err != nil {
		return nil, notFound(err, "request "+id)
	}
	if r.Targets, err = db.targets(ctx, q, id); err != nil {
		return nil, err
	}
	if r.Documents, err = db.documents(ctx, q, id); err != nil {
		return nil, err
	}
	if err := db.content(ctx, q, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (db *DB) targets(ctx context.Context, q querier, id string) ([]dueprocess.Target, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, value, country FROM request_targets WHERE request_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	targets := []dueprocess.Target{}
	for rows.Next() {
		var t dueprocess.Target
		var typ string
		if err := rows.Scan(&typ, &t.Value, nullString{&t.Country}); err != nil {
			return nil, mapError(err)
		}
		t.Type = dueprocess.TargetType(typ)
		targets = append(targets, t)
	}
	return targets, mapError(rows.Err())
}

// requestOrders are the orders a listing may take (RequestFilter.Sort),
// each ending in id so that pages never overlap. A missing deadline sorts
// last on both databases.
var requestOrders = map[string]string{
	"":          "id",
	"id":        "id",
	"due":       "due_at, id",
	"received":  "received_at, id",
	"-received": "received_at DESC, id DESC",
	"deadline":  "CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id",
	"status":    "status, id",
}

// MaxPage is the most requests one listing returns.
const MaxPage = 500

// Requests lists requests matching f in id order, at most f.Limit of them
// (default 50, at most MaxPage). Targets and documents are not loaded; a
// listing shows counts, not who is named.
func (db *DB) Requests(ctx context.Context, f dueprocess.RequestFilter) ([]*dueprocess.Request, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Jurisdiction != "" {
		add("jurisdiction = $%d", f.Jurisdiction)
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.AgencyID != "" {
		add("agency_id = $%d", f.AgencyID)
	}
	if !f.DueBy.IsZero() {
		add("deadline <= $%d", dateOrNil(f.DueBy))
		var open []string
		for _, st := range dueprocess.Statuses {
			if st.Open() {
				args = append(args, string(st))
				open = append(open, fmt.Sprintf("$%d", len(args)))
			}
		}
		where = append(where, "status IN ("+strings.Join(open, ", ")+")")
	}
	if f.Overdue {
		add("due_at < $%d", db.ts(db.Now()))
		where = append(where, "status IN ("+db.statusList(&args, overdueStatuses())+")")
	}
	if f.After != "" && !f.ByDue && f.Sort == "" {
		add("id > $%d", f.After)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPage)
	q := `SELECT ` + requestColumns + ` FROM requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	sort := f.Sort
	if f.ByDue {
		sort = "due"
	}
	order, ok := requestOrders[sort]
	if !ok {
		return nil, dueprocess.FieldError("sort", "%q is not a known order", f.Sort)
	}
	q += fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, limit, max(f.Offset, 0))
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []*dueprocess.Request{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, r)
	}
	return list, mapError(rows.Err())
}

// Events returns a request's history, oldest first.
func (db *DB) Events(ctx context.Context, requestID string) ([]dueprocess.Event, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, at, actor_type, actor_id, type, detail FROM request_events
		WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	events := []dueprocess.Event{}
	for rows.Next() {
		e := dueprocess.Event{RequestID: requestID}
		var actorType string
		if err := rows.Scan(&e.Seq, timeCol{&e.At}, &actorType, &e.Actor.ID, &e.Type, &e.Detail); err != nil {
			return nil, mapError(err)
		}
		e.Actor.Type = dueprocess.ActorType(actorType)
		events = append(events, e)
	}
	return events, mapError(rows.Err())
}

// Idempotent is a stored answer to a submission made with an
// Idempotency-Key.
type Idempotent struct {
	BodyHash  string
	RequestID string
	Response  []byte
}

// IdempotentAnswer returns the stored answer for (principal, key), or a
// not-found error if there is none yet.
func (db *DB) IdempotentAnswer(ctx context.Context, principal, key string) (*Idempotent, error) {
	var a Idempotent
	var resp string
	err := db.sql.QueryRowContext(ctx, `SELECT body_hash, request_id, response FROM idempotency_keys WHERE principal = $1 AND key = $2`, principal, key).
		Scan(&a.BodyHash, &a.RequestID, &resp)
	if err == sql.ErrNoRows {
		return nil, dueprocess.ErrNotFound
	}
	if err != nil {
		return nil, mapError(err)
	}
	a.Response = []byte(resp)
	return &a, nil
}

// SaveIdempotent stores the answer to a submission made with a key. A
// concurrent submission with the same key fails here with a conflict, and
// its transaction rolls back.
func (tx *Tx) SaveIdempotent(ctx context.Context, principal, key string, a *Idempotent) error {
	return tx.tx.write(ctx, `INSERT INTO idempotency_keys (principal, key, body_hash, request_id, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		principal, key, a.BodyHash, a.RequestID, string(a.Response), tx.db.ts(tx.now))
}

// jsonOrEmpty is v as JSON, or "" for a nil pointer or an empty list.
func jsonOrEmpty[T any](v T) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "[]" {
		return ""
	}
	return string(b)
}

// overdueStatuses are the statuses in which a request can be overdue:
// still being handled, and not held by a pause (see Request.Overdue).
func overdueStatuses() []dueprocess.Status {
	var out []dueprocess.Status
	for _, st := range dueprocess.Statuses {
		if st.Open() && st != dueprocess.StatusPaused {
			out = append(out, st)
		}
	}
	return out
}

// statusList appends statuses to args and returns their placeholders.
func (db *DB) statusList(args *[]any, statuses []dueprocess.Status) string {
	marks := make([]string, len(statuses))
	for i, st := range statuses {
		*args = append(*args, string(st))
		marks[i] = fmt.Sprintf("$%d", len(*args))
	}
	return strings.Join(marks, ", ")
}

// Overdue counts the requests that are overdue now (see Request.Overdue),
// for the metrics.
func (db *DB) Overdue(ctx context.Context) (int64, error) {
	args := []any{db.ts(db.Now())}
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE due_at < $1 AND status IN (`+db.statusList(&args, overdueStatuses())+`)`, args...).Scan(&n)
	return n, mapError(err)
}
