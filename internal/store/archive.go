package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// The public archive of content demands (docs/content.md): closed
// demands whose non-disclosure order, if any, has ended, newest first,
// found by jurisdiction, reason and text.

// ArchiveFilter selects the demands of one page of the archive.
type ArchiveFilter struct {
	Jurisdiction string                   // a country takes its subdivisions along
	Reason       dueprocess.RemovalReason // "" for every reason
	// Text is looked for, whatever its case, in the issuing authority,
	// the reference, and the items' URLs, grounds and action reasons;
	// never in quotes, which the archive does not publish.
	Text   string
	Today  dueprocess.Date // a non-disclosure order ending before Today has ended
	Offset int
	Limit  int
}

// MaxArchivePage is the most demands one page of the archive holds.
const MaxArchivePage = 50

// ArchivedDemands returns one page of the archive and whether more follow.
func (db *DB) ArchivedDemands(ctx context.Context, f ArchiveFilter) ([]*dueprocess.Request, bool, error) {
	if f.Limit <= 0 || f.Limit > MaxArchivePage {
		f.Limit = MaxArchivePage
	}
	q := `SELECT r.id FROM requests r JOIN content_requests c ON c.request_id = r.id
		WHERE r.kind = $1 AND r.status = $2
		AND (NOT r.nondisclosure OR (r.nondisclosure_until IS NOT NULL AND r.nondisclosure_until < $3))`
	args := []any{string(dueprocess.KindContentRestriction), string(dueprocess.StatusClosed), f.Today.String()}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Jurisdiction != "" {
		q += ` AND (r.jurisdiction = ` + arg(f.Jurisdiction) + ` OR r.jurisdiction LIKE ` + arg(f.Jurisdiction+"-%") + `)`
	}
	if f.Reason != "" {
		q += ` AND c.reason = ` + arg(string(f.Reason))
	}
	if f.Text != "" {
		t := arg("%" + likeEscape(strings.ToLower(f.Text)) + "%")
		q += ` AND (LOWER(r.process_issued_by) LIKE ` + t + ` ESCAPE '\' OR LOWER(r.process_reference) LIKE ` + t + ` ESCAPE '\'
			OR EXISTS (SELECT 1 FROM request_items i WHERE i.request_id = r.id AND (LOWER(i.url) LIKE ` + t + ` ESCAPE '\'
			OR LOWER(i.ground) LIKE ` + t + ` ESCAPE '\' OR LOWER(i.action_reason) LIKE ` + t + ` ESCAPE '\')))`
	}
	q += ` ORDER BY r.received_at DESC, r.id DESC LIMIT ` + arg(f.Limit+1) + ` OFFSET ` + arg(f.Offset)
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, mapError(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, false, mapError(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, mapError(err)
	}
	more := len(ids) > f.Limit
	if more {
		ids = ids[:f.Limit]
	}
	out := make([]*dueprocess.Request, 0, len(ids))
	for _, id := range ids {
		r, err := db.Request(ctx, id)
		if err != nil {
			return nil, false, err
		}
		out = append(out, r)
	}
	return out, more, nil
}

// likeEscape escapes the wildcards of LIKE in s, with \ as the escape.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
