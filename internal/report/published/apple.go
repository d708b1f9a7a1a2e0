package published

import (
	"fmt"
	"slices"
	"strings"
)

// appleKind maps what comes before " Requests Received" in the header of
// Apple's files to labels. Apple counts requests by what they ask for, not
// by legal process.
var appleKind = map[string]string{
	"Account":                  "account",
	"Device":                   "device",
	"Financial Identifier":     "financial_identifier",
	"Push Token":               "push_token",
	"Digital Content Provider": "digital_content_provider",
	"Account Preservation":     "preservation",
	"Emergency":                "emergency",
}

// appleContent are Apple's files about restricting content rather than
// disclosing data; Figure has no place for what they count.
var appleContent = map[string]bool{
	"Account Restriction/ Account Deletion": true,
	"Legal Violation Takedown":              true,
	"Platform Policy Violation Takedown":    true,
}

// appleNationalSecurity maps the "National Security Requests Type+" values.
var appleNationalSecurity = map[string]string{
	"national security": "national_security", // FISA and NSL together, to 2017
	"fisa content":      "national_security_fisa_content",
	"fisa non-content":  "national_security_fisa_non_content",
	"nsls":              "national_security_nsl",
}

const (
	appleStart   = "TR Start Date"
	appleEnd     = "TR End Date"
	appleCountry = "Country/Region"
	applePercent = "Percentage of Requests where Data Provided"
	appleNSType  = "National Security Requests Type+"
)

// appleAccounts are the columns that count what requests named, one of
// which may follow a "… Requests Received" column.
var appleAccounts = []string{
	"Accounts Specified in Requests",
	"Accounts Specified in the Requests",
	"Devices Specified in Requests",
	"Financial Identifiers Specified in Requests",
	"Push Tokens Specified in Requests",
}

// appleSkipped are the columns Parse reads past: counts Figure has no
// place for, and the count of requests where data was provided, which the
// percentage beside it already gives.
var appleSkipped = []string{
	"Requests where Data Provided",
	"Requests Objected in Part or Rejected in Full",
	"Requests Objected to in Part or Rejected in Full",
	"Accounts where Data Preserved",
}

// parseApple reads one of Apple's files. They all begin with the half-year
// ("TR Period" or "TR Date"), its start and end dates and the country; the
// columns after that differ from file to file. Columns Figure has no place
// for (requests objected to, accounts where data was preserved, …) are
// read past; a column that is in no layout this package knows, such as a
// misspelt one, is an error, so that a new layout is noticed rather than
// half read.
func parseApple(t *table) ([]Figure, error) {
	label := "TR Period"
	if !t.has(label) {
		label = "TR Date"
	}
	for _, c := range []string{label, appleStart, appleEnd, appleCountry} {
		if !t.has(c) {
			return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the column is missing; Apple's files begin with TR Period, TR Start Date, TR End Date, Country/Region"}
		}
	}
	l := appleLayout{label: label}
	known := []string{label, appleStart, appleEnd, appleCountry}
	switch {
	case t.has(appleNSType):
		l.nsType, l.requests, l.accounts = appleNSType, "Requests Received", "Users/Accounts"
		for _, c := range []string{l.requests, l.accounts} {
			if !t.has(c) {
				return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the column is missing from Apple's national security layout"}
			}
		}
		known = append(known, l.nsType, l.requests, l.accounts)
	default:
		for _, c := range t.header {
			kind, ok := strings.CutSuffix(c, " Requests Received")
			if !ok {
				continue
			}
			if appleContent[kind] {
				return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the file counts requests to restrict content, not requests for user data"}
			}
			p, ok := appleKind[kind]
			if !ok {
				return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the kind of request is not one this package knows" + suggest(c, appleRequestColumns())}
			}
			if l.requests != "" {
				return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: fmt.Sprintf("the file has two request columns, this and %q; Apple gives one per file", l.requests)}
			}
			l.process, l.requests = p, c
		}
		for _, c := range t.header {
			if slices.Contains(appleAccounts, c) {
				l.accounts = c
			}
		}
		if t.has(applePercent) {
			l.percent = applePercent
		}
		known = append(known, applePercent)
		known = append(known, appleAccounts...)
		known = append(known, appleSkipped...)
		if l.requests != "" {
			known = append(known, l.requests)
		} else {
			known = append(known, appleRequestColumns()...)
		}
	}
	for _, c := range t.header {
		if !slices.Contains(known, c) {
			return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the column is not part of any Apple layout this package knows" + suggest(c, known)}
		}
	}
	if l.requests == "" {
		return nil, &ParseError{File: t.name, Line: 1, Msg: "the header has no \"… Requests Received\" column"}
	}
	return l.parse(t)
}

