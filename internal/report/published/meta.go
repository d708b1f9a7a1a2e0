package published

import "slices"

// metaProcess maps the count columns of Meta's files to labels. Each count
// column N may be followed by "N Accounts" and "N Percentage".
var metaProcess = map[string]string{
	"Preservation Requests":        "preservation",
	"Total Requests":               "total",
	"Legal Process Request Total":  "legal_process",
	"Emergency Request Total":      "emergency",
	"Emergency Disclosures":        "emergency", // the name to 2017 H1; see parseMeta
	"Search Warrant":               "search_warrant",
	"Subpoena":                     "subpoena",
	"Court Order (Other)":          "other_court_order",
	"MLAT Search Warrant":          "mlat_search_warrant",
	"MLAT Order":                   "mlat_order",
	"Court Order (18 USC 2703(d))": "court_order_2703d",
	"Pen Register/Trap and Trace":  "pen_register",
	"Title III":                    "wiretap",
	"FISA Content Requests":        "national_security_fisa_content",
	"FISA Non-Content Requests":    "national_security_fisa_non_content",
	"NSLs":                         "national_security_nsl",
}

// metaAccounts names the accounts column where it is not "N Accounts".
var metaAccounts = map[string]string{
	"Preservation Requests": "Preservation Accounts Preserved",
}

// metaSkipped are the columns Parse reads past: content restrictions, which
// are not user-data requests, and the counts of requests where some data was
// produced, which the percentage beside them already gives.
var metaSkipped = map[string]bool{
	"Content Restricted":                                true,
	"Content Restrictions":                              true,
	"Takedown reports":                                  true,
	"Percent Witheld":                                   true, // sic
	"Internet Disruptions":                              true,
	"Number of Requests Where Some Data Produced":       true,
	"Legal Number of Requests Where Some Data Produced": true,
	"ER Number of Requests Where Some Data Produced":    true,
}

// metaGroup is one legal process's columns in a Meta header.
type metaGroup struct {
	process                   string
	requests, accounts, share string // "" where the header lacks the column
}

// metaGroups reads a Meta header into its groups, in header order. A column
// it does not know is an error, so that a fifth layout is noticed rather
// than half read.
func metaGroups(t *table) ([]metaGroup, error) {
	if !t.has("Country") {
		return nil, &ParseError{File: t.name, Line: 1, Column: "Country", Msg: "the column is missing; Meta's files begin with it"}
	}
	used := map[string]bool{"Country": true}
	var groups []metaGroup
	for _, c := range t.header {
		p, ok := metaProcess[c]
		if !ok {
			continue
		}
		g := metaGroup{process: p, requests: c}
		acc := c + " Accounts"
		if a, ok := metaAccounts[c]; ok {
			acc = a
		}
		if t.has(acc) {
			g.accounts = acc
		}
		if t.has(c + " Percentage") {
			g.share = c + " Percentage"
		}
		used[g.requests], used[g.accounts], used[g.share] = true, true, true
		groups = append(groups, g)
	}
	for _, c := range t.header {
		if !used[c] && !metaSkipped[c] {
			return nil, &ParseError{File: t.name, Line: 1, Column: c, Msg: "the column is not part of any Meta layout this package knows" + suggest(c, metaColumns())}
		}
	}
	if len(groups) == 0 {
		return nil, &ParseError{File: t.name, Line: 1, Msg: "the header has none of Meta's request columns (Total Requests, Search Warrant, …)"}
	}
	return groups, nil
}

// metaColumns lists every column of the Meta layouts this package knows,
// for suggestions.
func metaColumns() []string {
	cols := []string{"Country"}
	for c := range metaProcess {
		acc := c + " Accounts"
		if a, ok := metaAccounts[c]; ok {
			acc = a
		}
		cols = append(cols, c, acc, c+" Percentage")
	}
	for c := range metaSkipped {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	return cols
}

// parseMeta reads one of Meta's per-half-year files: a row per country and
// a column triple (requests, accounts, percentage) per legal process.
func parseMeta(t *table) ([]Figure, error) {
	period, ok := nameLabel(t.name)
	if !ok {
		return nil, &ParseError{File: t.name, Msg: "Meta's files give their half-year only in their name, as in …-2020_H2.csv, and this name has none"}
	}
	groups, err := metaGroups(t)
	if err != nil {
		return nil, err
	}
	var figs []Figure
	seen := make(map[string]int) // jurisdiction to line
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return figs, nil
		}
		if t.blank() {
			continue
		}
		j, err := t.jurisdiction("Country")
		if err != nil {
			return nil, err
		}
		if j == "" {
			continue // an aggregate row
		}
		if line, dup := seen[j]; dup {
			return nil, t.errorf("Country", "the row repeats %s of line %d", j, line)
		}
		seen[j] = t.line
		row := make(map[string]Figure, len(groups))
		for _, g := range groups {
			f := Figure{Company: Meta, Period: period, Jurisdiction: j, LegalProcess: g.process}
			if f.Requests, f.RequestsBand, err = t.count(g.requests); err != nil {
				return nil, err
			}
			if g.accounts != "" {
				if f.Accounts, f.AccountsBand, err = t.count(g.accounts); err != nil {
					return nil, err
				}
			}
			if g.share != "" {
				if f.PercentSomeData, err = t.percent(g.share); err != nil {
					return nil, err
				}
			}
			if f.Requests == nil && f.RequestsBand == nil && f.Accounts == nil && f.AccountsBand == nil && f.PercentSomeData == nil {
				continue // Meta published nothing for this process here
			}
			// Files to 2017 H1 carry emergency requests twice, as
			// "Emergency Request Total" and "Emergency Disclosures"; where
			// both are filled they agree, and a file where they do not
			// cannot be read without guessing.
			if prev, dup := row[g.process]; dup {
				if !sameFigures(prev, f) {
					return nil, t.errorf(g.requests, "the %s figures differ from those in column %q of the same row", g.process, firstColumn(groups, g.process))
				}
				continue
			}
			row[g.process] = f
			figs = append(figs, f)
		}
	}
}

func firstColumn(groups []metaGroup, process string) string {
	for _, g := range groups {
		if g.process == process {
			return g.requests
		}
	}
	return ""
}

// sameFigures reports whether two figures carry the same numbers.
func sameFigures(a, b Figure) bool {
	return eq(a.Requests, b.Requests) && eq(a.Accounts, b.Accounts) &&
		eq(a.PercentSomeData, b.PercentSomeData) && eq(a.RequestsBand, b.RequestsBand) && eq(a.AccountsBand, b.AccountsBand)
}

func eq[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
