package store

import (
	"context"
	"errors"
	"fmt"
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
// it would count one demand twice in the report. Row and Earlier are
// indexes in the list given to ImportRequests, so that the caller can name
// the lines of its file.
type ImportRowError struct {
	Row        int    // the row refused
	Earlier    int    // the earlier row it repeats, or -1
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

// beginRequestImport numbers a new import of the file with sha256 and
// checks it against what is stored: the file must not have been imported
// before, and no request may repeat a stored one or an earlier row.
func (tx *Tx) beginRequestImport(ctx context.Context, sha256 string, list []*dueprocess.Request) (int64, error) {
	id, err := tx.NextNumber(ctx, requestImportCounter)
	if err != nil {
		return 0, err
	}
	earlier, err := requestImportBySHA(ctx, tx.tx, sha256)
	if err == nil {
		return 0, dueprocess.Errorf(dueprocess.Conflict, "the file was imported already, as %s", earlier)
	}
	if !errors.Is(err, dueprocess.ErrNotFound) {
		return 0, err
	}
	if err := tx.checkImportRows(ctx, list); err != nil {
		return 0, err
	}
	return id, nil
}

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

// importKey is what identifies a demand across systems: the agency that
// sent it and the reference of its legal process.
type importKey struct{ agency, reference string }

// checkImportRows refuses the first row, in list order, whose agency and
// reference are stored already or repeat an earlier row's.
func (tx *Tx) checkImportRows(ctx context.Context, list []*dueprocess.Request) error {
	stored, err := tx.storedReferences(ctx, list)
	if err != nil {
		return err
	}
	first := map[importKey]int{}
	var refused *ImportRowError
	for i, r := range list {
		k := importKey{r.AgencyID, r.LegalProcess.Reference}
		earlier, repeated := first[k]
		existing := stored[k]
		if !repeated {
			first[k] = i
		}
		if !repeated && existing == "" {
			continue
		}
		if refused != nil {
			refused.More++
			continue
		}
		refused = &ImportRowError{Row: i, Earlier: -1}
		if existing != "" {
			refused.ExistingID = existing
			refused.Err = dueprocess.Errorf(dueprocess.Conflict, "the agency's reference %q is stored already, as request %s", k.reference, existing)
		} else {
			refused.Earlier = earlier
			refused.Err = dueprocess.Errorf(dueprocess.Conflict, "the agency's reference %q is given twice", k.reference)
		}
	}
	if refused != nil {
		return refused
	}
	return nil
}

// storedReferences returns the stored requests that have the agency and
// reference of a row of list, by key. It asks a hundred rows at a time,
// through the index on (agency_id, process_reference).
func (tx *Tx) storedReferences(ctx context.Context, list []*dueprocess.Request) (map[importKey]string, error) {
	const batch = 100
	found := map[importKey]string{}
	for start := 0; start < len(list); start += batch {
		end := min(start+batch, len(list))
		var b strings.Builder
		b.WriteString(`SELECT agency_id, process_reference, MIN(id) FROM requests WHERE (agency_id, process_reference) IN (VALUES `)
		args := make([]any, 0, 2*(end-start))
		for i, r := range list[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "($%d, $%d)", len(args)+1, len(args)+2)
			args = append(args, r.AgencyID, r.LegalProcess.Reference)
		}
		b.WriteString(`) GROUP BY agency_id, process_reference`)
		if err := tx.scanReferences(ctx, b.String(), args, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func (tx *Tx) scanReferences(ctx context.Context, query string, args []any, found map[importKey]string) error {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return mapError(fmt.Errorf("look up references: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var k importKey
		var id string
		if err := rows.Scan(&k.agency, &k.reference, &id); err != nil {
			return mapError(err)
		}
		found[k] = id
	}
	return mapError(rows.Err())
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
