package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/chart"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The public transparency report: no sign-in, nothing loaded from other
// hosts, charts drawn on the server.

// buildReport builds the report of period from the kept counts, naming the
// checkpoint signed after they were read.
func (s *Server) buildReport(r *http.Request, period string, all []dueprocess.ReportCount) (*report.Report, error) {
	pauses, err := s.db.Pauses(r.Context(), "")
	if err != nil {
		return nil, err
	}
	notices, err := s.db.NoticeCounts(r.Context(), period)
	if err != nil {
		return nil, err
	}
	holds, err := s.db.HoldCounts(r.Context(), period)
	if err != nil {
		return nil, err
	}
	var cp report.Checkpoint
	size, text, err := s.checkpoints.Latest(r.Context())
	switch {
	case err == nil:
		lines := strings.SplitN(string(text), "\n", 4)
		cp = report.Checkpoint{Size: size, Root: lines[min(2, len(lines)-1)], Text: string(text)}
	case dueprocess.ErrorKind(err) != dueprocess.NotFound:
		return nil, err
	}
	rep, err := report.BuildBanded(period, all, pauses, cp, s.bandWidth)
	if err != nil {
		return nil, err
	}
	rep.AddNotices(notices)
	rep.AddHolds(holds)
	forged, err := s.db.ForgedCounts(r.Context(), period)
	if err != nil {
		return nil, err
	}
	rep.AddForged(forged)
	regimes, err := s.db.RegimeRequests(r.Context(), rep.Start.Time, rep.End.Time.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	rep.AddRegimeRequests(regimes)
	return rep, nil
}

// periods lists every half-year from the oldest with counts to the
// current one, oldest first: a half-year without requests is a zero in
// the trend, not a gap.
func periods(all []dueprocess.ReportCount, now time.Time) []string {
	cur := dueprocess.HalfYear(now)
	first := cur
	for _, c := range all {
		first = min(first, c.Period)
	}
	var out []string
	start, _, err := report.ParsePeriod(first)
	if err != nil {
		return []string{cur}
	}
	for t := start.Time; ; t = t.AddDate(0, 6, 0) {
		p := dueprocess.HalfYear(t)
		out = append(out, p)
		if p >= cur {
			return out
		}
	}
}

// transparencyPage is the public report of one half-year, with its charts
// and the figures other companies published for the same jurisdiction.
type transparencyPage struct {
	basePage
	Report       *report.Report
	ReportRows   []report.Row
	Periods      []string
	Jurisdiction string
	Trend, Bars  template.HTML // SVG drawn here, from numbers only
	Peers        []published.Figure
	Content      contentSection
}

func (s *Server) transparency(w http.ResponseWriter, r *http.Request) error {
	v, err := s.transparencyView(r, r.URL.Query())
	if err != nil {
		return err
	}
	s.render(w, r, "transparency", v)
	return nil
}

// transparencyView builds the public report page for the query q: the
// period, a jurisdiction to chart, and the table's sort.
func (s *Server) transparencyView(r *http.Request, q url.Values) (*transparencyPage, error) {
	all, err := s.db.ReportCounts(r.Context(), "")
	if err != nil {
		return nil, err
	}
	list := periods(all, s.now())
	period := q.Get("period")
	if period == "" {
		period = list[len(list)-1]
	}
	rep, err := s.buildReport(r, period, all)
	if err != nil {
		return nil, err
	}
	juris := ""
	if v := q.Get("jurisdiction"); v != "" {
		if juris, err = dueprocess.ParseJurisdiction(v); err != nil {
			return nil, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "jurisdiction", Message: dueprocess.ErrorMessage(err)}
		}
		juris = dueprocess.Country(juris)
	}
	rows := slices.Clone(rep.Rows)
	switch q.Get("sort") {
	case "requests":
		slices.SortStableFunc(rows, func(a, b report.Row) int { return int(b.UserData.Requests - a.UserData.Requests) })
	case "refused":
		slices.SortStableFunc(rows, func(a, b report.Row) int { return int(b.Refused - a.Refused) })
	case "answered":
		slices.SortStableFunc(rows, func(a, b report.Row) int {
			return int(b.UserData.SomeData*1000/max(b.UserData.Requests, 1) - a.UserData.SomeData*1000/max(a.UserData.Requests, 1))
		})
	}

	// The trend: every period, for the jurisdiction chosen or all.
	trend := chart.Line{Title: "User-data requests and those answered with some data", YLabel: "requests", Labels: list,
		Series: []chart.Series{{Name: "Requests", Values: make([]float64, len(list))}, {Name: "Answered with some data", Values: make([]float64, len(list))}}}
	if juris != "" {
		trend.Title = dueprocess.Countries[juris] + ": " + trend.Title
	}
	for i, p := range list {
		pr, err := report.Build(p, all, nil, report.Checkpoint{})
		if err != nil {
			return nil, err
		}
		row := pr.Total
		if juris != "" {
			row = report.Row{}
			for _, x := range pr.Rows {
				if x.Jurisdiction == juris {
					row = x
				}
			}
		}
		trend.Series[0].Values[i] = float64(row.UserData.Requests)
		trend.Series[1].Values[i] = float64(row.UserData.SomeData)
	}
	history, err := s.db.Pauses(r.Context(), juris)
	if err != nil {
		return nil, err
	}
	for _, p := range history {
		if i := slices.Index(list, dueprocess.HalfYear(p.StartedAt)); i >= 0 {
			trend.Marks = append(trend.Marks, chart.Mark{Label: p.Jurisdiction + " paused", At: i})
		}
	}
	trend.Desc = "Half-years " + list[0] + " to " + list[len(list)-1]
	bars := chart.Bar{Title: "User-data requests by jurisdiction, " + period, Desc: "answered with some data, and not",
		Series: []chart.Series{{Name: "Answered with some data"}, {Name: "Not answered"}}}
	for _, row := range rows {
		bars.Labels = append(bars.Labels, row.Name)
		bars.Series[0].Values = append(bars.Series[0].Values, float64(row.UserData.SomeData))
		bars.Series[1].Values = append(bars.Series[1].Values, float64(row.UserData.Requests-row.UserData.SomeData))
	}
	trendSVG, err := trend.SVG()
	if err != nil {
		return nil, err
	}
	barSVG, err := bars.SVG()
	if err != nil {
		return nil, err
	}
	var peers []published.Figure
	if juris != "" {
		if peers, err = s.db.PeerFigures(r.Context(), store.PeerFilter{Jurisdiction: juris, Period: period}); err != nil {
			return nil, err
		}
	}
	content, err := s.contentView(r.Context(), rep)
	if err != nil {
		return nil, err
	}
	return &transparencyPage{basePage: basePage{Title: "Transparency report " + period}, Report: rep, ReportRows: rows, Periods: list,
		Jurisdiction: juris, Trend: template.HTML(trendSVG), Bars: template.HTML(barSVG), Peers: peers, Content: content}, nil
}

