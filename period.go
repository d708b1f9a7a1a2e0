package dueprocess

import (
	"fmt"
	"time"
)

// HalfYear returns the half-year t falls in, in UTC, as reports name it:
// "2026-H1" (January to June) or "2026-H2".
func HalfYear(t time.Time) string {
	t = t.UTC()
	h := 1
	if t.Month() > time.June {
		h = 2
	}
	return fmt.Sprintf("%d-H%d", t.Year(), h)
}

// ReportCount is one cell of the transparency report's counts: how many
// requests of a kind and legal process, from a country, received in a
// half-year, stand at a status now, and how many accounts they name.
type ReportCount struct {
	Period       string
	Jurisdiction string // the country
	Kind         RequestKind
	Process      LegalProcessType
	Status       Status
	Requests     int64
	Accounts     int64
}

// ForgedCount is how many requests of one kind, received in one half-year
// from one country, were refused as unverified or suspected forgery
// (docs/verification.md): counted apart from the other refusals.
type ForgedCount struct {
	Period       string
	Jurisdiction string // the country
	Kind         RequestKind
	Requests     int64
}
