package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// This file stores the audit log for internal/audit, which owns the
// hashing and signing: AuditTx is what an append needs inside a write
// transaction, and AuditSource what verification and proofs read.

// AuditTx gives internal/audit the log inside one write transaction.
// TreeSize takes the log's lock (a row lock on PostgreSQL; SQLite has one
// writer), so appends from several servers never interleave.
type AuditTx struct {
	tx     *Tx
	object string
}

// Audit returns the log as seen by this transaction, for an entry about
// object (such as "request:DP-2026-000042"), kept beside the entry so that
// an object's timeline can be read without decoding every entry.
func (tx *Tx) Audit(object string) *AuditTx { return &AuditTx{tx: tx, object: object} }

// TreeSize returns the number of entries, locking the log until the
// transaction ends. The first append of a transaction reads and locks the
// head; later ones in the same transaction know it already.
func (a *AuditTx) TreeSize(ctx context.Context) (int64, error) {
	g := a.tx.group
	if g.auditLocked {
		return g.auditSize, nil
	}
	q := `SELECT size FROM audit_head WHERE id = 1`
	if a.tx.db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var n int64
	if err := a.tx.queryRow(ctx, q).Scan(&n); err != nil {
		return 0, mapError(fmt.Errorf("audit tree size: %w", err))
	}
	g.auditLocked, g.auditStart, g.auditSize = true, n, n
	return n, nil
}

// ReadHashes reads stored hashes by their tlog stored-hash index.
func (a *AuditTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readHashes(ctx, a.tx.tx, indexes)
}

// AppendEntry writes entry number index and the stored hashes it adds,
// which start at tlog.StoredHashIndex(0, index).
func (a *AuditTx) AppendEntry(ctx context.Context, index int64, data []byte, hashes []tlog.Hash) error {
	if g := a.tx.group; !g.auditLocked || index != g.auditSize {
		return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d appended without the log's lock", index)}
	}
	if _, err := a.tx.exec(ctx, `INSERT INTO audit_entries (idx, object, data) VALUES ($1, $2, $3)`, index, a.object, data); err != nil {
		return fmt.Errorf("append audit entry %d: %w", index, err)
	}
	first := tlog.StoredHashIndex(0, index)
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_hashes (id, hash) VALUES `)
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, first+int64(i), h[:])
	}
	if _, err := a.tx.exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("append audit hashes at %d: %w", index, err)
	}
	a.tx.group.auditSize = index + 1
	return nil
}

// advanceAuditHead writes the log's new size once, before the group's
// commit. The head must still be where the first append found it: if
// anyone appended without the lock, the group fails rather than fork the
// log.
func (db *DB) advanceAuditHead(sqlTx *sql.Tx, g *group) error {
	if !g.auditLocked || g.auditSize == g.auditStart {
		return nil
	}
	res, err := sqlTx.ExecContext(context.Background(), `UPDATE audit_head SET size = $1 WHERE id = 1 AND size = $2`, g.auditSize, g.auditStart)
	if err != nil {
		return mapError(fmt.Errorf("advance audit head to %d: %w", g.auditSize, err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &dueprocess.Error{Kind: dueprocess.Conflict, Message: fmt.Sprintf("audit log head moved while appending entries %d to %d", g.auditStart, g.auditSize-1)}
	}
	return nil
}

func readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	pos := make(map[int64][]int, len(indexes))
	var b strings.Builder
	b.WriteString(`SELECT id, hash FROM audit_hashes WHERE id IN (`)
	args := make([]any, 0, len(indexes))
	for i, id := range indexes {
		if _, seen := pos[id]; !seen {
			if len(args) > 0 {
				b.WriteString(", ")
			}
			args = append(args, id)
			fmt.Fprintf(&b, "$%d", len(args))
		}
		pos[id] = append(pos[id], i)
	}
	b.WriteString(`)`)
	rows, err := q.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("read audit hashes: %w", err))
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return nil, mapError(err)
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("audit hash %d has %d bytes, want %d", id, len(h), tlog.HashSize)
		}
		for _, i := range pos[id] {
			copy(out[i][:], h)
			found++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if found != len(indexes) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "audit hashes missing: %d of %d found", found, len(indexes))
	}
	return out, nil
}

// AuditSource reads the committed log, for proofs, serving entries and
// verification.
type AuditSource struct{ db *DB }

// AuditLog returns the committed audit log.
func (db *DB) AuditLog() *AuditSource { return &AuditSource{db: db} }

// Size returns the number of committed entries.
func (s *AuditSource) Size(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.sql.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&n); err != nil {
		return 0, mapError(fmt.Errorf("audit size: %w", err))
	}
	return n, nil
}

// ReadHashes reads stored hashes by their tlog stored-hash index.
func (s *AuditSource) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readHashes(ctx, s.db.sql, indexes)
}

// Entry returns the bytes of entry index.
func (s *AuditSource) Entry(ctx context.Context, index int64) ([]byte, error) {
	var data []byte
	err := s.db.sql.QueryRowContext(ctx, `SELECT data FROM audit_entries WHERE idx = $1`, index).Scan(&data)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("audit entry %d", index))
	}
	return data, nil
}

// Entries calls fn for each entry with from <= index < to, in order.
func (s *AuditSource) Entries(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) error {
	const page = 1000
	for from < to {
		rows, err := s.db.sql.QueryContext(ctx, `SELECT idx, data FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx LIMIT $3`,
			from, to, page)
		if err != nil {
			return mapError(fmt.Errorf("read audit entries: %w", err))
		}
		n := 0
		for rows.Next() {
			var idx int64
			var data []byte
			if err := rows.Scan(&idx, &data); err != nil {
				rows.Close()
				return mapError(err)
			}
			if idx != from {
				rows.Close()
				return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d is missing", from)}
			}
			if err := fn(idx, data); err != nil {
				rows.Close()
				return err
			}
			from++
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		if n == 0 {
			return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d is missing", from)}
		}
	}
	return nil
}

// ObjectEntries returns the indexes and bytes of the entries about object,
// oldest first: a request's timeline, for instance.
func (s *AuditSource) ObjectEntries(ctx context.Context, object string) ([]int64, [][]byte, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT idx, data FROM audit_entries WHERE object = $1 ORDER BY idx`, object)
	if err != nil {
		return nil, nil, mapError(err)
	}
	defer rows.Close()
	var idxs []int64
	var datas [][]byte
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, nil, mapError(err)
		}
		idxs = append(idxs, idx)
		datas = append(datas, data)
	}
	return idxs, datas, mapError(rows.Err())
}

