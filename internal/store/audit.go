package store

import (
	"context"
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

// ReadHashes reads stored hashes by their tlog stored-hash index: those
// this group wrote or read before from memory, the others from the
// database, once.
func (a *AuditTx) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	g := a.tx.group
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, id := range indexes {
		h, ok := g.hashes[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		out[i] = h
	}
	if len(missing) == 0 {
		return out, nil
	}
	read, err := readHashes(ctx, a.tx.tx, missing)
	if err != nil {
		return nil, err
	}
	if g.hashes == nil {
		g.hashes = map[int64]tlog.Hash{}
	}
	for i, id := range missing {
		g.hashes[id] = read[i]
	}
	for i, id := range indexes {
		out[i] = g.hashes[id]
	}
	return out, nil
}

// AppendEntry adds entry number index and the stored hashes it adds,
// which start at tlog.StoredHashIndex(0, index), to those the group writes
// before its commit (see finishGroup).
func (a *AuditTx) AppendEntry(ctx context.Context, index int64, data []byte, hashes []tlog.Hash) error {
	g := a.tx.group
	if !g.auditLocked || index != g.auditSize {
		return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d appended without the log's lock", index)}
	}
	first := tlog.StoredHashIndex(0, index)
	if want := tlog.StoredHashIndex(0, g.auditStart) + int64(len(g.newHashes)); first != want {
		return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d: stored hashes start at %d, want %d", index, first, want)}
	}
	if g.hashes == nil {
		g.hashes = map[int64]tlog.Hash{}
	}
	for i, h := range hashes {
		g.hashes[first+int64(i)] = h
	}
	g.newHashes = append(g.newHashes, hashes...)
	g.entries = append(g.entries, pendingEntry{index: index, object: a.object, data: data})
	g.auditSize = index + 1
	return nil
}

// advanceAuditHead writes the log's new size once, before the group's
// commit. The head must still be where the first append found it: if
// anyone appended without the lock, the group fails rather than fork the
// log.
func (db *DB) advanceAuditHead(ctx context.Context, stx *sqlTx, g *group) error {
	if !g.auditLocked || g.auditSize == g.auditStart {
		return nil
	}
	moved := func(rows int64) error {
		if rows != 1 {
			return &dueprocess.Error{Kind: dueprocess.Conflict, Message: fmt.Sprintf("audit log head moved while appending entries %d to %d", g.auditStart, g.auditSize-1)}
		}
		return nil
	}
	err := stx.writeChecked(ctx, moved, `UPDATE audit_head SET size = $1 WHERE id = 1 AND size = $2`, g.auditSize, g.auditStart)
	if err != nil {
		return mapError(fmt.Errorf("advance audit head to %d: %w", g.auditSize, err))
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
