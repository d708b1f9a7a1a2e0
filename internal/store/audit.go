package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
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
	g.auditLocked, g.auditStart, g.auditSize, g.pendingFrom = true, n, n, n
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
	read, err := readHashes(ctx, a.tx.tx, a.tx.db.dialect, missing)
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
	if want := tlog.StoredHashIndex(0, g.pendingFrom) + int64(len(g.newHashes)); first != want {
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

func readHashes(ctx context.Context, q querier, d Dialect, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	if len(indexes) >= 64 && contiguous(indexes) {
		return readHashRange(ctx, q, d, indexes[0], out)
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

// contiguous reports whether indexes count up by one, as Verify's do: the
// stored hashes of a run of entries. Appends and proofs ask for a few
// scattered hashes, which the list query serves with a simpler plan.
func contiguous(indexes []int64) bool {
	for i, x := range indexes {
		if x != indexes[0]+int64(i) {
			return false
		}
	}
	return true
}

// readHashRange reads the len(out) stored hashes from index first on into
// out. A range is one index scan, where a list of thousands of indexes
// would be thousands of parameters to parse and look up one by one.
//
// The run comes back as one row, because a row costs the driver, and on
// PostgreSQL the server, more than the 32 bytes in it: how many hashes
// there are, how many of them are 32 bytes long, and the hashes one after
// the other in id order. Ids are unique, so n of them in a range of n are
// all of them; if anything is wrong, the run is read again row by row to
// say which hash.
//
// The aggregate takes the rows of a subquery ordered by id, which both
// databases read in the order of the primary key, without sorting, and
// aggregate in the order read: PostgreSQL's manual gives this form for
// ordering an aggregate's input ("supplying the input values from a
// sorted subquery will usually work"). An ORDER BY inside the aggregate,
// which promises it, sorts the run again, and on both databases that
// costs more than the rest of the query. Were the order ever different,
// an honest log would fail to verify with a stored hash that differs, not
// pass a changed one: passing needs every hash, in the order read, to
// equal the one the entries give.
func readHashRange(ctx context.Context, q querier, d Dialect, first int64, out []tlog.Hash) ([]tlog.Hash, error) {
	query := `SELECT count(*), coalesce(sum(CASE WHEN octet_length(hash) = 32 THEN 1 ELSE 0 END), 0), group_concat(hash, '')
		FROM (SELECT id, hash FROM audit_hashes WHERE id >= $1 AND id < $2 ORDER BY id) AS run`
	if d == Postgres {
		query = `SELECT count(*), coalesce(sum(CASE WHEN octet_length(hash) = 32 THEN 1 ELSE 0 END), 0), string_agg(hash, ''::bytea)
			FROM (SELECT id, hash FROM audit_hashes WHERE id >= $1 AND id < $2 ORDER BY id) AS run`
	}
	n := int64(len(out))
	var count, right int64
	var run []byte
	if err := q.QueryRowContext(ctx, query, first, first+n).Scan(&count, &right, &run); err != nil {
		return nil, mapError(fmt.Errorf("read audit hashes: %w", err))
	}
	if count != n || right != n || int64(len(run)) != n*tlog.HashSize {
		return readHashRows(ctx, q, first, out)
	}
	for i := range out {
		copy(out[i][:], run[i*tlog.HashSize:])
	}
	return out, nil
}

// readHashRows reads the len(out) stored hashes from index first on into
// out one row at a time, naming the first that is missing or malformed.
func readHashRows(ctx context.Context, q querier, first int64, out []tlog.Hash) ([]tlog.Hash, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, hash FROM audit_hashes WHERE id >= $1 AND id < $2 ORDER BY id`, first, first+int64(len(out)))
	if err != nil {
		return nil, mapError(fmt.Errorf("read audit hashes: %w", err))
	}
	defer rows.Close()
	found := 0
	var id int64
	var h sql.RawBytes // copied into out before the next row
	for rows.Next() {
		if err := rows.Scan(&id, &h); err != nil {
			return nil, mapError(err)
		}
		if id != first+int64(found) {
			// Ids are unique and ordered, so a gap means missing rows.
			break
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("audit hash %d has %d bytes, want %d", id, len(h), tlog.HashSize)
		}
		copy(out[found][:], h)
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	if found != len(out) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "audit hashes missing: hash %d not found", first+int64(found))
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
	return readHashes(ctx, s.db.sql, s.db.dialect, indexes)
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

// Entries calls fn for each entry with from <= index < to, in order. data
// is only valid until fn returns: it is the driver's buffer, not a copy.
func (s *AuditSource) Entries(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) error {
	// Pages bound how long one query holds a read transaction open, which
	// on SQLite keeps the WAL from being checkpointed; Verify asks for
	// fewer entries than this at a time, so it makes one query per batch.
	const page = 8192
	for from < to {
		n, err := s.entriesPage(ctx, from, min(to, from+page), fn)
		if err != nil {
			return err
		}
		if n == 0 {
			return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d is missing", from)}
		}
		from += n
	}
	return nil
}

// entriesPage calls fn for the entries from from to to, stopping at the
// first gap, and returns how many it read.
func (s *AuditSource) entriesPage(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) (int64, error) {
	if s.db.dialect == Postgres {
		return s.entriesPagePostgres(ctx, from, to, fn)
	}
	rows, err := s.db.sql.QueryContext(ctx, `SELECT idx, data FROM audit_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, from, to)
	if err != nil {
		return 0, mapError(fmt.Errorf("read audit entries: %w", err))
	}
	defer rows.Close()
	var n, idx int64
	var data sql.RawBytes // the driver's buffer, valid until the next row
	for rows.Next() {
		if err := rows.Scan(&idx, &data); err != nil {
			return n, mapError(err)
		}
		if idx != from+n {
			return n, &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d is missing", from+n)}
		}
		if err := fn(idx, data); err != nil {
			return n, err
		}
		n++
	}
	return n, mapError(rows.Err())
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
//
// A checkpoint signed by another key than the latest stored one is refused
// with a *audit.WrongKeyError, checked in the transaction that saves it:
// two servers started with different keys on a log that has no checkpoint
// yet cannot both save one, since the second sees the first's.
func (s *AuditSource) SaveCheckpoint(ctx context.Context, size int64, text []byte) error {
	key, err := audit.CheckpointKey(text)
	if err != nil {
		return err
	}
	return s.db.Transact(ctx, func(tx *Tx) error {
		if tx.db.dialect == Postgres {
			// Writers of checkpoints take turns; readers are not blocked.
			if _, err := tx.exec(ctx, `LOCK TABLE audit_checkpoints IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("save checkpoint: %w", err)
			}
		}
		var latest []byte
		err := tx.queryRow(ctx, `SELECT text FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&latest)
		switch {
		case err == nil:
			logKey, err := audit.CheckpointKey(latest)
			if err != nil {
				return fmt.Errorf("the latest stored %w", err)
			}
			if logKey != key {
				return &audit.WrongKeyError{Log: logKey, Key: key}
			}
		case !errors.Is(err, sql.ErrNoRows):
			return mapError(err)
		}
		_, err = tx.exec(ctx, `INSERT INTO audit_checkpoints (size, text, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
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
	hs, err := readHashes(ctx, a.tx.tx, a.tx.db.dialect, missing)
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
	if len(g.entries) > 0 {
		// The group's own pending entries come first in the log; a bulk
		// append after them would write out of order.
		return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("audit entry %d appended in bulk after entries held by the group", index)}
	}
	g.pendingFrom = index + 1
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
