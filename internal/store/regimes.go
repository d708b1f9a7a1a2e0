package store

import (
	"encoding/json"
	"fmt"

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
