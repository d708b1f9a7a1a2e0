package store_test

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// historyRequest is row i of a generated history of the official's agency:
// received over 2019 to 2021 with the years interleaved, one to three
// targets, a reference prefix-i.
func historyRequest(o *dueprocess.Official, prefix string, i int) *dueprocess.Request {
	statuses := []dueprocess.Status{dueprocess.StatusDisclosed, dueprocess.StatusNoData, dueprocess.StatusRejected, dueprocess.StatusPaused}
	r := &dueprocess.Request{AgencyID: o.AgencyID, OfficialID: o.ID,
		Kind: dueprocess.KindUserData, Jurisdiction: "HK", Status: statuses[i%len(statuses)],
		LegalProcess: dueprocess.LegalProcess{Type: dueprocess.LegalProcessTypes[i%6], Reference: fmt.Sprintf("%s-%d", prefix, i),
			IssuedBy: "Hong Kong Police Force", IssuedOn: dueprocess.Date{Time: time.Date(2019, 1, 1+i%28, 0, 0, 0, 0, time.UTC)}},
		Offence:        &dueprocess.Offence{Category: "fraud"},
		DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs},
		ReceivedAt:     time.Date(2019+i%3, time.Month(1+i%12), 1+i%28, 12, 0, 0, 0, time.UTC)}
	for j := range 1 + i%3 {
		r.Targets = append(r.Targets, dueprocess.Target{Type: dueprocess.TargetUsername, Value: fmt.Sprintf("user%d-%d", i, j)})
	}
	return r
}

