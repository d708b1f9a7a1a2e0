package dueprocess

import (
	"fmt"
	"time"
)

// DeadlineReminder is the message that tells a staff member on a
// request's case that it is due soon, or overdue, at now. It names the
// request's shape and never its targets: mail leaves the system.
func DeadlineReminder(r *Request, to *Staff, now time.Time) *Mail {
	when := "is due " + r.DueAt.UTC().Format("2006-01-02 15:04 MST")
	subject := fmt.Sprintf("%s is due %s", r.ID, r.DueAt.UTC().Format("2006-01-02 15:04 MST"))
	if now.After(r.DueAt) {
		when = "was due " + r.DueAt.UTC().Format("2006-01-02 15:04 MST") + " and is overdue"
		subject = r.ID + " is overdue"
	}
	body := fmt.Sprintf("Hello %s,\n\nRequest %s (%s from %s, by %s) %s. It is %s.\n\n"+
		"It is assigned to you; open it in the console at /console/requests/%s.\n\n"+
		"This is the one reminder dueprocess sends for this request.\n",
		to.Name, r.ID, r.Kind, r.Jurisdiction, r.LegalProcess.Type, when, r.Status, r.ID)
	return &Mail{Kind: MailDeadlineReminder, To: to.Email, Subject: subject, Body: body, RequestID: r.ID}
}
