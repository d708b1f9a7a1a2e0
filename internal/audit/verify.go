package audit

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Source is the committed log, which a store implements for proofs and
// verification.
type Source interface {
	HashReader
	// Size returns the number of committed entries.
	Size(ctx context.Context) (int64, error)
	// Entries calls fn for each entry with from <= index < to, in order,
	// and stops at the first error fn returns, returning it.
	Entries(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) error
	// Checkpoints calls fn for every stored checkpoint, smallest tree
	// first, with the tree size it was stored under and its text. Verify's
	// fn calls ReadHashes while Checkpoints is still iterating, so a store
	// reading rows from a pool needs a second connection for it.
	Checkpoints(ctx context.Context, fn func(size int64, text []byte) error) error
}

// Report summarises a successful verification.
type Report struct {
	Entries        int64     // entries recomputed and checked
	Bytes          int64     // bytes of those entries
	Size           int64     // tree size verified
	Root           tlog.Hash // root hash of that tree, recomputed from the entries
	Checkpoints    int       // checkpoints whose signature, root and consistency were checked
	LastCheckpoint int64     // size of the largest of those, or 0
	Newer          int       // checkpoints of entries appended after verification began, left for next time
}

// VerifyError says where verification found the log wrong: the first bad
// entry, or the checkpoint at fault, and what is wrong with it.
type VerifyError struct {
	Index      int64  // the first bad entry, or -1 if the fault is in a checkpoint
	Checkpoint int64  // the size of the bad checkpoint, or -1 if the fault is in an entry
	Problem    string // what is wrong, in words
	Err        error  // the underlying error, if any
}

