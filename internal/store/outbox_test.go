package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

func queue(t *testing.T, db *store.DB, m dueprocess.Mail) string {
	t.Helper()
	var id string
	err := db.Transact(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.QueueMail(ctx, &m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestQueueMailChecksItsInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range []struct {
			m     dueprocess.Mail
			field string
		}{
			{dueprocess.Mail{To: "a@example.org", Subject: "s", Body: "b"}, "kind"},
			{dueprocess.Mail{Kind: "k", To: "Alice <a@example.org>", Subject: "s", Body: "b"}, "to"},
			{dueprocess.Mail{Kind: "k", To: "a@example.org, b@example.org", Subject: "s", Body: "b"}, "to"},
			{dueprocess.Mail{Kind: "k", To: "a@example.org", Subject: "s\r\nBcc: x@example.org", Body: "b"}, "subject"},
			{dueprocess.Mail{Kind: "k", To: "a@example.org", Subject: "s"}, "body"},
		} {
			err := db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.QueueMail(ctx, &tc.m); return err })
			if got := dueprocess.ErrorField(err); got != tc.field {
				t.Errorf("QueueMail(%+v): field %q (%v), want %q", tc.m, got, err, tc.field)
			}
		}
		if list, _ := db.Outbox(ctx, store.OutboxFilter{}); len(list) != 0 {
			t.Errorf("outbox holds %d messages after bad input, want 0", len(list))
		}
	})
}

func TestClaimMailLeasesAndRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		id := queue(t, db, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "a@example.org", Subject: "s", Body: "b"})
		later := queue(t, db, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "b@example.org", Subject: "s", Body: "b", NotBefore: now.Add(time.Hour)})

		claim := func() []string {
			t.Helper()
			list, err := db.ClaimMail(ctx, 10, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range list {
				ids = append(ids, m.ID)
			}
			return ids
		}
		if got := claim(); len(got) != 1 || got[0] != id {
			t.Fatalf("first claim: %v, want [%s]", got, id)
		}
		if got := claim(); len(got) != 0 {
			t.Fatalf("claim within the lease: %v, want none", got)
		}
		now = now.Add(2 * time.Minute) // the lease ends: a crashed sender's work is claimed again
		if got := claim(); len(got) != 1 || got[0] != id {
			t.Fatalf("claim after the lease: %v, want [%s]", got, id)
		}
		if err := db.MailDeferred(ctx, id, "451 busy", now.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := claim(); len(got) != 0 {
			t.Fatalf("claim before the retry: %v, want none", got)
		}
		now = now.Add(time.Hour)
		if got := claim(); len(got) != 2 {
			t.Fatalf("claim after the retry and not_before: %v, want [%s %s]", got, id, later)
		}
		if err := db.MailSent(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := db.MailSent(ctx, id); dueprocess.ErrorKind(err) != dueprocess.NotFound {
			t.Errorf("marking a sent message sent again: %v, want NotFound", err)
		}
		list, err := db.Outbox(ctx, store.OutboxFilter{Status: dueprocess.MailSent})
		if err != nil || len(list) != 1 || list[0].Attempts != 2 || list[0].LastError != "" || list[0].SentAt == nil {
			t.Fatalf("sent messages: %+v, %v; want one, after 2 attempts", list, err)
		}
	})
}

// TestClaimMailConcurrently claims from many goroutines at once: each
// message is handed out once.
func TestClaimMailConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 100
		for range n {
			queue(t, db, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "a@example.org", Subject: "s", Body: "b"})
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				for {
					list, err := db.ClaimMail(ctx, 3, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(list) == 0 {
						return
					}
					mu.Lock()
					for _, m := range list {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("claimed %d messages, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("%s claimed %d times", id, k)
			}
		}
	})
}