// transparencyFile serves /transparency/{period}.csv (Google's layout),
// {period}-meta.csv (Meta's) and /transparency/{period}.json.
func (s *Server) transparencyFile(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	if p, ok := strings.CutSuffix(name, "-removals.csv"); ok {
		return s.removalsFile(w, r, p, false)
	}
	if p, ok := strings.CutSuffix(name, "-removals-detailed.csv"); ok {
		return s.removalsFile(w, r, p, true)
	}
	if p, ok := strings.CutSuffix(name, "-dsa-orders.csv"); ok {
		return s.dsaOrdersFile(w, r, p)
	}
	period, format, ok := strings.Cut(name, ".")
	if p, meta := strings.CutSuffix(period, "-meta"); meta && format == "csv" {
		period, format = p, "meta-csv"
	}
	if p, regimes := strings.CutSuffix(period, "-regimes"); regimes && format == "csv" {
		period, format = p, "regimes-csv"
	}
	if !ok || (format != "csv" && format != "json" && format != "meta-csv" && format != "regimes-csv") {
		return dueprocess.Errorf(dueprocess.NotFound, "no such file %q; try /transparency/2026-H1.csv, 2026-H1-meta.csv, 2026-H1-regimes.csv or 2026-H1.json", name)
	}
	b, err := s.reportFile(r, period, format)
	if err != nil {
		return err
	}
	switch format {
	case "csv", "meta-csv", "regimes-csv":
		file := "dueprocess-" + period + ".csv"
		switch format {
		case "meta-csv":
			file = "dueprocess-" + period + "-meta.csv"
		case "regimes-csv":
			file = "dueprocess-" + period + "-regimes.csv"
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.Write(b)
	return nil
}

// reportFile returns the report of period as a file: csv (Google's
// layout), meta-csv (Meta's), regimes-csv (the legal regimes) or json.
func (s *Server) reportFile(r *http.Request, period, format string) ([]byte, error) {
	all, err := s.db.ReportCounts(r.Context(), period)
	if err != nil {
		return nil, err
	}
	rep, err := s.buildReport(r, period, all)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		err = report.WriteGoogleCSV(&buf, rep)
	case "meta-csv":
		err = report.WriteMetaCSV(&buf, rep)
	case "regimes-csv":
		err = report.WriteRegimesCSV(&buf, rep)
	default:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	}
	return buf.Bytes(), err
}

// ReportSite renders the public report of period as files for any static
// host: index.html (the same template as /transparency, its links made
// relative), style.css beside it, and the CSV and JSON files it links.
func (s *Server) ReportSite(ctx context.Context, period string) (map[string][]byte, error) {
	r, err := http.NewRequestWithContext(ctx, "GET", "/transparency", nil)
	if err != nil {
		return nil, err
	}
	v, err := s.transparencyView(r, url.Values{"period": {period}})
	if err != nil {
		return nil, err
	}
	v.Static = true
	var page bytes.Buffer
	if err := pages["transparency"].ExecuteTemplate(&page, "layout", v); err != nil {
		return nil, fmt.Errorf("render the report page: %w", err)
	}
	css, err := fs.ReadFile(staticFiles, "static/style.css")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"index.html": page.Bytes(), "style.css": css}
	for name, format := range map[string]string{period + ".csv": "csv", period + "-meta.csv": "meta-csv", period + "-regimes.csv": "regimes-csv", period + ".json": "json"} {
		if files[name], err = s.reportFile(r, period, format); err != nil {
			return nil, err
		}
	}
	start, end, err := report.ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	if files[period+"-removals.csv"], err = s.removalsCSV(ctx, start, end, false); err != nil {
		return nil, err
	}
	if files[period+"-removals-detailed.csv"], err = s.removalsCSV(ctx, start, end, true); err != nil {
		return nil, err
	}
	return files, nil
}
