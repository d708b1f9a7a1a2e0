package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// history returns n requests of the official's agency, as an import reads
// them from a file, with references prefix-1 to prefix-n.
func history(t *testing.T, o *dueprocess.Official, prefix string, n int) []*dueprocess.Request {
	t.Helper()
	list := make([]*dueprocess.Request, n)
	for i := range list {
		r := sampleRequest(t)
		r.AgencyID, r.OfficialID = o.AgencyID, o.ID
		r.LegalProcess.Reference = fmt.Sprintf("%s-%d", prefix, i+1)
		r.ReceivedAt = time.Date(2020, 3, 1+i, 12, 0, 0, 0, time.UTC)
		r.Status = dueprocess.StatusDisclosed
		list[i] = r
	}
	return list
}

func importHistory(db *store.DB, file, sha string, list []*dueprocess.Request) error {
	return db.Transact(ctx, func(tx *store.Tx) error {
		for _, r := range list {
			r.ID = "" // the op may run twice
		}
		return tx.ImportRequests(ctx, file, sha, list, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "cli:alice"})
	})
}

func requestCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM requests`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportSameFileTwiceRefused: importing one history file twice used to
// store every request twice and double the report's figures. The second
// import is now refused, naming the first, and changes nothing.
func TestImportSameFileTwiceRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, o := fixture(t, db, "HK", "police.gov.hk")
		db.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) }
		if err := importHistory(db, "history.csv", "aa11", history(t, o, "HKPF", 3)); err != nil {
			t.Fatal(err)
		}
		counts, _ := db.ReportCounts(ctx, "2020-H1")
		imp, err := db.RequestImportBySHA(ctx, "aa11")
		if err != nil || imp.ID != 1 || imp.File != "history.csv" || imp.Requests != 3 || imp.FirstID != "DP-2020-000001" ||
			imp.LastID != "DP-2020-000003" || imp.By.ID != "cli:alice" || !imp.At.Equal(db.Now()) {
			t.Errorf("the import recorded: %+v, %v", imp, err)
		}

		// The same bytes under another name, with rows that no longer
		// collide, are still the same file.
		err = importHistory(db, "copy.csv", "aa11", history(t, o, "OTHER", 3))
		want := `the file was imported already, as import 1 of "history.csv" on 2026-03-02 09:30 UTC by system cli:alice (3 requests, DP-2020-000001 to DP-2020-000003)`
		if !errors.Is(err, dueprocess.ErrConflict) || dueprocess.ErrorMessage(err) != want {
			t.Errorf("second import: %v\nwant a conflict %q", err, want)
		}
		if n := requestCount(t, db); n != 3 {
			t.Errorf("%d requests stored, want 3", n)
		}
		if again, _ := db.ReportCounts(ctx, "2020-H1"); fmt.Sprint(again) != fmt.Sprint(counts) {
			t.Errorf("the report changed:\n%v\n%v", counts, again)
		}
	})
}

// TestImportRowCollidesWithStoredRequest: a row with the agency and
// reference of a stored request, or of an earlier row, is the same demand
// counted twice; the import is refused at that row and stores nothing.
func TestImportRowCollidesWithStoredRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, o := fixture(t, db, "HK", "police.gov.hk")
		_, other := fixture(t, db, "SG", "police.gov.sg")
		if err := importHistory(db, "a.csv", "aa", history(t, o, "HKPF", 2)); err != nil {
			t.Fatal(err)
		}
		// Row 3 repeats HKPF-2, stored as DP-2020-000002; row 4 repeats it too.
		list := append(history(t, o, "NEW", 2), history(t, o, "HKPF", 2)[1], history(t, o, "HKPF", 2)[1])
		err := importHistory(db, "b.csv", "bb", list)
		var re *store.ImportRowError
		if !errors.As(err, &re) || re.Row != 2 || re.ExistingID != "DP-2020-000002" || re.Earlier != -1 || re.More != 1 ||
			!errors.Is(err, dueprocess.ErrConflict) || !strings.Contains(dueprocess.ErrorMessage(err), `"HKPF-2" is stored already, as request DP-2020-000002`) {
			t.Errorf("a row colliding with a stored request: %#v", err)
		}
		// Two rows of one file with the same reference.
		list = history(t, o, "NEW", 3)
		list[2].LegalProcess.Reference = "NEW-1"
		err = importHistory(db, "c.csv", "cc", list)
		if !errors.As(err, &re) || re.Row != 2 || re.Earlier != 0 || re.ExistingID != "" {
			t.Errorf("a row repeating an earlier one: %#v", err)
		}
		if n := requestCount(t, db); n != 2 {
			t.Errorf("%d requests stored after refused imports, want 2", n)
		}
		// The same reference from another agency is another demand.
		if err := importHistory(db, "d.csv", "dd", history(t, other, "HKPF", 2)); err != nil {
			t.Errorf("another agency's references: %v", err)
		}
		// A refused import takes no number: the next one is import 3.
		if imp, err := db.RequestImportBySHA(ctx, "dd"); err != nil || imp.ID != 2 {
			t.Errorf("the import after refused ones: %+v, %v; want import 2", imp, err)
		}
	})
}

// TestImportConcurrentSameFile: fifty imports at once, from five
// connections to one database (five servers or command lines), of one file
// and of fifty files sharing a reference: exactly one of each succeeds.
func TestImportConcurrentSameFile(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			var dbs []*store.DB
			for range 5 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			if _, err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			_, o := fixture(t, dbs[0], "HK", "police.gov.hk")
			for _, sameFile := range []bool{true, false} {
				var wg sync.WaitGroup
				var mu sync.Mutex
				ok, refused := 0, 0
				for i := range 50 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						sha, list := "same", history(t, o, "SAME", 2)
						if !sameFile {
							sha = fmt.Sprintf("file-%d", i)
							list = append(history(t, o, fmt.Sprintf("F%d", i), 1), history(t, o, "SHARED", 1)...)
						}
						err := importHistory(dbs[i%len(dbs)], "f.csv", sha, list)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							ok++
						case errors.Is(err, dueprocess.ErrConflict):
							refused++
						default:
							t.Errorf("import %d: %v", i, err)
						}
					}()
				}
				wg.Wait()
				if ok != 1 || refused != 49 {
					t.Errorf("same file %v: %d imports succeeded and %d were refused, want 1 and 49", sameFile, ok, refused)
				}
			}
			if n := requestCount(t, dbs[0]); n != 4 {
				t.Errorf("%d requests stored, want 4", n)
			}
		})
	}
}
