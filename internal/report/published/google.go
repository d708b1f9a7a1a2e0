package published

import (
	"fmt"
	"strings"
)

// googleProcess maps Google's "Legal Process" values, in lower case because
// Google writes both "CLOUD Act" and "CLOUD ACT", to labels.
var googleProcess = map[string]string{
	"all":                                   "all",
	"other legal requests":                  "other_legal",
	"emergency disclosure requests":         "emergency",
	"preservation requests":                 "preservation",
	"subpoenas":                             "subpoena",
	"search warrants":                       "search_warrant",
	"pen register orders":                   "pen_register",
	"wiretap orders":                        "wiretap",
	"other court orders":                    "other_court_order",
	"court orders":                          "court_order",
	"police requests":                       "police",
	"requests for data of local subsidiary": "local_subsidiary",
	"cloud act - ipa cdrs":                  "cloud_act_ipa",
	"cloud act - opos":                      "cloud_act_opo",
}

// googleProduct maps the enterprise files' product names to Figure.Product.
var googleProduct = map[string]string{
	"google workspace": "workspace",
	"gsuite":           "workspace",
	"g suite":          "workspace",
	"gcp":              "cloud",
	"google cloud":     "cloud",
}

// googleLayout names the columns of one of Google's long layouts, where each
// row is one figure. Empty names are columns the layout lacks.
type googleLayout struct {
	what     string // for messages
	period   string
	country  string
	code     string
	product  string
	process  string // "" when the whole file is one process
	fixed    string // the label when process is ""
	requests string
	accounts string
	percent  string
	assist   string // the assisting country in the diplomatic files
	// sum is set for the diplomatic files, which give one row per origin
	// and assisting country (the United States or Ireland); Figure has no
	// place for the assisting country, so those rows are added up.
	sum bool
}

var googleLayouts = []googleLayout{
	{
		what:   "user data requests",
		period: "Period Ending", country: "Country/Region", code: "CLDR Territory Code",
		process: "Legal Process", requests: "User Data Requests", percent: "Percentage disclosed", accounts: "Accounts",
	},
	{
		what:   "enterprise cloud requests",
		period: "Period Ending", country: "Country/Region", code: "CLDR Territory Code", product: "Product",
		process: "Legal Process", requests: "Enterprise Cloud customer requests", accounts: "Enterprise Cloud customers",
		percent: "Percentage disclosed",
	},
	{
		what:   "diplomatic user data requests",
		period: "Period Ending", country: "Country/Region of Origin", code: "CLDR Territory Code",
		assist: "Assisting Country", fixed: "mlat", requests: "User Data Diplomatic Legal requests", sum: true,
	},
	{
		what:   "diplomatic enterprise requests",
		period: "Period Ending", product: "Product", country: "Country/Region of Origin",
		assist: "Assisting Country", fixed: "mlat", requests: "Enterprise Diplomatic Legal requests", sum: true,
	},
}

