package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
)

// Blobs is a blob.Backend in the database's blobs table: the default with
// PostgreSQL, where every server sharing the database must read the
// documents any of them stored. It holds ciphertext only; blob.Store
// encrypts above it. A blob is at most a 20 MB document plus age's few
// bytes of overhead, so it is written and read whole, as one bytea value.
type Blobs struct {
	db *DB
}

// Blobs returns the backend that keeps blobs in db.
func (db *DB) Blobs() *Blobs { return &Blobs{db: db} }

// String names the backend for messages.
func (b *Blobs) String() string { return "the " + string(b.db.dialect) + " database" }

// Create starts a blob, buffered in memory until Commit.
func (b *Blobs) Create(ctx context.Context) (blob.Pending, error) {
	return &pendingBlob{b: b}, nil
}

// Open returns the ciphertext stored under sum.
func (b *Blobs) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	var ct []byte
	err := b.db.sql.QueryRowContext(ctx, `SELECT ciphertext FROM blobs WHERE sha256 = $1`, sum).Scan(&ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "blob %s not found", sum)
	}
	if err != nil {
		return nil, mapError(fmt.Errorf("read blob %s: %w", sum, err))
	}
	return io.NopCloser(bytes.NewReader(ct)), nil
}

type pendingBlob struct {
	b   *Blobs
	buf bytes.Buffer
}

func (p *pendingBlob) Write(b []byte) (int, error) { return p.buf.Write(b) }

func (p *pendingBlob) Abort() { p.buf = bytes.Buffer{} }

// Commit inserts the blob unless one with the same address is there. On
// PostgreSQL the insert commits on its own, outside the group commits of
// Transact: a document of several megabytes would otherwise hold up every
// other write of its group. SQLite has a single writer, the committer, so
// there the insert goes through Transact.
func (p *pendingBlob) Commit(ctx context.Context, sum string) error {
	db := p.b.db
	const q = `INSERT INTO blobs (sha256, ciphertext, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`
	ct := p.buf.Bytes()
	if db.dialect == Postgres {
		if _, err := db.sql.ExecContext(ctx, q, sum, ct, len(ct), db.ts(db.Now())); err != nil {
			return mapError(fmt.Errorf("store blob %s: %w", sum, err))
		}
		return nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, q, sum, ct, len(ct), db.ts(tx.now)); err != nil {
			return mapError(fmt.Errorf("store blob %s: %w", sum, err))
		}
		return nil
	})
}

// Delete removes the blob stored under sum. On SQLite it goes through
// Transact, the single writer; on PostgreSQL it commits on its own.
func (b *Blobs) Delete(ctx context.Context, sum string) error {
	const q = `DELETE FROM blobs WHERE sha256 = $1`
	if b.db.dialect == Postgres {
		_, err := b.db.sql.ExecContext(ctx, q, sum)
		return mapError(err)
	}
	return b.db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, q, sum)
		return mapError(err)
	})
}