// SaveCheckpoint stores a signed checkpoint of the tree at size. Saving
// the same size twice keeps the first.
func (s *AuditSource) SaveCheckpoint(ctx context.Context, size int64, text []byte) error {
	return s.db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO audit_checkpoints (size, text, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
			size, text, tx.db.ts(tx.now))
		return err
	})
}

// LatestCheckpoint returns the stored checkpoint of the largest tree.
func (s *AuditSource) LatestCheckpoint(ctx context.Context) (size int64, text []byte, err error) {
	err = s.db.sql.QueryRowContext(ctx, `SELECT size, text FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &text)
	if err != nil {
		return 0, nil, notFound(err, "audit checkpoint")
	}
	return size, text, nil
}

// Checkpoints calls fn for every stored checkpoint, smallest tree first.
func (s *AuditSource) Checkpoints(ctx context.Context, fn func(size int64, text []byte) error) error {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT size, text FROM audit_checkpoints ORDER BY size`)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var size int64
		var text []byte
		if err := rows.Scan(&size, &text); err != nil {
			return mapError(err)
		}
		if err := fn(size, text); err != nil {
			return err
		}
	}
	return mapError(rows.Err())
}

// bulkAudit is the log for appending many entries in one transaction, as
// an import does: it gathers the entries and their stored hashes and
// writes them in bulk with the import's other rows. Appending entry n
// reads the hashes of the complete subtrees to its left, which are the
// newest hash of each level; bulkAudit keeps those (one per level), so
// that appends in a row read the database only for subtrees completed
// before the import began.
type bulkAudit struct {
	tx              *Tx
	object          string // the object of the next entry
	frontier        [64]frontierHash
	entries, hashes *bulkTable
}

// frontierHash is the stored hash of subtree n of its level.
type frontierHash struct {
	n  int64
	h  tlog.Hash
	ok bool
}

func (tx *Tx) bulkAudit() *bulkAudit {
	return &bulkAudit{tx: tx,
		entries: tx.bulkTable("audit_entries", "idx", "object", "data"),
		hashes:  tx.bulkTable("audit_hashes", "id", "hash")}
}

// TreeSize locks the log as AuditTx.TreeSize does.
func (a *bulkAudit) TreeSize(ctx context.Context) (int64, error) {
	return a.tx.Audit(a.object).TreeSize(ctx)
}

// ReadHashes reads stored hashes from the frontier, or else from the
// database, which holds every hash flushed before.
func (a *bulkAudit) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for i, idx := range indexes {
		level, n := tlog.SplitStoredHashIndex(idx)
		if f := &a.frontier[level]; f.ok && f.n == n {
			out[i] = f.h
			continue
		}
		missing, at = append(missing, idx), append(at, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	if err := a.flush(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	hs, err := readHashes(ctx, a.tx.tx, missing)
	if err != nil {
		return nil, err
	}
	for j, h := range hs {
		out[at[j]] = h
		level, n := tlog.SplitStoredHashIndex(missing[j])
		a.frontier[level] = frontierHash{n, h, true}
	}
	return out, nil
}

// AppendEntry gathers entry index and its hashes, the hash of level i
// being that of subtree index>>i.
func (a *bulkAudit) AppendEntry(ctx context.Context, index int64, data []byte, hashes []tlog.Hash) error {
	g := a.tx.group
	if !g.auditLocked || index != g.auditSize {
		return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d appended without the log's lock", index)}
	}
	a.entries.add(index, a.object, data)
	first := tlog.StoredHashIndex(0, index)
	for i, h := range hashes {
		a.hashes.add(first+int64(i), h[:])
		a.frontier[i] = frontierHash{index >> i, h, true}
	}
	g.auditSize = index + 1
	return nil
}

// flush writes the gathered entries and hashes.
func (a *bulkAudit) flush(ctx context.Context) error {
	if err := a.entries.flush(ctx); err != nil {
		return err
	}
	return a.hashes.flush(ctx)
}
