package mail_test

import (
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestTwoServersSendEachMessageOnce runs the delivery loop of two
// "servers", two handles on one database each with its own committer and
// connections, over 200 queued messages at once: the SMTP server receives
// each Message-ID exactly once.
func TestTwoServersSendEachMessageOnce(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				dbs = append(dbs, db)
			}
			const n = 200
			ids := queue(t, dbs[0], n, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "Notice", Body: "b"})
			srv := mailtest.Start(t)

			var wg sync.WaitGroup
			for _, db := range dbs {
				for range 2 { // and two loops in each
					wg.Go(func() {
						d := deliverer(t, db, srv)
						d.Batch = 3 // many claims, so that they meet
						if err := d.Run(ctx); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
			got := map[string]int{}
			for _, m := range srv.Messages() {
				got[m.Header.Get("Message-Id")]++
			}
			for _, id := range ids {
				if k := got["<"+id+"@example.org>"]; k != 1 {
					t.Errorf("%s received %d times, want once", id, k)
				}
			}
			if len(srv.Messages()) != n {
				t.Errorf("server received %d messages, want %d", len(srv.Messages()), n)
			}
			counts, err := dbs[1].OutboxCounts(ctx)
			if err != nil || counts[dueprocess.MailSent] != n {
				t.Errorf("outbox: %v, %v; want %d sent", counts, err, n)
			}
		})
	}
}
