package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// storedRegime is what the requests.regime column holds: the fields of a
// legal process that only some regimes carry, and identification_only.
type storedRegime struct {
	dueprocess.RegimeFields
	IdentificationOnly bool `json:"identification_only,omitempty"`
}

// regimeColumn returns r's regime column: JSON, or nil for a request of no
// regime.
func regimeColumn(r *dueprocess.Request) (any, error) {
	if r.LegalProcess.RegimeFields.Empty() && !r.IdentificationOnly {
		return nil, nil
	}
	b, err := json.Marshal(storedRegime{r.LegalProcess.RegimeFields, r.IdentificationOnly})
	if err != nil {
		return nil, fmt.Errorf("regime of %s: %w", r.ID, err)
	}
	return string(b), nil
}

// scanRegime sets r's regime fields from the column's text.
func scanRegime(r *dueprocess.Request, column string) error {
	if column == "" {
		return nil
	}
	var s storedRegime
	if err := json.Unmarshal([]byte(column), &s); err != nil {
		return fmt.Errorf("request %s: stored regime: %w", r.ID, err)
	}
	r.LegalProcess.RegimeFields, r.IdentificationOnly = s.RegimeFields, s.IdentificationOnly
	return nil
}

// TargetsOf returns the targets of the requests ids, by request, in one
// query: a listing of requests carries none, and the policy's rules about
// targets (their number, their home countries) need them.
func (db *DB) TargetsOf(ctx context.Context, ids []string) (map[string][]dueprocess.Target, error) {
	out := make(map[string][]dueprocess.Target, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i], marks[i] = id, fmt.Sprintf("$%d", i+1)
		out[id] = []dueprocess.Target{}
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT request_id, type, value, country FROM request_targets
		WHERE request_id IN (`+strings.Join(marks, ", ")+`) ORDER BY request_id, position`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, typ string
		var t dueprocess.Target
		if err := rows.Scan(&id, &typ, &t.Value, nullString{&t.Country}); err != nil {
			return nil, mapError(err)
		}
		t.Type = dueprocess.TargetType(typ)
		out[id] = append(out[id], t)
	}
	return out, mapError(rows.Err())
}
