// Package report builds the transparency report: for a half-year and each
// jurisdiction, the requests received, the accounts they named and how
// many were answered with some data, by legal process; emergencies,
// preservation and content restriction; and, beyond what the largest
// companies publish, the requests refused, paused, escalated, rejected and
// those where no data was held. Build is pure; it reads counts the store
// keeps up to date (dueprocess.ReportCount) and states the audit checkpoint the
// figures can be checked against.
package report

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Report is one half-year's transparency report.
type Report struct {
	Period     string             `json:"period"` // "2026-H1"
	Start      dueprocess.Date    `json:"start"`
	End        dueprocess.Date    `json:"end"` // the last day, as "Period Ending" in Google's files
	Checkpoint Checkpoint         `json:"checkpoint"`
	Rows       []Row              `json:"jurisdictions"`
	Total      Row                `json:"total"`
	Pauses     []dueprocess.Pause `json:"pauses"` // in force at some time during the period
	Regimes    Regimes            `json:"regimes"`
}

// Checkpoint is the signed audit checkpoint the report was computed at:
// every change the figures count is in the log of this size.
type Checkpoint struct {
	Size int64  `json:"size"`
	Root string `json:"root"` // base64, as in the checkpoint
	Text string `json:"text"` // the signed note itself
}

// Figures count requests of one kind, or legal process.
type Figures struct {
	Requests int64 `json:"requests"`
	Accounts int64 `json:"accounts"`
	// SomeData counts requests answered with some data: for user data and
	// emergencies, released with a package of at least one file (status
	// disclosed); for preservation and content restriction, approved.
	SomeData        int64    `json:"some_data"`
	PercentSomeData *float64 `json:"percent_some_data"` // null without requests
}

// Row is one jurisdiction's figures (a country; subdivisions count under
// it).
type Row struct {
	Jurisdiction string `json:"jurisdiction"`
	Name         string `json:"name"`
	// UserData counts requests for user data (kind user_data), in all and
	// by legal process.
	UserData  Figures                                 `json:"user_data"`
	ByProcess map[dueprocess.LegalProcessType]Figures `json:"by_legal_process"`
	Emergency Figures                                 `json:"emergency"`
	// Preservation: requests, accounts preserved (requests granted), and
	// accounts held: the holds placed on the requests' targets (AddHolds).
	Preservation struct {
		Requests          int64 `json:"requests"`
		AccountsPreserved int64 `json:"accounts_preserved"`
		AccountsHeld      int64 `json:"accounts_held"`
	} `json:"preservation"`
	// ContentRestriction: requests, items named, and items acted on.
	ContentRestriction struct {
		Requests     int64 `json:"requests"`
		Items        int64 `json:"items"`
		ItemsActedOn int64 `json:"items_acted_on"`
	} `json:"content_restriction"`
	// Outcomes of every kind, kept apart: what the big companies fold into
	// "no data produced".
	Refused   int64 `json:"refused"`
	Paused    int64 `json:"paused"`    // held by a jurisdiction pause now
	Escalated int64 `json:"escalated"` // awaiting a human-rights assessment now
	Rejected  int64 `json:"rejected"`
	NoData    int64 `json:"no_data"` // no data held on the targets
	Withdrawn int64 `json:"withdrawn"`
	Pending   int64 `json:"pending"` // still being handled
	// UserNotice counts the notices to the users whose data was asked
	// for (see AddNotices).
	UserNotice Notices `json:"user_notice"`
	// RefusedUnverified counts the requests of the period refused as
	// unverified or suspected forgery (a failed callback to the agency's
	// number in our registry), whatever became of them since: a forged
	// demand is not a government's demand, and is counted apart
	// (docs/verification.md).
	RefusedUnverified int64 `json:"refused_unverified"`
	// NationalSecurity gives US national-security demands (FISA orders,
	// National Security Letters) only as bands, as the law requires; they
	// are counted nowhere else in the report, so that no exact figure can
	// be worked out by subtraction. Set for the United States and the total.
	NationalSecurity *Bands `json:"national_security,omitempty"`
	// Extraterritorial counts the requests about a user whose
	// platform-known home country is outside this one (see
	// Report.AddRegimeRequests).
	Extraterritorial int64 `json:"extraterritorial"`

	nsRequests, nsAccounts int64
}

