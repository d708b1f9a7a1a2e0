package audit

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

const testOrigin = "example.com/dueprocess"

// testKey returns a fresh signer and verifier named as the test origin.
func testKey(t testing.TB) (note.Signer, note.Verifier) {
	t.Helper()
	return keyFrom(t, rand.Reader, testOrigin)
}

// keyFrom makes a signer and verifier named name from the randomness in r.
func keyFrom(t testing.TB, r io.Reader, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(r, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

var actions = []string{
	"request.created", "document.added", "request.status_changed", "jurisdiction.paused",
	"agency.created", "official.created", "staff.created", "token.issued", "token.revoked",
	"signin", "signin.failed", "request.viewed",
}

// testEntry returns a realistic entry, different for each i.
func testEntry(i int) Entry {
	actor := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: fmt.Sprintf("st_%04d", i%7)}
	if i%5 == 0 {
		actor = dueprocess.System
	}
	body, _ := json.Marshal(map[string]any{
		"request_id": fmt.Sprintf("DP-2026-%06d", i),
		"status":     "in_review",
		"seq":        i,
	})
	return Entry{
		Time:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1234567 * time.Microsecond),
		Actor:  actor,
		Action: actions[i%len(actions)],
		Object: fmt.Sprintf("request:DP-2026-%06d", i),
		Body:   body,
	}
}

// newLog returns a Memory holding n test entries and a checkpoint at each
// of the given sizes, which must not exceed n.
func newLog(t testing.TB, n int, signer note.Signer, checkpointsAt ...int64) *Memory {
	t.Helper()
	ctx := context.Background()
	m := NewMemory()
	for i := 0; i < n; i++ {
		if _, err := Append(ctx, m, testEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range checkpointsAt {
		addCheckpoint(t, m, signer, size)
	}
	return m
}

func addCheckpoint(t testing.TB, m *Memory, signer note.Signer, size int64) {
	t.Helper()
	cp, err := NewCheckpoint(context.Background(), m, signer, testOrigin, size)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddCheckpoint(size, cp); err != nil {
		t.Fatal(err)
	}
}

// clone returns a deep copy of m, to tamper with.
func (m *Memory) clone() *Memory {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &Memory{hashes: append([]tlog.Hash(nil), m.hashes...)}
	for _, e := range m.entries {
		c.entries = append(c.entries, append([]byte(nil), e...))
	}
	for _, cp := range m.checkpoints {
		c.checkpoints = append(c.checkpoints, memoryCheckpoint{cp.size, append([]byte(nil), cp.text...)})
	}
	return c
}

// plainReader serves the stored hashes of m as a tlog.HashReader, without
// going through this package.
func plainReader(m *Memory) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = m.hashes[x]
		}
		return out, nil
	})
}
