package report

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Regimes are the report's figures by legal regime: EU orders by regime
// and issuing member state, with the median time to answer them; UK–US
// Data Access Agreement orders apart, as some platforms publish them; and
// the demands about users living outside the requesting country.
type Regimes struct {
	EU []RegimeRow `json:"eu"`
	// UKDAA counts orders under the UK–US Data Access Agreement.
	UKDAA RegimeRow `json:"uk_daa"`
	// Extraterritorial counts requests about a user whose platform-known
	// home country is outside the requesting country; each row has its
	// own.
	Extraterritorial int64 `json:"extraterritorial"`
}

// RegimeRow counts the orders of one regime from one state.
type RegimeRow struct {
	Regime       dueprocess.LegalProcessType `json:"regime"`
	IssuingState string                      `json:"issuing_state"`
	Name         string                      `json:"name"`
	Figures
	Refused int64 `json:"refused"`
	// Answered counts the orders answered (refused, rejected, no data,
	// disclosed, closed, withdrawn, or answered that they cannot be
	// executed); MedianHoursToAnswer is the median time from receipt to
	// that answer, null while none is answered.
	Answered            int64    `json:"answered"`
	MedianHoursToAnswer *float64 `json:"median_hours_to_answer"`

	hours []float64
}

// addRegime counts c in the report's regimes section, if it is of one.
func (rep *Report) addRegime(rows map[[2]string]*RegimeRow, c dueprocess.ReportCount) {
	var row *RegimeRow
	switch {
	case c.Process.EUOrder():
		key := [2]string{string(c.Process), c.Jurisdiction}
		if row = rows[key]; row == nil {
			row = &RegimeRow{Regime: c.Process, IssuingState: c.Jurisdiction, Name: dueprocess.Countries[c.Jurisdiction]}
			rows[key] = row
		}
	case c.Process == dueprocess.ProcessUKDAA:
		row = &rep.Regimes.UKDAA
	default:
		return
	}
	row.Requests += c.Requests
	row.Accounts += c.Accounts
	if slices.Contains(answered, c.Status) {
		row.SomeData += c.Requests
	}
	if c.Status == dueprocess.StatusRefused {
		row.Refused += c.Requests
	}
}

// finishRegimes orders the EU rows and works out their percentages.
func (rep *Report) finishRegimes(rows map[[2]string]*RegimeRow) {
	rep.Regimes.EU = []RegimeRow{}
	for _, row := range rows {
		percent(&row.Figures)
		rep.Regimes.EU = append(rep.Regimes.EU, *row)
	}
	slices.SortFunc(rep.Regimes.EU, func(a, b RegimeRow) int {
		if a.Regime != b.Regime {
			return slices.Index(dueprocess.LegalProcessTypes, a.Regime) - slices.Index(dueprocess.LegalProcessTypes, b.Regime)
		}
		switch {
		case a.IssuingState < b.IssuingState:
			return -1
		case a.IssuingState > b.IssuingState:
			return 1
		}
		return 0
	})
	rep.Regimes.UKDAA.Regime, rep.Regimes.UKDAA.IssuingState, rep.Regimes.UKDAA.Name = dueprocess.ProcessUKDAA, "GB", dueprocess.Countries["GB"]
	percent(&rep.Regimes.UKDAA.Figures)
}

// AddRegimeRequests adds what the counts do not hold: the times to answer
// the regimes' orders, and the extraterritorial requests, from the
// requests of the report's period (others are ignored).
func (rep *Report) AddRegimeRequests(reqs []dueprocess.RegimeRequest) {
	byJuris := map[string]*Row{}
	for i := range rep.Rows {
		byJuris[rep.Rows[i].Jurisdiction] = &rep.Rows[i]
	}
	for _, q := range reqs {
		if dueprocess.HalfYear(q.ReceivedAt) != rep.Period {
			continue
		}
		country := dueprocess.Country(q.Jurisdiction)
		if q.Extraterritorial {
			rep.Regimes.Extraterritorial++
			rep.Total.Extraterritorial++
			if row := byJuris[country]; row != nil {
				row.Extraterritorial++
			}
		}
		if row := rep.regimeRow(q.Process, country); row != nil && !q.AnsweredAt.IsZero() {
			row.Answered++
			row.hours = append(row.hours, q.AnsweredAt.Sub(q.ReceivedAt).Hours())
		}
	}
	for i := range rep.Regimes.EU {
		rep.Regimes.EU[i].median()
	}
	rep.Regimes.UKDAA.median()
}

func (rep *Report) regimeRow(t dueprocess.LegalProcessType, country string) *RegimeRow {
	if t == dueprocess.ProcessUKDAA {
		return &rep.Regimes.UKDAA
	}
	for i := range rep.Regimes.EU {
		if r := &rep.Regimes.EU[i]; r.Regime == t && r.IssuingState == country {
			return r
		}
	}
	return nil
}

func (row *RegimeRow) median() {
	if len(row.hours) == 0 {
		return
	}
	slices.Sort(row.hours)
	n := len(row.hours)
	m := row.hours[n/2]
	if n%2 == 0 {
		m = (row.hours[n/2-1] + row.hours[n/2]) / 2
	}
	m = float64(time.Duration(m*float64(time.Hour)).Round(time.Minute)) / float64(time.Hour)
	row.MedianHoursToAnswer = &m
	row.hours = nil
}

// RegimesHeader is the header of the regimes file,
// /transparency/{period}-regimes.csv.
const RegimesHeader = "Period Ending,Regime,Issuing State,CLDR Territory Code,Requests,Accounts,Requests Where Some Data Produced,Percentage,Refused,Answered,Median Hours To Answer"

// WriteRegimesCSV writes the report's regimes section: one line per EU
// regime and issuing member state, one for UK–US Data Access Agreement
// orders, and one counting the extraterritorial requests.
func WriteRegimesCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, RegimesHeader+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	end := r.End.String()
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	opt := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', 1, 64)
	}
	for _, row := range append(slices.Clone(r.Regimes.EU), r.Regimes.UKDAA) {
		if row.Requests == 0 {
			continue
		}
		cw.Write([]string{end, string(row.Regime), row.Name, row.IssuingState, num(row.Requests), num(row.Accounts), num(row.SomeData),
			opt(row.PercentSomeData), num(row.Refused), num(row.Answered), opt(row.MedianHoursToAnswer)})
	}
	cw.Write([]string{end, "extraterritorial", "All jurisdictions", "", num(r.Regimes.Extraterritorial), "", "", "", "", "", ""})
	cw.Flush()
	return cw.Error()
}
