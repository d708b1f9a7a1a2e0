package web

import (
	"context"
	"html/template"

	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/chart"
)

// contentSection is the public page's part on content restriction: the
// demands of the period by requester type and by reason, over every
// country, from the actions in effect on their items, with their chart.
type contentSection struct {
	ByRequester []report.RemovalRow
	ByReason    []report.ReasonRow
	Chart       template.HTML // SVG drawn here, from numbers only
}

// contentView counts the content demands of rep's period for the page and
// draws their items by requester type, restricted or removed and not, with
// the same bar chart as the user-data requests.
func (s *Server) contentView(ctx context.Context, rep *report.Report) (contentSection, error) {
	var c contentSection
	counts, err := s.db.RemovalCounts(ctx, rep.Start.Time, rep.End.Time.AddDate(0, 0, 1))
	if err != nil {
		return c, err
	}
	c.ByRequester, c.ByReason = report.RemovalTotals(counts)
	bars := chart.Bar{Title: "Content-restriction demands by requester, " + rep.Period,
		Desc:   "items named, restricted or removed and not",
		Series: []chart.Series{{Name: "Restricted or removed"}, {Name: "Not restricted"}}}
	for _, row := range c.ByRequester {
		bars.Labels = append(bars.Labels, row.Requester.Label())
		bars.Series[0].Values = append(bars.Series[0].Values, float64(row.Restricted()))
		bars.Series[1].Values = append(bars.Series[1].Values, float64(row.Items-row.Restricted()))
	}
	svg, err := bars.SVG()
	if err != nil {
		return c, err
	}
	c.Chart = template.HTML(svg)
	return c, nil
}