// historyRows gives n generated rows, made afresh on every pass as a file
// read again would be; the line of row i is i+2, after a header.
func historyRows(o *dueprocess.Official, prefix string, n int) store.ImportRows {
	return func(yield func(store.ImportRow) error) error {
		for i := range n {
			if err := yield(store.ImportRow{Line: i + 2, Request: historyRequest(o, prefix, i)}); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestImportLargeFileInBatches: an import of several batches, its years
// interleaved, stores what CreateRequest would for each request: ids
// numbered per year in file order, each range reported, one received event
// and one request.created entry per request in a log that verifies, and
// kept counts equal to a recount.
func TestImportLargeFileInBatches(t *testing.T) {
	const n = 4123 // two full batches and part of a third
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, o := fixture(t, db, "HK", "police.gov.hk")
		// A request stored before takes DP-2020-000001.
		if err := importHistory(db, "before.csv", "before", history(t, o, "OLD", 1)); err != nil {
			t.Fatal(err)
		}
		var res *store.ImportResult
		err := db.TransactAlone(ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.ImportRequestRows(ctx, "big.csv", "big", historyRows(o, "BIG", n), dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "cli:alice"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.ImportYear{
			{Year: 2019, Requests: 1375, FirstID: "DP-2019-000001", LastID: "DP-2019-001375"},
			{Year: 2020, Requests: 1374, FirstID: "DP-2020-000002", LastID: "DP-2020-001375"},
			{Year: 2021, Requests: 1374, FirstID: "DP-2021-000001", LastID: "DP-2021-001374"},
		}
		if fmt.Sprint(res.Years) != fmt.Sprint(want) || res.Import.Requests != n ||
			res.Import.FirstID != "DP-2019-000001" || res.Import.LastID != "DP-2019-001375" {
			t.Errorf("the import gave %+v %+v\nwant years %+v", res.Import, res.Years, want)
		}
		// Row 4000 is the 1334th of 2020 (rows 1, 4, 7, …), after the one stored before.
		r, err := db.Request(ctx, "DP-2020-001335")
		wantReq := historyRequest(o, "BIG", 4000)
		if err != nil || r.LegalProcess != wantReq.LegalProcess || !r.ReceivedAt.Equal(wantReq.ReceivedAt) ||
			fmt.Sprint(r.Targets) != fmt.Sprint(wantReq.Targets) || r.Status != wantReq.Status || r.Offence.Category != "fraud" {
			t.Errorf("DP-2020-001335 is %+v, %v\nwant %+v", r, err, wantReq)
		}
		if ev, err := db.Events(ctx, "DP-2020-001335"); err != nil || len(ev) != 1 || ev[0].Type != dueprocess.EventReceived || !ev[0].At.Equal(wantReq.ReceivedAt) {
			t.Errorf("events: %+v, %v", ev, err)
		}
		var events int
		db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM request_events`).Scan(&events)
		if events != n+1 {
			t.Errorf("%d events, want %d", events, n+1)
		}
		log := db.AuditLog()
		idx, datas, err := log.ObjectEntries(ctx, "request:DP-2020-001335")
		if err != nil || len(idx) != 1 {
			t.Fatalf("entries of DP-2020-001335: %v, %v", idx, err)
		}
		if e, err := audit.Decode(datas[0]); err != nil || e.Action != dueprocess.ActionRequestCreated || !strings.Contains(string(e.Body), `"targets":2`) {
			t.Errorf("its entry: %+v, %v", e, err)
		}
		if rep := checkLogAndCounts(t, db); rep.Size < n+2 {
			t.Errorf("the log holds %d entries (%+v), want at least %d", rep.Size, rep, n+2)
		}
	})
}

// TestImportRowsChangedBetweenPasses: rows that differ between the check
// and the store (a file edited during the import) store nothing.
func TestImportRowsChangedBetweenPasses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, o := fixture(t, db, "HK", "police.gov.hk")
		pass := 0
		rows := func(yield func(store.ImportRow) error) error {
			pass++
			return historyRows(o, "X", 10+pass)(yield)
		}
		err := db.TransactAlone(ctx, func(tx *store.Tx) error {
			_, err := tx.ImportRequestRows(ctx, "x.csv", "x", rows, dueprocess.System)
			return err
		})
		if err == nil || requestCount(t, db) != 0 {
			t.Errorf("an import whose rows changed: %v, %d requests stored", err, requestCount(t, db))
		}
	})
}

// benchImportRows is how many rows one import of the benchmarks holds:
// $DUEPROCESS_BENCH_IMPORT, or 20,000.
func benchImportRows() int {
	if v, err := strconv.Atoi(os.Getenv("DUEPROCESS_BENCH_IMPORT")); err == nil && v > 0 {
		return v
	}
	return 20_000
}

// BenchmarkImport imports generated histories of benchImportRows rows
// through ImportRequestRows: every check, the ids, events, audit entries
// and counts. Compare its rows/s with BenchmarkFloorBulkInsert's
// (docs/benchmarks.md):
//
//	CI=true go test ./internal/store -run '^$' -bench 'Import$|FloorBulkInsert' -benchtime 3x
func BenchmarkImport(b *testing.B) {
	n := benchImportRows()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			_, o := fixture(b, db, "HK", "police.gov.hk")
			iter := 0
			for b.Loop() {
				iter++
				err := db.TransactAlone(ctx, func(tx *store.Tx) error {
					_, err := tx.ImportRequestRows(ctx, "bench.csv", fmt.Sprint("bench-", iter), historyRows(o, fmt.Sprint("B", iter), n), dueprocess.System)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(iter)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkFloorBulkInsert writes the same generated rows, each request
// and its targets, with no checks, no ids to number, no events, log or
// counts: batches of 2,000 in one transaction, by COPY on PostgreSQL and
// by prepared 256-row INSERTs on SQLite. It is the floor an import is
// measured against.
func BenchmarkFloorBulkInsert(b *testing.B) {
	n := benchImportRows()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			_, o := fixture(b, db, "HK", "police.gov.hk")
			iter := 0
			for b.Loop() {
				iter++
				if err := floorInsert(db, o, iter, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(iter)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

var (
	floorRequestCols = []string{"id", "agency_id", "official_id", "kind", "jurisdiction", "status",
		"process_type", "process_reference", "process_issued_by", "process_issued_on",
		"offence_category", "offence_description", "data_categories", "date_from", "date_to",
		"nondisclosure", "nondisclosure_until", "emergency_harm", "emergency_justification", "deadline",
		"received_at", "updated_at"}
	floorTargetCols = []string{"request_id", "position", "type", "value"}
)

func floorInsert(db *store.DB, o *dueprocess.Official, iter, n int) error {
	pg := db.Dialect() == store.Postgres
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ts := func(t time.Time) any {
		if pg {
			return t
		}
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	date := func(d dueprocess.Date) any {
		if pg {
			return d.Time
		}
		return d.Format("2006-01-02")
	}
	now := time.Now()
	var reqs, targets [][]any
	write := func() error {
		if pg {
			return conn.Raw(func(dc any) error {
				c := dc.(*stdlib.Conn).Conn()
				if _, err := c.CopyFrom(ctx, pgx.Identifier{"requests"}, floorRequestCols, pgx.CopyFromRows(reqs)); err != nil {
					return err
				}
				_, err := c.CopyFrom(ctx, pgx.Identifier{"request_targets"}, floorTargetCols, pgx.CopyFromRows(targets))
				return err
			})
		}
		if err := floorSQLiteInsert(tx, "requests", floorRequestCols, reqs); err != nil {
			return err
		}
		return floorSQLiteInsert(tx, "request_targets", floorTargetCols, targets)
	}
	for i := range n {
		r := historyRequest(o, fmt.Sprint("F", iter), i)
		id := fmt.Sprintf("F%d-%d", iter, i)
		reqs = append(reqs, []any{id, r.AgencyID, r.OfficialID, string(r.Kind), r.Jurisdiction, string(r.Status),
			string(r.LegalProcess.Type), r.LegalProcess.Reference, r.LegalProcess.IssuedBy, date(r.LegalProcess.IssuedOn),
			r.Offence.Category, nil, "subscriber,ip_logs", nil, nil, false, nil, nil, nil, nil, ts(r.ReceivedAt), ts(now)})
		for j, t := range r.Targets {
			targets = append(targets, []any{id, j, string(t.Type), t.Value})
		}
		if len(reqs) == 2000 || i == n-1 {
			if err := write(); err != nil {
				return err
			}
			reqs, targets = reqs[:0], targets[:0]
		}
	}
	return tx.Commit()
}

// floorSQLiteInsert writes rows with INSERTs of 256 rows each, the last
// one shorter.
func floorSQLiteInsert(tx *sql.Tx, table string, cols []string, rows [][]any) error {
	const per = 256
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		st := stmts[end-start]
		if st == nil {
			var b strings.Builder
			fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
			for i := range end - start {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")")
			}
			var err error
			if st, err = tx.Prepare(b.String()); err != nil {
				return err
			}
			stmts[end-start] = st
		}
		args := make([]any, 0, (end-start)*len(cols))
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		if _, err := st.Exec(args...); err != nil {
			return err
		}
	}
	return nil
}

// TestImportBesideConcurrentWrites: an import runs while 40 other writes
// (requests of the same years, audit entries) arrive. It runs in a group
// of its own, so its bulk audit appends and id reservations never meet a
// group's pending ones: every id is given once, the log verifies, and the
// kept counts equal a recount.
func TestImportBesideConcurrentWrites(t *testing.T) {
	const n = 2500
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, o := fixture(t, db, "HK", "police.gov.hk")
		var wg sync.WaitGroup
		wg.Go(func() {
			err := db.TransactAlone(ctx, func(tx *store.Tx) error {
				_, err := tx.ImportRequestRows(ctx, "big.csv", "big", historyRows(o, "BIG", n), dueprocess.System)
				return err
			})
			if err != nil {
				t.Errorf("import: %v", err)
			}
		})
		for i := range 40 {
			wg.Go(func() {
				r := historyRequest(o, "LIVE", i)
				err := db.Transact(ctx, func(tx *store.Tx) error {
					if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
						return err
					}
					return tx.Record(ctx, dueprocess.System, "test.appended", "test:live", map[string]any{"i": i})
				})
				if err != nil {
					t.Errorf("write %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		var requests, distinct int
		db.SQL().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT id) FROM requests`).Scan(&requests, &distinct)
		if requests != n+40 || distinct != requests {
			t.Errorf("%d requests with %d distinct ids, want %d", requests, distinct, n+40)
		}
		checkLogAndCounts(t, db)
	})
}

// checkLogAndCounts signs a checkpoint of db's audit log, checks that the
// log verifies under it and that the kept report counts equal a recount,
// and returns what verification found.
func checkLogAndCounts(t *testing.T, db *store.DB) audit.Report {
	t.Helper()
	log := db.AuditLog()
	signer, verifier := testKey(t)
	cp := &audit.Checkpointer{Store: log, Signer: signer, Origin: signer.Name()}
	if _, _, err := cp.Latest(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, log, verifier, signer.Name(), nil)
	if err != nil {
		t.Errorf("the log does not verify: %v", err)
	}
	kept, _ := db.ReportCounts(ctx, "")
	recount, err := db.RecountReport(ctx, "")
	if err != nil || fmt.Sprint(kept) != fmt.Sprint(recount) {
		t.Errorf("kept counts differ from a recount:\n%v\n%v", kept, recount)
	}
	return rep
}