func (l googleLayout) columns() []string {
	var cols []string
	for _, c := range []string{l.period, l.country, l.code, l.product, l.process, l.requests, l.accounts, l.percent, l.assist} {
		if c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

func parseGoogle(t *table) ([]Figure, error) {
	switch {
	case t.has("Reporting period ending date"):
		return parseGoogleNationalSecurity(t)
	case t.has("National Security Letter (NSL) number"):
		return nil, &ParseError{File: t.name, Line: 1, Msg: "this file lists the national security letters Google may now disclose; it holds no counts"}
	}
	for _, l := range googleLayouts {
		if t.has(l.requests) {
			return parseGoogleLong(t, l)
		}
	}
	return nil, &ParseError{File: t.name, Line: 1, Msg: fmt.Sprintf("the header %q is not one of Google's user data layouts", strings.Join(t.header, ","))}
}

// checkHeader makes sure the header has exactly the layout's columns, in any
// order: a column Google adds or renames should stop the import rather than
// be silently dropped.
func checkHeader(t *table, what string, want []string) error {
	wanted := make(map[string]bool, len(want))
	for _, c := range want {
		wanted[c] = true
		if !t.has(c) {
			return &ParseError{File: t.name, Line: 1, Column: c, Msg: fmt.Sprintf("the column is missing from a file of %s", what)}
		}
	}
	for _, c := range t.header {
		if !wanted[c] {
			return &ParseError{File: t.name, Line: 1, Column: c, Msg: fmt.Sprintf("the column is not part of Google's layout for %s", what) + suggest(c, want)}
		}
	}
	return nil
}

// figureKey identifies a figure within one file.
type figureKey struct{ period, product, jurisdiction, process string }

func keyOf(f Figure) figureKey {
	return figureKey{f.Period, f.Product, f.Jurisdiction, f.LegalProcess}
}

func parseGoogleLong(t *table, l googleLayout) ([]Figure, error) {
	if err := checkHeader(t, l.what, l.columns()); err != nil {
		return nil, err
	}
	var figs []Figure
	type place struct{ index, line int } // of a figure's first row
	seen := make(map[figureKey]place)
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return figs, nil
		}
		f := Figure{Company: Google, LegalProcess: l.fixed}
		if f.Period, err = isoPeriod(t.cell(l.period)); err != nil {
			return nil, t.errorf(l.period, "%v", err)
		}
		if l.product != "" {
			p, ok := googleProduct[strings.ToLower(t.cell(l.product))]
			if !ok {
				return nil, t.errorf(l.product, "the product %q is not one this package knows (Google Workspace, GSUITE, GCP)", t.cell(l.product))
			}
			f.Product = p
		}
		if l.process != "" {
			p, ok := googleProcess[strings.ToLower(t.cell(l.process))]
			if !ok {
				return nil, t.errorf(l.process, "the legal process %q is not one this package knows", t.cell(l.process))
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
		code := ""
		if l.code != "" {
			code = t.cell(l.code)
		}
		switch {
		case code != "":
			if !knownCode(code) {
				return nil, t.errorf(l.code, "%q is not an ISO 3166-1 code", code)
			}
			f.Jurisdiction = code
		case l.sum && t.cell(l.country) == "" && (f.Requests == nil || *f.Requests == 0):
			// Google writes a row with no country and 0 requests to say
			// that a half-year had none; it is no jurisdiction's figure.
			continue
		default:
			if f.Jurisdiction, err = t.jurisdiction(l.country); err != nil {
				return nil, err
			}
			if f.Jurisdiction == "" {
				continue // an aggregate row
			}
		}
		k := keyOf(f)
		if p, dup := seen[k]; dup {
			if !l.sum {
				return nil, t.errorf("", "the row repeats the figure of line %d (%s %s %s)", p.line, f.Period, f.Jurisdiction, f.LegalProcess)
			}
			figs[p.index].Requests = addCounts(figs[p.index].Requests, f.Requests)
			continue
		}
		seen[k] = place{len(figs), t.line}
		figs = append(figs, f)
	}
}

// addCounts adds two counts either of which may be unpublished.
func addCounts(a, b *int64) *int64 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	n := *a + *b
	return &n
}

// parseGoogleNationalSecurity reads Google's FISA and NSL files, which give
// the number of demands and of accounts only as bands, in a header that is
// the same for every kind of demand: the kind is in the file name.
func parseGoogleNationalSecurity(t *table) ([]Figure, error) {
	const (
		period = "Reporting period ending date"
		reqMin = "Number of requests (range MIN)"
		reqMax = "Number of requests (range MAX)"
		accMin = "Number of accounts (range MIN)"
		accMax = "Number of accounts (range MAX)"
	)
	if err := checkHeader(t, "US national security requests", []string{period, reqMin, reqMax, accMin, accMax}); err != nil {
		return nil, err
	}
	name := strings.ToLower(t.name)
	var process string
	switch {
	case strings.Contains(name, "fisa-non-content"):
		process = "national_security_fisa_non_content"
	case strings.Contains(name, "fisa-content"):
		process = "national_security_fisa_content"
	case strings.Contains(name, "nsl"):
		process = "national_security_nsl"
	default:
		return nil, &ParseError{File: t.name, Msg: "the file name must say which demands the file counts (fisa-content, fisa-non-content or nsl), as Google's names do"}
	}
	var figs []Figure
	seen := make(map[string]int)
	for {
		ok, err := t.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return figs, nil
		}
		f := Figure{Company: Google, Jurisdiction: "US", LegalProcess: process}
		if f.Period, err = isoPeriod(t.cell(period)); err != nil {
			return nil, t.errorf(period, "%v", err)
		}
		if line, dup := seen[f.Period]; dup {
			return nil, t.errorf(period, "the row repeats the half-year of line %d", line)
		}
		seen[f.Period] = t.line
		if f.RequestsBand, err = band(t, reqMin, reqMax); err != nil {
			return nil, err
		}
		if f.AccountsBand, err = band(t, accMin, accMax); err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
}

// band reads a band from two columns; both empty means none published.
func band(t *table, minCol, maxCol string) (*Band, error) {
	lo, hi := t.cell(minCol), t.cell(maxCol)
	if none(lo) && none(hi) {
		return nil, nil
	}
	min, err := parseInt(lo)
	if err != nil {
		return nil, t.errorf(minCol, "%v", err)
	}
	max, err := parseInt(hi)
	if err != nil {
		return nil, t.errorf(maxCol, "%v", err)
	}
	if min > max {
		return nil, t.errorf(maxCol, "the band %d to %d runs backwards", min, max)
	}
	return &Band{Min: min, Max: max}, nil
}
