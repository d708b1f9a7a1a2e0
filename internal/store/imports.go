package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// RequestImport is a history file stored by ImportRequests: which file
// (its name and the sha256 of its bytes), who imported it and when, and
// the requests it gave.
type RequestImport struct {
	ID       int64
	File     string
	SHA256   string
	By       dueprocess.Actor
	At       time.Time
	Requests int64
	FirstID  string
	LastID   string
}

// ImportRowError refuses an import because of one of its rows, which
// collides with a stored request or with an earlier row of the same
// import: the same agency and the same legal-process reference. Importing
// it would count one demand twice in the report. Row and Earlier are the
// Line of ImportRows (for ImportRequests, indexes in its list), so that the
// caller can name the lines of its file.
type ImportRowError struct {
	Row        int    // the line of the row refused
	Earlier    int    // the line of the earlier row it repeats, or -1
	ExistingID string // the stored request it repeats, or ""
	More       int    // how many later rows collide too
	Err        error  // a Conflict saying what collides, safe to show
}

func (e *ImportRowError) Error() string {
	msg := fmt.Sprintf("row %d: %s", e.Row+1, dueprocess.ErrorMessage(e.Err))
	if e.Earlier >= 0 {
		msg += fmt.Sprintf(" (row %d)", e.Earlier+1)
	}
	return msg
}

func (e *ImportRowError) Unwrap() error { return e.Err }

// requestImportCounter numbers imports; NextNumber on it also locks its
// row until the transaction ends, so that imports run one at a time even
// with several processes on one PostgreSQL database, and the checks below
// see every import committed before.
const requestImportCounter = "request_import"

// String names an import for messages: its number, file, time, actor and
// the ids it gave.
func (i *RequestImport) String() string {
	by := string(i.By.Type)
	if i.By.ID != "" {
		by += " " + i.By.ID
	}
	return fmt.Sprintf("import %d of %q on %s by %s (%d requests, %s to %s)",
		i.ID, i.File, i.At.UTC().Format("2006-01-02 15:04 UTC"), by, i.Requests, i.FirstID, i.LastID)
}

// RequestImportBySHA returns the import of the file whose bytes have the
// given sha256, or a NotFound error.
func (db *DB) RequestImportBySHA(ctx context.Context, sha256 string) (*RequestImport, error) {
	return requestImportBySHA(ctx, db.sql, sha256)
}

func requestImportBySHA(ctx context.Context, q querier, sha256 string) (*RequestImport, error) {
	i := &RequestImport{}
	var actorType string
	err := q.QueryRowContext(ctx, `SELECT id, file, sha256, actor_type, actor_id, imported_at, requests, first_id, last_id
		FROM request_imports WHERE sha256 = $1`, sha256).
		Scan(&i.ID, &i.File, &i.SHA256, &actorType, &i.By.ID, timeCol{&i.At}, &i.Requests, &i.FirstID, &i.LastID)
	if err != nil {
		return nil, notFound(err, "import of "+sha256)
	}
	i.By.Type = dueprocess.ActorType(actorType)
	return i, nil
}

