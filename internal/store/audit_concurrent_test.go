package store_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// appender is the environment variable under which the test binary runs
// as one of the appending processes instead of running tests.
const appender = "DUEPROCESS_TEST_APPEND_DSN"

func TestMain(m *testing.M) {
	if dsn := os.Getenv(appender); dsn != "" {
		n, _ := strconv.Atoi(os.Getenv("DUEPROCESS_TEST_APPEND_N"))
		if err := appendEntries(dsn, os.Getenv("DUEPROCESS_TEST_APPEND_NAME"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// appendEntries appends n entries, each in its own transaction, from four
// goroutines, as a busy server would.
func appendEntries(dsn, name string, n int) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				err := db.Transact(ctx, func(tx *store.Tx) error {
					return tx.Record(ctx, dueprocess.System, "test.appended", "test:"+name, map[string]any{"process": name, "i": i})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// TestTwoProcessesOneLog: two OS processes append to one PostgreSQL
// database at once; the result is one log, without gaps, forks or
// duplicate indexes, that verifies.
func TestTwoProcessesOneLog(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const each = 200
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := exec.Command(os.Args[0], "-test.run=^$")
			c.Env = append(os.Environ(), appender+"="+dsn, "DUEPROCESS_TEST_APPEND_N="+strconv.Itoa(each), "DUEPROCESS_TEST_APPEND_NAME="+name)
			if out, err := c.CombinedOutput(); err != nil {
				t.Errorf("process %s: %v\n%s", name, err, out)
			}
		}()
	}
	wg.Wait()

	log := db.AuditLog()
	var size int64
	size, err = log.Size(ctx)
	if err != nil || size != 2*each {
		t.Fatalf("size %d, %v; want %d", size, err, 2*each)
	}
	seen := map[string]int{}
	next := int64(0)
	err = log.Entries(ctx, 0, size, func(i int64, data []byte) error {
		if i != next {
			return fmt.Errorf("index %d after %d", i, next-1)
		}
		next++
		e, err := audit.Decode(data)
		if err != nil {
			return err
		}
		if e.Index != i {
			return fmt.Errorf("entry at %d says it is %d", i, e.Index)
		}
		seen[e.Object]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen["test:a"] != each || seen["test:b"] != each {
		t.Errorf("entries per process: %v", seen)
	}
	signer, verifier := testKey(t)
	cp := &audit.Checkpointer{Store: log, Signer: signer, Origin: signer.Name()}
	if _, _, err := cp.Latest(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Verify(ctx, log, verifier, signer.Name(), nil); err != nil {
		t.Errorf("the log does not verify: %v", err)
	}
}

func testKey(t testing.TB) (note.Signer, note.Verifier) {
	t.Helper()
	signer, verifier, _, err := audit.CreateKey(t.TempDir(), "dueprocess.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	return signer, verifier
}
