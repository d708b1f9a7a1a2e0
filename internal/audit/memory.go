package audit

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// Memory is a log kept in memory: a Tx and a Source in one, for tests and
// for trying the package. Each method is safe for concurrent use, but
// Memory takes no lock across an Append, so of two concurrent appends one
// may fail with a Conflict error; it never forks the log.
type Memory struct {
	mu          sync.Mutex
	entries     [][]byte
	hashes      []tlog.Hash
	checkpoints []memoryCheckpoint // ordered by size
}

type memoryCheckpoint struct {
	size int64
	text []byte
}

// NewMemory returns an empty log. The zero Memory is empty too.
func NewMemory() *Memory { return new(Memory) }

// TreeSize returns the number of entries.
func (m *Memory) TreeSize(ctx context.Context) (int64, error) { return m.Size(ctx) }

// Size returns the number of entries.
func (m *Memory) Size(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

// ReadHashes returns the stored hashes at the given indexes.
func (m *Memory) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, dueprocess.Errorf(dueprocess.NotFound, "audit stored hash %d not found", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// AppendEntry stores entry index and its hashes. It refuses any index but
// the next, so that a lost race shows as an error instead of a fork.
func (m *Memory) AppendEntry(ctx context.Context, index int64, data []byte, hashes []tlog.Hash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if index != int64(len(m.entries)) || tlog.StoredHashIndex(0, index) != int64(len(m.hashes)) {
		return dueprocess.Errorf(dueprocess.Conflict, "audit entry %d cannot be appended to a log of %d entries", index, len(m.entries))
	}
	m.entries = append(m.entries, append([]byte(nil), data...))
	m.hashes = append(m.hashes, hashes...)
	return nil
}

// Entry returns the bytes of entry index.
func (m *Memory) Entry(ctx context.Context, index int64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if index < 0 || index >= int64(len(m.entries)) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "audit entry %d not found", index)
	}
	return m.entries[index], nil
}

// Entries calls fn for each entry with from <= index < to, in order. fn
// must not modify the bytes it is given.
func (m *Memory) Entries(ctx context.Context, from, to int64, fn func(index int64, data []byte) error) error {
	m.mu.Lock()
	entries := m.entries // entries are only appended, so this view stays valid
	m.mu.Unlock()
	for i := from; i < to; i++ {
		if i < 0 || i >= int64(len(entries)) {
			return dueprocess.Errorf(dueprocess.NotFound, "audit entry %d not found", i)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(i, entries[i]); err != nil {
			return err
		}
	}
	return nil
}

// AddCheckpoint stores a signed checkpoint of the tree of size entries.
// As in the database, a second checkpoint of the same size is ignored.
func (m *Memory) AddCheckpoint(size int64, text []byte) error {
	if size < 0 {
		return fmt.Errorf("audit checkpoint size %d is negative", size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.checkpoints), func(i int) bool { return m.checkpoints[i].size >= size })
	if i < len(m.checkpoints) && m.checkpoints[i].size == size {
		return nil
	}
	m.checkpoints = append(m.checkpoints, memoryCheckpoint{})
	copy(m.checkpoints[i+1:], m.checkpoints[i:])
	m.checkpoints[i] = memoryCheckpoint{size: size, text: append([]byte(nil), text...)}
	return nil
}

// Checkpoints calls fn for every stored checkpoint, smallest tree first.
func (m *Memory) Checkpoints(ctx context.Context, fn func(size int64, text []byte) error) error {
	m.mu.Lock()
	cps := append([]memoryCheckpoint(nil), m.checkpoints...)
	m.mu.Unlock()
	for _, c := range cps {
		if err := fn(c.size, c.text); err != nil {
			return err
		}
	}
	return nil
}
