package dueprocess

import "fmt"

// This file holds the figures other companies published about the
// government requests they received (read by internal/report/published,
// kept by internal/store), so that the store needs no reader's package to
// keep them.

// PublishedFigure is what a company published about one kind of request from one
// jurisdiction in one half-year. A nil pointer means the company published
// nothing for it, which is not the same as zero. Google sometimes writes a
// row with no numbers at all; it is kept, all nil, because the row says the
// kind of request exists there. Meta's wide rows leave every process a
// country did not use empty, and those give no Figure.
type PublishedFigure struct {
	Company string `json:"company"` // google, meta or apple
	// Product is "" for a company's main report; Google reports its
	// enterprise products apart, as "workspace" and "cloud".
	Product string `json:"product,omitempty"`
	Period  string `json:"period"` // half-year: "2023-H1"
	// Jurisdiction is the ISO 3166-1 alpha-2 code of the requesting
	// country, or one of the published package's OtherJurisdictions.
	Jurisdiction string `json:"jurisdiction"`
	LegalProcess string `json:"legal_process"` // see the table in internal/report/published
	Requests     *int64 `json:"requests"`
	// Accounts counts what the requests named: accounts, or for Apple the
	// devices, financial identifiers or push tokens. For preservation
	// requests Meta publishes only the accounts it preserved, and that is
	// what Accounts holds for them.
	Accounts *int64 `json:"accounts"`
	// PercentSomeData is the share of requests for which some data was
	// produced, from 0 to 100, as published (usually rounded).
	PercentSomeData *float64 `json:"percent_some_data"`
	// RequestsBand and AccountsBand hold the figure where the company may
	// publish only a range: US national-security demands, and Meta's US
	// total for 2013 H1. Requests or Accounts is then nil.
	RequestsBand *Band `json:"requests_band,omitempty"`
	AccountsBand *Band `json:"accounts_band,omitempty"`
}

// Band is a range a company published instead of an exact count, both ends
// included: "0 - 249" is Band{0, 249}.
type Band struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

func (b Band) String() string { return fmt.Sprintf("%d-%d", b.Min, b.Max) }
