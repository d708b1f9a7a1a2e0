package web

import (
	"net/http"
	"slices"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// outboxPage lists the mail outbox for administrators: what is queued
// (with no SMTP server configured, everything), sent, or given up, with
// each message's attempts and last error.
type outboxPage struct {
	basePage
	Status   dueprocess.MailStatus
	Statuses []dueprocess.MailStatus
	Counts   map[dueprocess.MailStatus]int64
	Messages []dueprocess.OutboxMessage
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermOutboxRead); err != nil {
		return err
	}
	statuses := []dueprocess.MailStatus{dueprocess.MailQueued, dueprocess.MailSent, dueprocess.MailFailed}
	status := dueprocess.MailStatus(r.URL.Query().Get("status"))
	if status != "" && !slices.Contains(statuses, status) {
		return dueprocess.FieldError("status", "status is one of queued, sent, failed")
	}
	counts, err := s.db.OutboxCounts(r.Context())
	if err != nil {
		return err
	}
	list, err := s.db.Outbox(r.Context(), store.OutboxFilter{Status: status, RequestID: r.URL.Query().Get("request"), Limit: 200})
	if err != nil {
		return err
	}
	s.render(w, r, "outbox", &outboxPage{basePage: basePage{Title: "Outbox", Staff: staff, CSRF: se.CSRF},
		Status: status, Statuses: statuses, Counts: counts, Messages: list})
	return nil
}
