package audit

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// HashReader reads the tree's stored hashes by their tlog stored-hash
// index (see tlog.StoredHashIndex). It must return one hash per index, in
// the order asked, or an error.
type HashReader interface {
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// Tx is the log as seen from inside one database transaction, which a
// store implements so that an entry commits or rolls back with the change
// it records.
//
// Append calls TreeSize first and exactly once, so a store should take
// whatever lock serialises appends there (a row lock on PostgreSQL, for
// instance) and hold it until the transaction ends: Append assumes that
// nobody else appends between TreeSize and AppendEntry.
type Tx interface {
	HashReader
	// TreeSize returns the number of entries in the log.
	TreeSize(ctx context.Context) (int64, error)
	// AppendEntry stores the bytes of entry index, which is the current
	// tree size, and the stored hashes it adds, which belong at stored-hash
	// indexes tlog.StoredHashIndex(0, index) onwards.
	AppendEntry(ctx context.Context, index int64, data []byte, hashes []tlog.Hash) error
}

// Append adds e to the log at the end of tx, setting its Index to the
// current tree size and its Time to UTC, and returns it. It encodes e,
// computes the stored hashes the new leaf completes, reading at most
// log₂ n earlier hashes through tx, and writes both with one AppendEntry.
func Append(ctx context.Context, tx Tx, e Entry) (Entry, error) {
	n, err := tx.TreeSize(ctx)
	if err != nil {
		return Entry{}, fmt.Errorf("audit append: tree size: %w", err)
	}
	e.Index = n
	e.Time = e.Time.UTC()
	body, err := canonicalBody(e.Body)
	if err != nil {
		return Entry{}, err
	}
	e.Body = body
	data, err := encode(e, body)
	if err != nil {
		return Entry{}, err
	}
	hashes, err := tlog.StoredHashes(n, data, TlogReader(ctx, tx))
	if err != nil {
		return Entry{}, fmt.Errorf("audit append: hashes for entry %d: %w", n, err)
	}
	if err := tx.AppendEntry(ctx, n, data, hashes); err != nil {
		return Entry{}, fmt.Errorf("audit append: entry %d: %w", n, err)
	}
	return e, nil
}

// TlogReader adapts r to tlog.HashReader, which has no context, for
// calling tlog's functions directly.
func TlogReader(ctx context.Context, r HashReader) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hs, err := r.ReadHashes(ctx, indexes)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(indexes) {
			// tlog checks this too, but this message names the culprit.
			return nil, fmt.Errorf("audit: read %d stored hashes, asked for %d", len(hs), len(indexes))
		}
		return hs, nil
	})
}

// MaxTreeSize is the largest tree size this package takes. tlog's
// arithmetic (its maxpow2) loops forever on a tree of more than 1<<62
// entries, so a larger size, which no real log can have, must be refused
// before tlog sees it: from a query string, a checkpoint or a caller.
const MaxTreeSize = 1 << 62

// TreeHash returns the root hash of the tree of the first size entries.
func TreeHash(ctx context.Context, r HashReader, size int64) (tlog.Hash, error) {
	if size < 0 || size > MaxTreeSize {
		return tlog.Hash{}, fmt.Errorf("audit: tree size %d is not from 0 to %d", size, int64(MaxTreeSize))
	}
	h, err := tlog.TreeHash(size, TlogReader(ctx, r))
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("audit: root of tree size %d: %w", size, err)
	}
	return h, nil
}
