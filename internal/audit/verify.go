package audit

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

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
	// and stops at the first error fn returns, returning it. data is only
	// valid until fn returns, so that a store can reuse its buffer.
	Entries(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) error
	// Checkpoints calls fn for every stored checkpoint, smallest tree
	// first, with the tree size it was stored under and its text. Verify's
	// fn calls ReadHashes while Checkpoints is still iterating, and Verify
	// calls ReadHashes while Entries is iterating, from another goroutine,
	// so a store reading rows from a pool needs a second connection.
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

// verifyBatch is how many entries Verify reads at a time, with one ordered
// query for the entries and one for their stored hashes: big enough that
// the queries cost little beside the hashing, small enough that the two
// batches in memory (one being read while the other is checked) stay
// around a megabyte each, and that the progress bar moves.
const verifyBatch = 4096

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
// log. A second goroutine reads the next batch of entries and stored
// hashes while this one checks the current batch, so that waiting for
// the database and hashing overlap. If progress is not nil it is called
// after each batch of entries.
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
	fr, err := verifyEntries(ctx, src, size, &rep, progress)
	if err != nil {
		return rep, err
	}
	rep.Size = size
	rep.Root, err = tlog.TreeHash(size, fr)
	if err != nil {
		return rep, fmt.Errorf("audit verify: root of tree size %d: %w", size, err)
	}

	// Every stored hash of the first size entries now equals the
	// recomputed one, so roots and proofs for checkpoints up to size can be
	// read from src instead of being kept in memory.
	c := &checkpointCheck{ctx: ctx, src: src, r: TlogReader(ctx, src), verifier: verifier, origin: origin,
		size: size, current: size, prevSize: -1, rep: &rep}
	if err := src.Checkpoints(ctx, c.check); err != nil {
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

// verifyEntries reads the first size entries in batches and checks each:
// its canonical form, its index, and the stored hashes it adds. It returns
// the tree's frontier, from which the root follows.
func verifyEntries(ctx context.Context, src Source, size int64, rep *Report, progress func(done, total int64)) (*frontier, error) {
	// Two batches: the reader fills one while the loop below checks the
	// other, and each goes back to the reader through free once checked.
	readCtx, stopReading := context.WithCancel(ctx)
	full, free := make(chan *batch, 1), make(chan *batch, 2)
	free <- new(batch)
	free <- new(batch)
	var reader sync.WaitGroup
	reader.Go(func() { readBatches(readCtx, src, size, full, free) })
	defer func() {
		// The reader must be gone before Verify returns, so that src is
		// not used after it.
		stopReading()
		reader.Wait()
	}()

	fr := new(frontier)
	var computed []tlog.Hash // the stored hashes recomputed for one entry
	for b := range full {
		next, err := checkBatch(b, fr, &computed, rep)
		if err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if b.readErr != nil {
			return nil, badEntry(next, b.readErr, "cannot be read")
		}
		if next != b.to {
			return nil, badEntry(next, nil, "missing: the log has %d entries but reading stopped here", size)
		}
		if b.hashErr != nil {
			return nil, firstUnreadable(ctx, src, b.from, b.to, b.hashErr)
		}
		rep.Entries = b.to
		if progress != nil {
			progress(b.to, size)
		}
		free <- b
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if rep.Entries != size {
		// The reader stops early only when cancelled, so this would be a
		// bug in readBatches.
		return nil, badEntry(rep.Entries, nil, "not read")
	}
	return fr, nil
}

// checkBatch checks the entries of one batch in order and returns the
// index after the last one it read. The leaves and canonical forms, which
// do not depend on each other, are checked first on every core (see
// hashLeaves); what is left in order is the interior hashes and the
// comparison with the stored ones.
func checkBatch(b *batch, fr *frontier, computed *[]tlog.Hash, rep *Report) (next int64, err error) {
	hashLeaves(b)
	next = b.from
	stored, haveStored := b.hashes, b.readErr == nil && b.hashErr == nil
	for k, index := range b.index {
		if index > next {
			return next, badEntry(next, nil, "missing: the log goes on at entry %d", index)
		}
		if index < next {
			return next, badEntry(index, nil, "read a second time, after entry %d", next-1)
		}
		if err := b.leafErr[k]; err != nil {
			return next, err
		}
		*computed = fr.push(index, b.leaves[k], (*computed)[:0])
		if haveStored {
			first := tlog.StoredHashIndex(0, index)
			for j, h := range *computed {
				if stored[j] != h {
					level, n := tlog.SplitStoredHashIndex(first + int64(j))
					return next, badEntry(index, nil, "stored hash %d (level %d, node %d) is %v, but the entries give %v",
						first+int64(j), level, n, stored[j], h)
				}
			}
			stored = stored[len(*computed):]
		}
		rep.Bytes += int64(b.end[k] - b.start(k))
		next++
	}
	return next, nil
}

// leafChunk is the fewest entries worth handing to a goroutine of their
// own: a few hundred microseconds of hashing.
const leafChunk = 512

// hashLeaves checks each entry of b with checkEntry and computes its leaf
// hash, into b.leafErr and b.leaves, splitting the batch among up to
// GOMAXPROCS goroutines. Each entry's result depends on its bytes and its
// position alone, so the order they are computed in does not matter.
func hashLeaves(b *batch) {
	n := len(b.index)
	b.leaves, b.leafErr = slices.Grow(b.leaves[:0], n)[:n], slices.Grow(b.leafErr[:0], n)[:n]
	leaves := func(lo, hi int) {
		for k := lo; k < hi; k++ {
			data := b.data[b.start(k):b.end[k]]
			b.leafErr[k] = checkEntry(b.from+int64(k), data)
			b.leaves[k] = tlog.RecordHash(data)
		}
	}
	parts := min(runtime.GOMAXPROCS(0), n/leafChunk)
	if parts <= 1 {
		leaves(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		if p == parts-1 {
			leaves(lo, hi) // this goroutine takes the last part
			break
		}
		wg.Go(func() { leaves(lo, hi) })
	}
	wg.Wait()
}

// checkEntry checks that data is a canonical entry that says it is entry
// index. The fast check covers every entry of the usual shape; Decode
// takes the rest, and says what is wrong with a bad one.
func checkEntry(index int64, data []byte) error {
	n, ok := canonicalIndex(data)
	if !ok {
		e, err := Decode(data)
		if err != nil {
			return badEntry(index, err, "not a valid entry")
		}
		n = e.Index
	}
	if n != index {
		return badEntry(index, nil, "stored at index %d but says it is entry %d", index, n)
	}
	return nil
}

// checkpointCheck checks the stored checkpoints, oldest first, against the
// verified entries: each is signed by the log's key, signs the root the
// entries give at its size, and is consistent with the one before.
type checkpointCheck struct {
	ctx           context.Context
	src           Source
	r             tlog.HashReader
	verifier      note.Verifier
	origin        string
	size, current int64 // entries verified; entries the log has now
	prevSize      int64
	prevRoot      tlog.Hash
	rep           *Report
}

func (c *checkpointCheck) check(n int64, text []byte) error {
	if n <= c.prevSize {
		return badCheckpoint(n, nil, "stored after the checkpoint at size %d", c.prevSize)
	}
	signed, root, err := OpenCheckpoint(text, c.verifier, c.origin)
	if err != nil {
		return badCheckpoint(n, err, "not a valid signed checkpoint")
	}
	if signed != n {
		return badCheckpoint(n, nil, "stored under size %d but signs a tree of %d entries", n, signed)
	}
	if n > c.size {
		if n > c.current {
			// Look again: the log may have grown while we read it.
			if c.current, err = c.src.Size(c.ctx); err != nil {
				return fmt.Errorf("audit verify: log size: %w", err)
			}
		}
		if n > c.current {
			return badCheckpoint(n, nil, "signs a tree of %d entries but the log has only %d: entries were removed", n, c.current)
		}
		c.rep.Newer++
		return nil
	}
	want, err := tlog.TreeHash(n, c.r)
	if err != nil {
		return badCheckpoint(n, err, "cannot compute the root at that size")
	}
	if root != want {
		return badCheckpoint(n, nil, "signs root %v, but the entries give %v", root, want)
	}
	if c.prevSize > 0 {
		// Implied by the roots matching, but checked the way an outsider
		// would, with a proof.
		p, err := tlog.ProveTree(n, c.prevSize, c.r)
		if err == nil {
			err = tlog.CheckTree(p, n, root, c.prevSize, c.prevRoot)
		}
		if err != nil {
			return badCheckpoint(n, err, "not consistent with the checkpoint at size %d", c.prevSize)
		}
	}
	c.prevSize, c.prevRoot = n, root
	c.rep.Checkpoints++
	c.rep.LastCheckpoint = n
	return nil
}

// firstUnreadable reads the stored hashes of entries from to to one entry
// at a time to name the first whose hashes cannot be read, after reading
// them all at once failed with err.
func firstUnreadable(ctx context.Context, src Source, from, to int64, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
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

// batch is a run of entries read from the log, with their stored hashes.
type batch struct {
	from, to int64       // the entries asked for
	index    []int64     // the index of each entry read, in the order read
	end      []int       // where each entry's bytes end in data
	data     []byte      // the entries' bytes, one after the other
	readErr  error       // why reading the entries stopped early, if it did
	hashIdx  []int64     // the stored-hash indexes of entries from to to
	hashes   []tlog.Hash // the stored hashes at hashIdx, if hashErr is nil
	hashErr  error       // why they could not be read, if they could not
	leaves   []tlog.Hash // the leaf hash of each entry read, by hashLeaves
	leafErr  []error     // what checkEntry says of each entry read, by hashLeaves
}

// start returns where entry k of the batch begins in data.
func (b *batch) start(k int) int {
	if k == 0 {
		return 0
	}
	return b.end[k-1]
}

// errOutOfOrder stops reading a batch at an entry read under an
// unexpected index, which Verify then names.
var errOutOfOrder = errors.New("audit verify: entries out of order")

// readBatches reads the log's first size entries batch by batch into
// buffers taken from free, and sends each on full, which it closes when
// done. It stops after a batch whose entries could not all be read, since
// Verify stops there too, and when ctx is cancelled.
func readBatches(ctx context.Context, src Source, size int64, full chan<- *batch, free <-chan *batch) {
	defer close(full)
	for from := int64(0); from < size; from += verifyBatch {
		var b *batch
		select {
		case b = <-free:
		case <-ctx.Done():
			return
		}
		to := min(from+verifyBatch, size)
		if n := int(to - from); cap(b.index) < n {
			// Sized for entries of a few hundred bytes, as they are, so
			// that filling a batch rarely grows it, and for the batch at
			// hand, so that verifying a small log allocates little.
			b.index, b.end, b.data = make([]int64, 0, n), make([]int, 0, n), make([]byte, 0, 256*n)
		}
		*b = batch{from: from, to: to,
			index: b.index[:0], end: b.end[:0], data: b.data[:0], hashIdx: b.hashIdx[:0],
			leaves: b.leaves[:0], leafErr: b.leafErr[:0]}
		// An entry's stored hashes follow the previous entry's, so a
		// batch's are one run of indexes, which a store can read as a
		// range, and at the same time as the entries.
		for x := tlog.StoredHashIndex(0, b.from); x < tlog.StoredHashIndex(0, b.to); x++ {
			b.hashIdx = append(b.hashIdx, x)
		}
		var hashes sync.WaitGroup
		hashes.Go(func() {
			b.hashes, b.hashErr = src.ReadHashes(ctx, b.hashIdx)
			if b.hashErr == nil && len(b.hashes) != len(b.hashIdx) {
				b.hashErr = fmt.Errorf("read %d stored hashes, asked for %d", len(b.hashes), len(b.hashIdx))
			}
		})
		b.readErr = src.Entries(ctx, b.from, b.to, func(index int64, data []byte) error {
			// Keep the bytes: a store may reuse data once fn returns.
			b.index = append(b.index, index)
			b.data = append(b.data, data...)
			b.end = append(b.end, len(b.data))
			if index != b.from+int64(len(b.index))-1 {
				return errOutOfOrder
			}
			return nil
		})
		hashes.Wait()
		select {
		case full <- b:
		case <-ctx.Done():
			return
		}
		if b.readErr != nil {
			return
		}
	}
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

// push adds entry n, whose leaf hash is leaf, and appends to out the
// stored hashes n adds, as tlog.StoredHashes returns them without
// allocating: the leaf, then the root of each subtree n completes, each
// hashed with the frontier's smallest root as its left half. The last is
// the new smallest root, and the roots it absorbed leave the frontier.
func (f *frontier) push(n int64, leaf tlog.Hash, out []tlog.Hash) []tlog.Hash {
	h := leaf
	out = append(out, h)
	level := 0
	for ; n>>level&1 == 1; level++ {
		h = tlog.NodeHash(f.nodes[len(f.nodes)-1].hash, h)
		f.nodes = f.nodes[:len(f.nodes)-1]
		out = append(out, h)
	}
	f.nodes = append(f.nodes, frontierNode{tlog.StoredHashIndex(level, n>>level), h})
	return out
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