func (e *VerifyError) Error() string {
	var msg string
	if e.Index >= 0 {
		msg = fmt.Sprintf("audit entry %d: %s", e.Index, e.Problem)
	} else {
		msg = fmt.Sprintf("audit checkpoint at size %d: %s", e.Checkpoint, e.Problem)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *VerifyError) Unwrap() error { return e.Err }

func badEntry(index int64, err error, format string, args ...any) *VerifyError {
	return &VerifyError{Index: index, Checkpoint: -1, Problem: fmt.Sprintf(format, args...), Err: err}
}

func badCheckpoint(size int64, err error, format string, args ...any) *VerifyError {
	return &VerifyError{Index: -1, Checkpoint: size, Problem: fmt.Sprintf(format, args...), Err: err}
}

// verifyBatch is how many entries Verify reads and checks at a time: big
// enough that reading stored hashes costs few round trips, small enough
// that the query stays well under the databases' limits on parameters.
const verifyBatch = 500

// Verify rechecks the whole log in src against nothing but its own
// entries and the verifier key:
//
//   - every entry is canonical (see Decode) and carries its own index;
//   - every stored hash equals the one recomputed from the entries;
//   - every checkpoint is signed by verifier for origin, states the size
//     it is stored under, and has the root recomputed for that size;
//   - each checkpoint is consistent with the one before it.
//
// It reads the entries once, in order, keeping only the O(log n) roots of
// the complete subtrees seen so far, so memory does not grow with the
// log. If progress is not nil it is called after each batch of entries.
//
// A log that fails returns a *VerifyError naming the first bad entry or
// the bad checkpoint. Errors from src come back as a *VerifyError naming
// the entry being read, since a row that cannot be read is as bad as one
// that was changed; only context cancellation is returned unwrapped.
//
// What verification cannot see: entries appended after the last
// checkpoint can be rewritten, or truncated, along with their stored
// hashes, without trace here. Checkpoints published or witnessed outside
// the database are what catch that.
func Verify(ctx context.Context, src Source, verifier note.Verifier, origin string, progress func(done, total int64)) (Report, error) {
	var rep Report
	size, err := src.Size(ctx)
	if err != nil {
		return rep, fmt.Errorf("audit verify: log size: %w", err)
	}
	var (
		fr       frontier
		computed []tlog.Hash // stored hashes recomputed for the current batch
		owner    []int64     // the entry that adds each of them
		indexes  []int64     // their stored-hash indexes
	)
	for from := int64(0); from < size; from += verifyBatch {
		to := min(from+verifyBatch, size)
		computed, owner = computed[:0], owner[:0]
		next := from
		err := src.Entries(ctx, from, to, func(index int64, data []byte) error {
			if index > next {
				return badEntry(next, nil, "missing: the log goes on at entry %d", index)
			}
			if index < next {
				return badEntry(index, nil, "read a second time, after entry %d", next-1)
			}
			e, err := Decode(data)
			if err != nil {
				return badEntry(index, err, "not a valid entry")
			}
			if e.Index != index {
				return badEntry(index, nil, "stored at index %d but says it is entry %d", index, e.Index)
			}
			hs, err := tlog.StoredHashes(index, data, &fr)
			if err != nil {
				return badEntry(index, err, "cannot hash")
			}
			fr.add(index, hs)
			computed = append(computed, hs...)
			for range hs {
				owner = append(owner, index)
			}
			rep.Bytes += int64(len(data))
			next++
			return nil
		})
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var verr *VerifyError
		if errors.As(err, &verr) {
			return rep, verr
		} else if err != nil {
			return rep, badEntry(next, err, "cannot be read")
		}
		if next != to {
			return rep, badEntry(next, nil, "missing: the log has %d entries but reading stopped here", size)
		}

		first := tlog.StoredHashIndex(0, from)
		indexes = indexes[:0]
		for i := range computed {
			indexes = append(indexes, first+int64(i))
		}
		stored, err := src.ReadHashes(ctx, indexes)
		if err == nil && len(stored) != len(indexes) {
			err = fmt.Errorf("read %d stored hashes, asked for %d", len(stored), len(indexes))
		}
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			return rep, firstUnreadable(ctx, src, from, to, err)
		}
		for i := range computed {
			if stored[i] != computed[i] {
				level, n := tlog.SplitStoredHashIndex(indexes[i])
				return rep, badEntry(owner[i], nil, "stored hash %d (level %d, node %d) is %v, but the entries give %v",
					indexes[i], level, n, stored[i], computed[i])
			}
		}
		rep.Entries = to
		if progress != nil {
			progress(to, size)
		}
	}
	rep.Size = size
	rep.Root, err = tlog.TreeHash(size, &fr)
	if err != nil {
		return rep, fmt.Errorf("audit verify: root of tree size %d: %w", size, err)
	}

	// Every stored hash of the first size entries now equals the
	// recomputed one, so roots and proofs for checkpoints up to size can be
	// read from src instead of being kept in memory.
	r := TlogReader(ctx, src)
	var (
		prevSize int64 = -1
		prevRoot tlog.Hash
		current  = size
	)
	err = src.Checkpoints(ctx, func(n int64, text []byte) error {
		if n <= prevSize {
			return badCheckpoint(n, nil, "stored after the checkpoint at size %d", prevSize)
		}
		signed, root, err := OpenCheckpoint(text, verifier, origin)
		if err != nil {
			return badCheckpoint(n, err, "not a valid signed checkpoint")
		}
		if signed != n {
			return badCheckpoint(n, nil, "stored under size %d but signs a tree of %d entries", n, signed)
		}
		if n > size {
			if n > current {
				// Look again: the log may have grown while we read it.
				if current, err = src.Size(ctx); err != nil {
					return fmt.Errorf("audit verify: log size: %w", err)
				}
			}
			if n > current {
				return badCheckpoint(n, nil, "signs a tree of %d entries but the log has only %d: entries were removed", n, current)
			}
			rep.Newer++
			return nil
		}
		want, err := tlog.TreeHash(n, r)
		if err != nil {
			return badCheckpoint(n, err, "cannot compute the root at that size")
		}
		if root != want {
			return badCheckpoint(n, nil, "signs root %v, but the entries give %v", root, want)
		}
		if prevSize > 0 {
			// Implied by the roots matching, but checked the way an
			// outsider would, with a proof.
			p, err := tlog.ProveTree(n, prevSize, r)
			if err == nil {
				err = tlog.CheckTree(p, n, root, prevSize, prevRoot)
			}
			if err != nil {
				return badCheckpoint(n, err, "not consistent with the checkpoint at size %d", prevSize)
			}
		}
		prevSize, prevRoot = n, root
		rep.Checkpoints++
		rep.LastCheckpoint = n
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var verr *VerifyError
		if errors.As(err, &verr) {
			return rep, verr
		}
		return rep, fmt.Errorf("audit verify: read checkpoints: %w", err)
	}
	return rep, nil
}

// firstUnreadable reads the stored hashes of entries from to to one entry
// at a time to name the first whose hashes cannot be read, after reading
// them all at once failed with err.
func firstUnreadable(ctx context.Context, src Source, from, to int64, err error) error {
	for i := from; i < to; i++ {
		lo, hi := tlog.StoredHashIndex(0, i), tlog.StoredHashIndex(0, i+1)
		var idx []int64
		for x := lo; x < hi; x++ {
			idx = append(idx, x)
		}
		hs, err := src.ReadHashes(ctx, idx)
		if err == nil && len(hs) != len(idx) {
			err = fmt.Errorf("read %d stored hashes, asked for %d", len(hs), len(idx))
		}
		if err != nil {
			return badEntry(i, err, "its stored hashes cannot be read")
		}
	}
	return badEntry(from, err, "the stored hashes of entries %d to %d cannot be read", from, to-1)
}

// frontier holds the roots of the complete subtrees to the left of the
// next leaf, largest first: all that is needed to hash the next entry or
// the whole tree so far. It is a tlog.HashReader over those roots.
type frontier struct {
	nodes []frontierNode
}

type frontierNode struct {
	index int64 // stored-hash index
	hash  tlog.Hash
}

// add records the hashes tlog.StoredHashes returned for entry n. They
// are n's leaf and the subtrees it completes; the last is the new
// smallest root, and the roots it absorbed leave the frontier.
func (f *frontier) add(n int64, hashes []tlog.Hash) {
	level := len(hashes) - 1
	f.nodes = f.nodes[:len(f.nodes)-level]
	f.nodes = append(f.nodes, frontierNode{tlog.StoredHashIndex(level, n>>level), hashes[level]})
}

// ReadHashes implements tlog.HashReader.
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		found := false
		for _, nd := range f.nodes {
			if nd.index == x {
				out[i], found = nd.hash, true
				break
			}
		}
		if !found {
			// tlog asks only for roots of complete subtrees left of the
			// next leaf, so this would be a bug here or in tlog.
			return nil, fmt.Errorf("audit verify: hash %d is not on the frontier", x)
		}
	}
	return out, nil
}
