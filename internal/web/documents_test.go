package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// failingBackend loses every blob at the moment it would be made durable,
// as a server killed there, or a full disk, would.
type failingBackend struct {
	blob.Backend
	fail atomic.Bool
}

func (f *failingBackend) Create(ctx context.Context) (blob.Pending, error) {
	p, err := f.Backend.Create(ctx)
	if err != nil {
		return nil, err
	}
	return &failingPending{Pending: p, f: f}, nil
}

type failingPending struct {
	blob.Pending
	f *failingBackend
}

func (p *failingPending) Commit(ctx context.Context, sum string) error {
	if p.f.fail.Load() {
		return errors.New("the blob was lost before it was durable")
	}
	return p.Pending.Commit(ctx, sum)
}

// TestDocumentNeverPointsToNothing: a document's row is committed only
// after its blob is durable, so a blob that is lost (a kill, a full disk)
// leaves no document row behind, on either database and its default
// backend; and the upload is not acknowledged.
func TestDocumentNeverPointsToNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var inner blob.Backend = db.Blobs()
		if db.Dialect() == store.SQLite {
			dir, err := blob.NewDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			inner = dir
		}
		backend := &failingBackend{Backend: inner}
		e := newEnvBlobs(t, db, web.Limits{}, backend)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		path := "/api/v1/requests/" + id + "/documents"

		backend.fail.Store(true)
		before := e.counts()
		if st, body := e.do("POST", path, e.hk, bytes.NewReader(pdf(3000)), "Content-Type", "application/pdf"); st != 500 {
			t.Errorf("upload whose blob was lost: %d %s, want 500", st, body)
		}
		if after := e.counts(); after != before {
			t.Errorf("an upload whose blob was lost changed rows:\n before %s\n after  %s", before, after)
		}

		// Once blobs are kept again, the same upload succeeds and reads back.
		backend.fail.Store(false)
		file := pdf(3000)
		st, body := e.do("POST", path, e.hk, bytes.NewReader(file), "Content-Type", "application/pdf")
		if st != 201 {
			t.Fatalf("upload: %d %s", st, body)
		}
		var doc struct{ ID string }
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if st, got := e.do("GET", path+"/"+doc.ID, e.hk, nil); st != 200 || !bytes.Equal(got, file) {
			t.Errorf("download: %d, %d bytes; want 200 and the %d bytes uploaded", st, len(got), len(file))
		}
	})
}