// Bands are ranges in place of exact counts, such as "0-249".
type Bands struct {
	Width    int    `json:"width"`
	Requests string `json:"requests"`
	Accounts string `json:"accounts"`
}

// BandWidths are the widths US law allows for national-security figures.
var BandWidths = []int{250, 500, 1000}

func band(n int64, width int) string {
	lo := n / int64(width) * int64(width)
	return fmt.Sprintf("%d-%d", lo, lo+int64(width)-1)
}

var periodForm = regexp.MustCompile(`^(\d{4})-H([12])$`)

// ParsePeriod checks a half-year name and returns its first and last day.
func ParsePeriod(p string) (start, end dueprocess.Date, err error) {
	m := periodForm.FindStringSubmatch(p)
	if m == nil {
		return start, end, dueprocess.FieldError("period", "%q is not a half-year such as 2026-H1", p)
	}
	year, _ := strconv.Atoi(m[1])
	if year < 2000 || year > 2100 {
		return start, end, dueprocess.FieldError("period", "%q is out of range", p)
	}
	month := time.January
	if m[2] == "2" {
		month = time.July
	}
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	return dueprocess.DateOf(first), dueprocess.DateOf(first.AddDate(0, 6, -1)), nil
}

// answered are the statuses of a request answered with some data. For
// user data and emergencies that is a release: a package of at least one
// file (status disclosed; a release that found no data held for every
// approved category is no_data). An approval alone has produced nothing
// yet, and is pending. A preservation or a content restriction produces no
// package: its approval is its answer.
var answered = []dueprocess.Status{dueprocess.StatusDisclosed}

var granted = []dueprocess.Status{dueprocess.StatusApproved, dueprocess.StatusPartiallyApproved, dueprocess.StatusDisclosed}

// someData reports whether count c is of requests answered with some data.
func someData(c dueprocess.ReportCount) bool {
	switch c.Kind {
	case dueprocess.KindPreservation, dueprocess.KindContentRestriction:
		return slices.Contains(granted, c.Status)
	}
	return slices.Contains(answered, c.Status)
}

// Build makes the report of period from its counts, with the pauses of
// any time (those in force during the period are kept) and the checkpoint
// the counts were read at, giving national-security figures in bands of
// 250.
func Build(period string, counts []dueprocess.ReportCount, pauses []dueprocess.Pause, cp Checkpoint) (*Report, error) {
	return BuildBanded(period, counts, pauses, cp, BandWidths[0])
}

// BuildBanded is Build with national-security bands of width, one of
// BandWidths.
func BuildBanded(period string, counts []dueprocess.ReportCount, pauses []dueprocess.Pause, cp Checkpoint, width int) (*Report, error) {
	start, end, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(BandWidths, width) {
		return nil, dueprocess.FieldError("band", "national-security bands are %d wide; the law allows 250, 500 or 1000", width)
	}
	rep := &Report{Period: period, Start: start, End: end, Checkpoint: cp, Pauses: []dueprocess.Pause{}}
	rows := map[string]*Row{}
	regimes := map[[2]string]*RegimeRow{}
	rep.Total = newRow("", "All jurisdictions")
	for _, c := range counts {
		if c.Period != period {
			continue
		}
		row := rows[c.Jurisdiction]
		if row == nil {
			r := newRow(c.Jurisdiction, dueprocess.Countries[c.Jurisdiction])
			row = &r
			rows[c.Jurisdiction] = row
		}
		add(row, c)
		add(&rep.Total, c)
		rep.addRegime(regimes, c)
	}
	rep.finishRegimes(regimes)
	for _, row := range rows {
		rep.Rows = append(rep.Rows, *row)
	}
	slices.SortFunc(rep.Rows, func(a, b Row) int {
		switch {
		case a.Jurisdiction < b.Jurisdiction:
			return -1
		case a.Jurisdiction > b.Jurisdiction:
			return 1
		}
		return 0
	})
	for i := range rep.Rows {
		percentages(&rep.Rows[i])
		if rep.Rows[i].Jurisdiction == "US" {
			rep.Rows[i].bands(width)
		}
	}
	percentages(&rep.Total)
	rep.Total.bands(width)
	endOfPeriod := end.Time.AddDate(0, 0, 1)
	for _, p := range pauses {
		if p.StartedAt.Before(endOfPeriod) && (p.EndedAt == nil || !p.EndedAt.Before(start.Time)) {
			rep.Pauses = append(rep.Pauses, p)
		}
	}
	return rep, nil
}