// appleRequestColumns lists the request columns of Apple's user-data
// files, for suggestions.
func appleRequestColumns() []string {
	cols := make([]string, 0, len(appleKind))
	for kind := range appleKind {
		cols = append(cols, kind+" Requests Received")
	}
	slices.Sort(cols)
	return cols
}

// appleLayout names the columns of one Apple file.
type appleLayout struct {
	label, nsType, process      string
	requests, accounts, percent string
}

func (l appleLayout) parse(t *table) ([]Figure, error) {
	var figs []Figure
	seen := make(map[figureKey]int)
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return figs, nil
		}
		f := Figure{Company: Apple, LegalProcess: l.process}
		if f.Period, err = l.period(t); err != nil {
			return nil, err
		}
		if f.Jurisdiction, err = t.jurisdiction(appleCountry); err != nil {
			return nil, err
		}
		if f.Jurisdiction == "" {
			continue // an aggregate row
		}
		if l.nsType != "" {
			p, ok := appleNationalSecurity[strings.ToLower(t.cell(l.nsType))]
			if !ok {
				return nil, t.errorf(l.nsType, "the kind of demand %q is not one this package knows", t.cell(l.nsType))
			}
			f.LegalProcess = p
		}
		if f.Requests, f.RequestsBand, err = t.count(l.requests); err != nil {
			return nil, err
		}
		if l.accounts != "" {
			if f.Accounts, f.AccountsBand, err = t.count(l.accounts); err != nil {
				return nil, err
			}
		}
		if l.percent != "" {
			if f.PercentSomeData, err = t.percent(l.percent); err != nil {
				return nil, err
			}
		}
		k := keyOf(f)
		if line, dup := seen[k]; dup {
			return nil, t.errorf(appleCountry, "the row repeats the figure of line %d (%s %s %s)", line, f.Period, f.Jurisdiction, f.LegalProcess)
		}
		seen[k] = t.line
		figs = append(figs, f)
	}
}

// period reads the half-year label and checks it against the start and end
// dates beside it, since a row whose three disagree was mis-keyed and no
// single one of them can be trusted.
func (l appleLayout) period(t *table) (string, error) {
	p, err := labelPeriod(t.cell(l.label))
	if err != nil {
		return "", t.errorf(l.label, "%v", err)
	}
	end, err := usDate(t.cell(appleEnd))
	if err != nil {
		return "", t.errorf(appleEnd, "%v", err)
	}
	pe, err := periodOfEnd(end)
	if err != nil {
		return "", t.errorf(appleEnd, "%v", err)
	}
	if pe != p {
		return "", t.errorf(appleEnd, "the half-year ends on %s, which is not the end of %s", t.cell(appleEnd), t.cell(l.label))
	}
	start, err := usDate(t.cell(appleStart))
	if err != nil {
		return "", t.errorf(appleStart, "%v", err)
	}
	// A half-year starts five months before the month it ends in:
	// January for June, July for December.
	if y, m, d := start.Date(); y != end.Year() || d != 1 || m != end.Month()-5 {
		return "", t.errorf(appleStart, "the half-year starts on %s, which is not the start of %s", t.cell(appleStart), t.cell(l.label))
	}
	return p, nil
}
