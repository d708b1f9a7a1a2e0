package gather_test

import (
	"context"
	"io"
	"testing"

	"github.com/dueprocess/dueprocess"
)

// BenchmarkGather streams 100,000 sign-ins of one account into a CSV
// file, the default max_rows, on each database:
//
//	CI=true go test ./internal/gather -run '^$' -bench Gather -benchtime 3x
func BenchmarkGather(b *testing.B) {
	const rows = 100000 // the fixtures' two sign-ins in January, and 99,998 more
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var p platform
			if name == "sqlite" {
				p = newSQLite(b)
			} else {
				p = newPostgres(b)
			}
			p.exec(b, fixtures)
			p.exec(b, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99998)
INSERT INTO login_activities (id, user_id, authentication_method, success, ip, user_agent, created_at)
SELECT 100 + i, 11, 'password', TRUE, '192.0.2.77', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
       '2026-01-15 12:00:00' FROM n`)
			s := p.set(b, p.profile(b))
			b.ResetTimer()
			for b.Loop() {
				n, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, io.Discard)
				if err != nil || n != rows {
					b.Fatalf("%d rows, %v", n, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
		})
	}
}
