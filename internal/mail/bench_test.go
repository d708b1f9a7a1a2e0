package mail_test

import (
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// BenchmarkDeliver sends queued messages through a real SMTP server on
// loopback: claim, send, mark, per message.
//
//	CI=true go test ./internal/mail -run '^$' -bench Deliver -benchtime 500x
func BenchmarkDeliver(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			srv := mailtest.Start(b)
			queue(b, db, b.N, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "Notice", Body: "A request named your account.\n"})
			dl := deliverer(b, db, srv)
			b.ResetTimer()
			if err := dl.Run(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if n := len(srv.Messages()); n != b.N {
				b.Fatalf("sent %d, want %d", n, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
