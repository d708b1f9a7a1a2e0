package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/notice"
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
	writeJSON(w, http.StatusOK, map[string]any{"request_id": req.ID, "statements": notice.Statements(req)})
	return nil
}

// requestLumen answers GET /api/v1/requests/{id}/lumen: the demand as a
// Lumen notice, with the personal data of private persons redacted.
func (s *Server) requestLumen(w http.ResponseWriter, r *http.Request) error {
	req, err := s.contentDemand(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, notice.LumenOf(req, s.issuer))
	return nil
}