// recordRequestImport writes the row of a finished import.
func (tx *Tx) recordRequestImport(ctx context.Context, i *RequestImport) error {
	_, err := tx.exec(ctx, `INSERT INTO request_imports (id, sha256, file, actor_type, actor_id, imported_at, requests, first_id, last_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		i.ID, i.SHA256, i.File, string(i.By.Type), i.By.ID, tx.db.ts(i.At), i.Requests, i.FirstID, i.LastID)
	if err != nil {
		return fmt.Errorf("record import of %s: %w", i.File, err)
	}
	return nil
}

// ImportRow is one row of a history file: a checked request, with its
// AgencyID, OfficialID, ReceivedAt and Status set, and the line of the
// file it began on, by which errors name it.
type ImportRow struct {
	Line    int
	Request *dueprocess.Request
}

// ImportRows calls yield with each row of an import in order and returns
// the first error, its own or yield's. ImportRequestRows calls it twice,
// once to check every row and once to store them, so it must give the
// same rows both times: by reading the file again, for instance, which
// keeps memory bounded however long the file is.
type ImportRows func(yield func(ImportRow) error) error

// ImportYear is the range of ids an import gave the requests received in
// one year: ids are numbered per year, so one range per year is what
// names them correctly.
type ImportYear struct {
	Year            int
	Requests        int64
	FirstID, LastID string
}

// ImportResult is a finished import: its record, and its ids by year.
type ImportResult struct {
	Import *RequestImport
	Years  []ImportYear
}

// importBatch is how many rows an import looks up or writes at a time:
// enough that a round trip carries thousands of rows, few enough that a
// batch takes a few megabytes.
const importBatch = 2000

// ImportRequests stores requests from an earlier system's records, as
// ImportRequestRows does, from a list: Row and Earlier of an
// *ImportRowError are indexes in it.
func (tx *Tx) ImportRequests(ctx context.Context, file, sha256 string, list []*dueprocess.Request, by dueprocess.Actor) error {
	_, err := tx.ImportRequestRows(ctx, file, sha256, func(yield func(ImportRow) error) error {
		for i, r := range list {
			if err := yield(ImportRow{Line: i, Request: r}); err != nil {
				return err
			}
		}
		return nil
	}, by)
	return err
}

// ImportRequestRows stores requests from an earlier system's records, each
// keeping its received date and status, all in this transaction, and
// records the import (file name, its sha256, the ids) in request_imports
// and in the audit log. Each request also gets its own request.created
// entry, its received event and its place in the report's counts, as
// CreateRequest gives it. A file imported before (the same sha256) is a
// Conflict naming the earlier import; a row with the agency and reference
// of a stored request, or of an earlier row, is an *ImportRowError; either
// way nothing is stored.
//
// It reads rows twice: first to check every row against what is stored
// and against the rows before it, then to write them in batches (COPY on
// PostgreSQL, multi-row INSERT on SQLite). Neither pass keeps the rows;
// the first keeps a 16-byte digest of each row's key to find repeats.
//
// It must run in a transaction of its own (db.TransactAlone): it writes
// the audit log and the counters in bulk, beside the bookkeeping a group
// of ops shares.
func (tx *Tx) ImportRequestRows(ctx context.Context, file, sha256 string, rows ImportRows, by dueprocess.Actor) (*ImportResult, error) {
	if !tx.group.alone {
		return nil, &dueprocess.Error{Kind: dueprocess.Internal, Message: "an import must run in a transaction of its own (TransactAlone)"}
	}
	num, err := tx.NextNumber(ctx, requestImportCounter)
	if err != nil {
		return nil, err
	}
	earlier, err := requestImportBySHA(ctx, tx.tx, sha256)
	if err == nil {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "the file was imported already, as %s", earlier)
	}
	if !errors.Is(err, dueprocess.ErrNotFound) {
		return nil, err
	}
	n, err := tx.checkImportRows(ctx, rows)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, dueprocess.Errorf(dueprocess.Invalid, "%s holds no requests", file)
	}
	w := tx.newImportWriter(by)
	defer w.close()
	err = rows(func(row ImportRow) error {
		w.batch = append(w.batch, row.Request)
		if len(w.batch) == importBatch {
			return w.flush(ctx)
		}
		return nil
	})
	if err == nil {
		err = w.flush(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("store the requests of %s: %w", file, err)
	}
	if w.stored != n {
		// The rows changed between the passes: what was checked is not
		// what would be stored.
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s gave %d rows to check and then %d to store", file, n, w.stored)
	}
	imp := &RequestImport{ID: num, File: file, SHA256: sha256, By: by, At: tx.now,
		Requests: n, FirstID: w.firstID, LastID: w.lastID}
	if err := tx.recordRequestImport(ctx, imp); err != nil {
		return nil, err
	}
	err = tx.Record(ctx, by, dueprocess.ActionRequestsImported, "import:"+sha256, map[string]any{
		"import": num, "file": file, "sha256": sha256, "requests": n, "first": w.firstID, "last": w.lastID})
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Import: imp}
	for _, y := range w.years {
		res.Years = append(res.Years, *y)
	}
	slices.SortFunc(res.Years, func(a, b ImportYear) int { return cmp.Compare(a.Year, b.Year) })
	return res, nil
}

// importKey is what identifies a demand across systems: the agency that
// sent it and the reference of its legal process.
type importKey struct{ agency, reference string }

// keyDigest is a 128-bit digest of an importKey: what the check keeps of
// every row, a fraction of the key itself, with odds of two different
// keys sharing one far below those of a disk error.
type keyDigest [2]uint64

// checkImportRows reads every row and refuses the first, in order, whose
// agency and reference are stored already or repeat an earlier row's. It
// returns the number of rows.
func (tx *Tx) checkImportRows(ctx context.Context, rows ImportRows) (int64, error) {
	seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	digest := func(k importKey) keyDigest {
		var d keyDigest
		for i, seed := range seeds {
			var h maphash.Hash
			h.SetSeed(seed)
			h.WriteString(k.agency)
			h.WriteByte(0)
			h.WriteString(k.reference)
			d[i] = h.Sum64()
		}
		return d
	}
	type pending struct {
		key  importKey
		line int
	}
	first := map[keyDigest]int{}
	batch := make([]pending, 0, importBatch)
	keys := make([]importKey, 0, importBatch)
	var refused *ImportRowError
	var n int64
	lookup := &referenceLookup{tx: tx}
	defer lookup.close()
	check := func() error {
		keys = keys[:0]
		for _, p := range batch {
			keys = append(keys, p.key)
		}
		stored, err := lookup.storedReferences(ctx, keys)
		if err != nil {
			return err
		}
		for _, p := range batch {
			d := digest(p.key)
			earlier, repeated := first[d]
			existing := stored[p.key]
			if !repeated {
				first[d] = p.line
			}
			if !repeated && existing == "" {
				continue
			}
			if refused != nil {
				refused.More++
				continue
			}
			refused = &ImportRowError{Row: p.line, Earlier: -1}
			if existing != "" {
				refused.ExistingID = existing
				refused.Err = dueprocess.Errorf(dueprocess.Conflict, "the agency's reference %q is stored already, as request %s", p.key.reference, existing)
			} else {
				refused.Earlier = earlier
				refused.Err = dueprocess.Errorf(dueprocess.Conflict, "the agency's reference %q is given twice", p.key.reference)
			}
		}
		batch = batch[:0]
		return nil
	}
	err := rows(func(row ImportRow) error {
		n++
		batch = append(batch, pending{importKey{row.Request.AgencyID, row.Request.LegalProcess.Reference}, row.Line})
		if len(batch) == importBatch {
			return check()
		}
		return nil
	})
	if err == nil {
		err = check()
	}
	if err != nil {
		return 0, err
	}
	if refused != nil {
		return 0, refused
	}
	return n, nil
}

// referenceLookup finds stored requests by agency and reference, a batch
// of keys per query, through the index on (agency_id, process_reference).
// The query for a full batch is prepared once per import.
type referenceLookup struct {
	tx   *Tx
	full *sql.Stmt
}

func (l *referenceLookup) close() {
	if l.full != nil {
		l.full.Close()
	}
}

// query returns the lookup of n keys. SQLite's parameters are "?", which
// its driver binds in linear time, PostgreSQL's "$n".
func (l *referenceLookup) query(n int) string {
	var b strings.Builder
	b.WriteString(`SELECT r.agency_id, r.process_reference, MIN(r.id) FROM (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if l.tx.db.dialect == SQLite {
			b.WriteString("(?, ?)")
		} else {
			fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
		}
	}
	b.WriteString(`) AS k JOIN requests r ON r.agency_id = k.column1 AND r.process_reference = k.column2
		GROUP BY r.agency_id, r.process_reference`)
	return b.String()
}

// storedReferences returns the stored requests that have the agency and
// reference of one of keys, at most importBatch of them.
func (l *referenceLookup) storedReferences(ctx context.Context, keys []importKey) (map[importKey]string, error) {
	found := map[importKey]string{}
	if len(keys) == 0 {
		return found, nil
	}
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k.agency, k.reference)
	}
	var rows *sql.Rows
	var err error
	if len(keys) == importBatch {
		if l.full == nil {
			if l.full, err = l.tx.tx.PrepareContext(ctx, l.query(importBatch)); err != nil {
				return nil, mapError(fmt.Errorf("look up references: %w", err))
			}
		}
		rows, err = l.full.QueryContext(ctx, args...)
	} else {
		rows, err = l.tx.tx.QueryContext(ctx, l.query(len(keys)), args...)
	}
	if err != nil {
		return nil, mapError(fmt.Errorf("look up references: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var k importKey
		var id string
		if err := rows.Scan(&k.agency, &k.reference, &id); err != nil {
			return nil, mapError(err)
		}
		found[k] = id
	}
	return found, mapError(rows.Err())
}

// importWriter stores an import's rows a batch at a time: what
// CreateRequest writes for one request, for thousands at once.
type importWriter struct {
	tx     *Tx
	by     dueprocess.Actor
	batch  []*dueprocess.Request
	counts map[countCell]*[2]int64 // requests, accounts

	requests, targets, events *bulkTable
	log                       *bulkAudit

	stored          int64
	firstID, lastID string
	years           map[int]*ImportYear
}

func (tx *Tx) newImportWriter(by dueprocess.Actor) *importWriter {
	return &importWriter{tx: tx, by: by, counts: map[countCell]*[2]int64{}, years: map[int]*ImportYear{},
		requests: tx.bulkTable("requests", "id", "agency_id", "official_id", "kind", "jurisdiction", "status",
			"process_type", "process_reference", "process_issued_by", "process_issued_on",
			"offence_category", "offence_description", "data_categories", "date_from", "date_to",
			"nondisclosure", "nondisclosure_until", "emergency_harm", "emergency_justification", "deadline",
			"received_at", "updated_at", "due_at"),
		targets: tx.bulkTable("request_targets", "request_id", "position", "type", "value"),
		events:  tx.bulkTable("request_events", "request_id", "seq", "at", "actor_type", "actor_id", "type", "detail"),
		log:     tx.bulkAudit(),
	}
}

// close releases the statements the writer's tables prepared.
func (w *importWriter) close() {
	for _, t := range []*bulkTable{w.requests, w.targets, w.events, w.log.entries, w.log.hashes} {
		t.close()
	}
}

// flush numbers and writes the batch.
func (w *importWriter) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	tx, db := w.tx, w.tx.db
	for _, r := range w.batch {
		if r.ReceivedAt.IsZero() {
			r.ReceivedAt = tx.now
		}
		r.ReceivedAt = r.ReceivedAt.UTC().Truncate(time.Microsecond)
		r.UpdatedAt = tx.now
		if r.Status == "" {
			r.Status = dueprocess.StatusReceived
		}
		if r.Documents == nil {
			r.Documents = []dueprocess.Document{}
		}
	}
	if err := w.number(ctx); err != nil {
		return err
	}
	for _, r := range w.batch {
		offCat, offDesc, harm, just, from, to, ndUntil := optionalColumns(r)
		r.DueAt = r.Due(0)
		w.requests.add(r.ID, r.AgencyID, r.OfficialID, string(r.Kind), r.Jurisdiction, string(r.Status),
			string(r.LegalProcess.Type), r.LegalProcess.Reference, r.LegalProcess.IssuedBy, db.bulkDate(r.LegalProcess.IssuedOn),
			textOrNil(offCat), textOrNil(offDesc), joinList(r.DataCategories), db.bulkDate(from), db.bulkDate(to),
			r.Nondisclosure != nil, db.bulkDate(ndUntil), textOrNil(harm), textOrNil(just), db.bulkDate(r.Deadline),
			db.ts(r.ReceivedAt), db.ts(r.UpdatedAt), db.ts(r.DueAt))
		for i, t := range r.Targets {
			w.targets.add(r.ID, i, string(t.Type), t.Value)
		}
		w.events.add(r.ID, 1, db.ts(r.ReceivedAt), string(w.by.Type), w.by.ID, dueprocess.EventReceived, "")
		cell := countCell{dueprocess.HalfYear(r.ReceivedAt), dueprocess.Country(r.Jurisdiction), string(r.Kind), string(r.LegalProcess.Type), string(r.Status)}
		c := w.counts[cell]
		if c == nil {
			c = new([2]int64)
			w.counts[cell] = c
		}
		c[0]++
		c[1] += int64(len(r.Targets))
		w.log.object = "request:" + r.ID
		if err := tx.record(ctx, w.log, w.by, dueprocess.ActionRequestCreated, w.log.object, createdBody(r)); err != nil {
			return err
		}
	}
	// Requests first: targets and events refer to them.
	for _, t := range []*bulkTable{w.requests, w.targets, w.events} {
		if err := t.flush(ctx); err != nil {
			return err
		}
	}
	if err := w.log.flush(ctx); err != nil {
		return err
	}
	for cell, c := range w.counts {
		if err := tx.addCount(ctx, cell, c[0], c[1]); err != nil {
			return err
		}
	}
	clear(w.counts)
	w.stored += int64(len(w.batch))
	clear(w.batch)
	w.batch = w.batch[:0]
	return nil
}

// number gives the batch's requests their ids: the next numbers of the
// year each was received in, reserved with one statement per year.
func (w *importWriter) number(ctx context.Context) error {
	need := map[int]int64{}
	for _, r := range w.batch {
		need[r.ReceivedAt.Year()]++
	}
	next := make(map[int]int64, len(need))
	for year, k := range need {
		first, err := w.tx.ReserveNumbers(ctx, fmt.Sprintf("request:%d", year), k)
		if err != nil {
			return fmt.Errorf("number requests of %d: %w", year, err)
		}
		next[year] = first
	}
	for _, r := range w.batch {
		year := r.ReceivedAt.Year()
		r.ID = fmt.Sprintf("DP-%d-%06d", year, next[year])
		next[year]++
		y := w.years[year]
		if y == nil {
			y = &ImportYear{Year: year, FirstID: r.ID}
			w.years[year] = y
		}
		y.Requests++
		y.LastID = r.ID
		if w.firstID == "" {
			w.firstID = r.ID
		}
		w.lastID = r.ID
	}
	return nil
}
