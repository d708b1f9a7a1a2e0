// Package published reads the transparency-report CSV files that Google,
// Meta and Apple publish about the government requests for user data they
// receive, and turns them into one normalised list of figures, so that a
// service's own report can be shown beside its peers'.
//
// Each company's files have their own layout, and the layouts changed over
// the years; Parse tells them apart by their header. What the files share
// is a set of quirks a reader must survive: a UTF-8 byte-order mark, bare
// CR line endings, quoted numbers with thousands separators ("73,956"),
// percentages with and without a sign ("88%", "81"), " -" or "-" for a
// figure not published, bands instead of counts ("0 - 249"), and country
// names that differ from company to company.
//
// # Legal processes
//
// LegalProcess holds one snake_case label per kind of request a company
// counts. Labels are shared where two companies mean the same thing, and
// kept apart where they do not: "all" is Google's only figure for a country
// before it broke requests down (no other row exists for that country and
// half-year), while Meta's "total" (every request) and "legal_process" (every
// request but emergencies) are sums of the rows beside them, so adding either
// to the others counts requests twice.
//
//	label                               Google "Legal Process"                Meta column                      Apple file
//	all                                 All (to 2014)
//	total                                                                     Total Requests
//	legal_process                                                             Legal Process Request Total
//	emergency                           Emergency Disclosure Requests         Emergency Request Total,
//	                                                                          Emergency Disclosures (to 2017 H1)
//	preservation                        Preservation Requests                 Preservation Requests            account_preservation_requests
//	subpoena                            Subpoenas                             Subpoena
//	search_warrant                      Search Warrants                       Search Warrant
//	court_order                         Court Orders (Ireland)
//	other_court_order                   Other Court Orders                    Court Order (Other)
//	court_order_2703d                                                         Court Order (18 USC 2703(d))
//	pen_register                        Pen Register Orders                   Pen Register/Trap and Trace
//	wiretap                             Wiretap Orders                        Title III
//	other_legal                         Other Legal Requests
//	police                              Police Requests (Ireland)
//	local_subsidiary                    Requests for data of local subsidiary
//	cloud_act_ipa                       CLOUD Act - IPA CDRs
//	cloud_act_opo                       CLOUD Act - OPOs
//	mlat                                *-dlr-requests files (diplomatic)
//	mlat_search_warrant                                                       MLAT Search Warrant
//	mlat_order                                                                MLAT Order
//	national_security                                                                                          us_national_security_requests (to 2017)
//	national_security_fisa_content      *-fisa-content-requests file          FISA Content Requests            FISA Content
//	national_security_fisa_non_content  *-fisa-non-content-requests file      FISA Non-Content Requests        FISA Non-Content
//	national_security_nsl               *-nsl-requests file                   NSLs                             NSLs
//	account                                                                                                    account_requests
//	device                                                                                                     device_requests
//	financial_identifier                                                                                       financial_identifier_requests
//	push_token                                                                                                 push_token_requests
//	digital_content_provider                                                                                   digital_content_provider_requests
//
// Apple breaks its figures down by what was asked for (a device, a payment
// card, an account), not by legal process, so its labels name that.
//
// # What is left out
//
// Content-restriction figures (Meta's "Content Restrictions", "Takedown
// reports", "Internet Disruptions"; Apple's restriction, deletion and app
// takedown files) are not requests for user data; Parse skips Meta's columns
// and refuses Apple's files. Meta's "Number of Requests Where Some Data
// Produced" columns are skipped because the percentage beside them carries
// the same fact. Rows that sum a whole file ("Global", "Total", …) are
// dropped; see aggregates.
package published

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Companies whose files Parse reads.
const (
	Google = "google"
	Meta   = "meta"
	Apple  = "apple"
)

// Figure and Band are the root package's types, kept here under their
// short names for the readers in this package.
type (
	Figure = dueprocess.PublishedFigure
	Band   = dueprocess.Band
)

// Parse reads one published file of the company (google, meta or apple),
// recognising its layout from the header. Name is the file's name; errors
// give it with the line and column at fault, and Meta's files, which do not
// say which half-year they cover, carry it only in their names
// ("…-2020_H2.csv"), as do Google's US national-security files, which say
// which demand they count only in theirs.
//
// Parse returns every figure in the file or an error; it never returns some
// figures with an error, so a bad file cannot be half imported.
func Parse(company string, r io.Reader, name string) ([]Figure, error) {
	var parse func(*table) ([]Figure, error)
	switch company {
	case Google:
		parse = parseGoogle
	case Meta:
		parse = parseMeta
	case Apple:
		parse = parseApple
	default:
		return nil, &ParseError{File: name, Msg: fmt.Sprintf("company %q is not one of google, meta, apple", company)}
	}
	t, err := openTable(r, name)
	if err != nil {
		return nil, err
	}
	figs, err := parse(t)
	if err != nil {
		return nil, err
	}
	return figs, nil
}

// ParseFile parses the file at path as Parse does.
func ParseFile(company, path string) ([]Figure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(company, f, path)
}

// periodOfEnd returns the half-year a reporting period ending on t covers;
// the companies report by half-year, so any other end is an error.
func periodOfEnd(t time.Time) (string, error) {
	if err := checkYear(t.Year()); err != nil {
		return "", err
	}
	switch _, m, d := t.Date(); {
	case m == time.June && d == 30:
		return fmt.Sprintf("%d-H1", t.Year()), nil
	case m == time.December && d == 31:
		return fmt.Sprintf("%d-H2", t.Year()), nil
	}
	return "", fmt.Errorf("%s is not the end of a half-year (30 June or 31 December)", t.Format("2006-01-02"))
}

// isoPeriod reads Google's "2023-06-30".
func isoPeriod(s string) (string, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date of the form 2023-06-30", s)
	}
	return periodOfEnd(t)
}

var halfLabel = regexp.MustCompile(`^(\d{4}) ?H([12])$`)

// labelPeriod reads Apple's "2016 H2".
func labelPeriod(s string) (string, error) {
	m := halfLabel.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%q is not a half-year such as \"2016 H2\"", s)
	}
	y, _ := strconv.Atoi(m[1])
	if err := checkYear(y); err != nil {
		return "", err
	}
	return m[1] + "-H" + m[2], nil
}

// checkYear refuses years before any transparency report (Google's first
// covers 2009), which can only be typing errors, and years of more than
// four digits, which would not fit the "2023-H1" form.
func checkYear(y int) error {
	if y < 2000 || y > 9999 {
		return fmt.Errorf("%d is not a year any transparency report covers", y)
	}
	return nil
}

// usDate reads Apple's "7/1/16" and "12/31/16".
func usDate(s string) (time.Time, error) {
	t, err := time.Parse("1/2/06", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date of the form 12/31/16", s)
	}
	return t, nil
}

var namePeriod = regexp.MustCompile(`(?i)(?:^|[^0-9])(20\d{2})[_ -]?H([12])(?:[^0-9]|$)`)

// nameLabel finds the half-year in a file name such as
// "PRPL-Facebook-Government-Report-2019_H2.csv".
func nameLabel(name string) (string, bool) {
	base := name
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	m := namePeriod.FindStringSubmatch(base)
	if m == nil {
		return "", false
	}
	return m[1] + "-H" + m[2], true
}
