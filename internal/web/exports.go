package web

import (
	"bytes"
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/export"
	"github.com/dueprocess/dueprocess/internal/report"
)

// The exports of a content demand for others' databases: each restriction
// as a statement of reasons for the EU's DSA Transparency Database, and the
// demand as a Lumen notice (docs/content.md). Staff only: the statements
// name the content restricted before anyone publishes them.

// contentDemand loads a content demand for a staff member who may list
// requests.
func (s *Server) contentDemand(r *http.Request) (*dueprocess.Request, error) {
	if _, err := s.need(r, dueprocess.PermRequestList); err != nil {
		return nil, err
	}
	req, err := s.db.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if req.Kind != dueprocess.KindContentRestriction {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is a %s request; only content_restriction requests are exported as statements of reasons or Lumen notices", req.ID, req.Kind)
	}
	return req, nil
}

// requestStatements answers GET /api/v1/requests/{id}/statements: one
// statement of reasons per item whose action in effect restricts it.
func (s *Server) requestStatements(w http.ResponseWriter, r *http.Request) error {
	req, err := s.contentDemand(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"request_id": req.ID, "statements": export.Statements(req)})
	return nil
}

// requestLumen answers GET /api/v1/requests/{id}/lumen: the demand as a
// Lumen notice, with the personal data of private persons redacted.
func (s *Server) requestLumen(w http.ResponseWriter, r *http.Request) error {
	req, err := s.contentDemand(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, export.LumenOf(req, s.issuer))
	return nil
}

// dsaOrdersFile serves /transparency/{period}-dsa-orders.csv: the orders
// to act against illegal content (DSA Art. 9) received in a half-year, by
// member state and type of illegal content, with the median times to
// confirm receipt and to give effect (Art. 15(1)(a)).
func (s *Server) dsaOrdersFile(w http.ResponseWriter, r *http.Request, period string) error {
	start, end, err := report.ParsePeriod(period)
	if err != nil {
		return dueprocess.Errorf(dueprocess.NotFound, "no such file %q; try /transparency/2026-H1-dsa-orders.csv", period+"-dsa-orders.csv")
	}
	counts, err := s.db.DSAOrderCounts(r.Context(), start.Time, end.Time.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteDSAOrdersCSV(&buf, end, report.DSAOrders(counts)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dueprocess-`+period+`-dsa-orders.csv"`)
	w.Write(buf.Bytes())
	return nil
}