func newRow(code, name string) Row {
	return Row{Jurisdiction: code, Name: name, ByProcess: map[dueprocess.LegalProcessType]Figures{}}
}

func (row *Row) bands(width int) {
	row.NationalSecurity = &Bands{Width: width, Requests: band(row.nsRequests, width), Accounts: band(row.nsAccounts, width)}
}

func add(row *Row, c dueprocess.ReportCount) {
	if c.Process == dueprocess.ProcessNationalSecurity {
		row.nsRequests += c.Requests
		row.nsAccounts += c.Accounts
		return
	}
	some := someData(c)
	fig := func(f *Figures) {
		f.Requests += c.Requests
		f.Accounts += c.Accounts
		if some {
			f.SomeData += c.Requests
		}
	}
	switch c.Kind {
	case dueprocess.KindUserData:
		fig(&row.UserData)
		f := row.ByProcess[c.Process]
		fig(&f)
		row.ByProcess[c.Process] = f
	case dueprocess.KindEmergency:
		fig(&row.Emergency)
	case dueprocess.KindPreservation:
		row.Preservation.Requests += c.Requests
		if some {
			row.Preservation.AccountsPreserved += c.Accounts
		}
	case dueprocess.KindContentRestriction:
		row.ContentRestriction.Requests += c.Requests
		row.ContentRestriction.Items += c.Accounts
		if some {
			row.ContentRestriction.ItemsActedOn += c.Accounts
		}
	}
	switch c.Status {
	case dueprocess.StatusRefused:
		row.Refused += c.Requests
	case dueprocess.StatusPaused:
		row.Paused += c.Requests
	case dueprocess.StatusEscalated:
		row.Escalated += c.Requests
	case dueprocess.StatusRejected:
		row.Rejected += c.Requests
	case dueprocess.StatusNoData:
		row.NoData += c.Requests
	case dueprocess.StatusWithdrawn:
		row.Withdrawn += c.Requests
	default:
		if c.Status.Open() && !some {
			row.Pending += c.Requests
		}
	}
}

func percent(f *Figures) {
	if f.Requests > 0 {
		p := float64(f.SomeData) * 100 / float64(f.Requests)
		f.PercentSomeData = &p
	}
}

func percentages(row *Row) {
	percent(&row.UserData)
	percent(&row.Emergency)
	for k, f := range row.ByProcess {
		percent(&f)
		row.ByProcess[k] = f
	}
}

// AddForged adds the requests refused as suspected forgery
// (store.DB.ForgedCounts) to the rows of r's period and its total.
func (r *Report) AddForged(counts []dueprocess.ForgedCount) {
	for _, c := range counts {
		if c.Period != r.Period {
			continue
		}
		r.row(c.Jurisdiction).RefusedUnverified += c.Requests
		r.Total.RefusedUnverified += c.Requests
	}
}

// String names a report for people.
func (r *Report) String() string {
	return fmt.Sprintf("transparency report %s (%s to %s)", r.Period, r.Start, r.End)
}
