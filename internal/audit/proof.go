package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// InclusionProof returns the proof that the tree of the first size
// entries contains entry index, as tlog.ProveRecord makes it. A checker
// holds the entry's bytes and a checkpoint of that size and calls
// tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(data)).
//
// Bad arguments are dueprocess Invalid errors naming "index" or "size";
// a size beyond the log fails in r, which should say not found.
func InclusionProof(ctx context.Context, r HashReader, index, size int64) (tlog.RecordProof, error) {
	if size < 1 || size > MaxTreeSize {
		return nil, dueprocess.FieldError("size", "tree size %d is not from 1 to %d", size, int64(MaxTreeSize))
	}
	if index < 0 || index >= size {
		return nil, dueprocess.FieldError("index", "entry %d is not in a tree of %d entries (indexes run from 0 to %d)", index, size, size-1)
	}
	// tlog's proof need not read the entry's own leaf (the last of a tree
	// has no sibling to its right), so it would prove an entry past the
	// log; reading the tree's last leaf first refuses a tree the log lacks.
	if err := hasTree(ctx, r, size); err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(size, index, TlogReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("audit: prove entry %d in tree size %d: %w", index, size, err)
	}
	return p, nil
}

// hasTree reads the last leaf of the tree of size entries, and fails if
// the log does not hold it.
func hasTree(ctx context.Context, r HashReader, size int64) error {
	if _, err := r.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, size-1)}); err != nil {
		return fmt.Errorf("audit: the log holds no tree of %d entries: %w", size, err)
	}
	return nil
}

// ConsistencyProof returns the proof that the tree of the first new
// entries extends the tree of the first old entries, as tlog.ProveTree
// makes it. A checker holding checkpoints of both sizes calls
// tlog.CheckTree(proof, new, newRoot, old, oldRoot).
//
// Bad arguments are dueprocess Invalid errors naming "old" or "new".
func ConsistencyProof(ctx context.Context, r HashReader, old, new int64) (tlog.TreeProof, error) {
	if old < 1 {
		// Every tree extends the empty one; tlog has no proof for it.
		return nil, dueprocess.FieldError("old", "tree size %d must be at least 1", old)
	}
	if new < old {
		return nil, dueprocess.FieldError("new", "tree size %d is smaller than old size %d", new, old)
	}
	if new > MaxTreeSize {
		return nil, dueprocess.FieldError("new", "tree size %d is over %d", new, int64(MaxTreeSize))
	}
	// tlog proves a tree consistent with itself with no proof, reading
	// nothing, and need not read every leaf of the new tree otherwise;
	// reading its last leaf first refuses a tree the log lacks.
	if err := hasTree(ctx, r, new); err != nil {
		return nil, err
	}
	p, err := tlog.ProveTree(new, old, TlogReader(ctx, r))
	if err != nil {
		return nil, fmt.Errorf("audit: prove tree size %d extends %d: %w", new, old, err)
	}
	return p, nil
}

// EncodeHashes returns the hashes of a proof (a tlog.RecordProof or
// tlog.TreeProof) as standard base64 strings, in tlog's order, as the API
// serves them.
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// DecodeHashes parses what EncodeHashes produced. Convert the result to
// tlog.RecordProof or tlog.TreeProof to check it.
func DecodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		h, err := decodeHash(s)
		if err != nil {
			return nil, fmt.Errorf("proof hash %d: %w", i, err)
		}
		out[i] = h
	}
	return out, nil
}

// decodeHash parses one base64 hash, accepting only the one spelling that
// base64 encoding produces, so a hash has exactly one text form.
func decodeHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	// The decoder skips line breaks even in strict mode; a hash is one
	// run of exactly 44 characters, so that each has one spelling.
	if len(s) != base64.StdEncoding.EncodedLen(tlog.HashSize) || strings.ContainsAny(s, "\r\n") {
		return h, fmt.Errorf("%q is not a base64 SHA-256 hash", s)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("%q is not a base64 SHA-256 hash", s)
	}
	copy(h[:], b)
	return h, nil
}
