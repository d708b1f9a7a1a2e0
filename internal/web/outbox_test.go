package web_test

import (
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestOutboxPageListsQueuedMail: with no SMTP server, mail stays queued
// and the console lists it, with its attempts and last error.
func TestOutboxPageListsQueuedMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var id string
		err := db.Transact(ctx, func(tx *store.Tx) (err error) {
			id, err = tx.QueueMail(ctx, &dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "A request for your data", Body: "b"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := db.ClaimMail(ctx, 1, 0)
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		if err := db.MailDeferred(ctx, id, "451 mailbox busy", db.Now()); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		b.signIn("ada@example.com", secret)
		status, _, body := b.get("/console/outbox?status=queued")
		if status != 200 {
			t.Fatalf("GET /console/outbox: %d", status)
		}
		for _, want := range []string{"alice@example.org", "A request for your data", "451 mailbox busy", "queued: 1", "<td>1</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("outbox page lacks %q", want)
			}
		}
		if status, _, body := b.get("/console/outbox?status=sent"); status != 200 || strings.Contains(body, "alice@example.org") {
			t.Errorf("GET /console/outbox?status=sent: %d, lists a queued message: %v", status, strings.Contains(body, "alice@example.org"))
		}
		if status, _, _ := b.get("/console/outbox?status=lost"); status != 400 {
			t.Errorf("GET /console/outbox?status=lost: %d, want 400", status)
		}
	})
}
