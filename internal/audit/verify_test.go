package audit

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// The small log that the tampering tests change in every way they can.
const tamperSize = 13

var tamperCheckpoints = []int64{0, 1, 5, 8, tamperSize}

func tamperLog(t *testing.T) (*Memory, note.Signer, note.Verifier) {
	t.Helper()
	signer, verifier := testKey(t)
	return newLog(t, tamperSize, signer, tamperCheckpoints...), signer, verifier
}

// mustFail runs Verify on src and returns its *VerifyError, failing the
// test if verification passes or fails some other way.
func mustFail(t *testing.T, src Source, verifier note.Verifier, what string) *VerifyError {
	t.Helper()
	rep, err := Verify(context.Background(), src, verifier, testOrigin, nil)
	if err == nil {
		t.Fatalf("%s: Verify passed (%+v)", what, rep)
	}
	var verr *VerifyError
	if !errors.As(err, &verr) {
		t.Fatalf("%s: Verify error %v is not a *VerifyError", what, err)
	}
	return verr
}

func wantEntry(t *testing.T, verr *VerifyError, index int64, what string) {
	t.Helper()
	if verr.Index != index {
		t.Fatalf("%s: Verify blamed %v, want entry %d", what, verr, index)
	}
}

func wantCheckpoint(t *testing.T, verr *VerifyError, size int64, what string) {
	t.Helper()
	if verr.Index != -1 || verr.Checkpoint != size {
		t.Fatalf("%s: Verify blamed %v, want the checkpoint at size %d", what, verr, size)
	}
}

// mutations returns the different values to try in place of b.
func mutations(b byte) []byte {
	var out []byte
	for _, c := range []byte{b ^ 0x01, b ^ 0x20, b ^ 0x80, '0', 'A', '"', '\n', ' ', 0} {
		if c != b {
			out = append(out, c)
		}
	}
	return out
}

func TestVerifyHonestLog(t *testing.T) {
	ctx := context.Background()
	signer, verifier := testKey(t)
	// Big enough to cross several batches, with checkpoints at and around
	// batch boundaries and powers of two.
	const n = 3*verifyBatch + 17
	cps := []int64{1, 2, 3, 255, 256, 257, verifyBatch, verifyBatch + 1, 1024, n}
	m := newLog(t, n, signer, cps...)
	var calls, last int64
	rep, err := Verify(ctx, m, verifier, testOrigin, func(done, total int64) {
		calls++
		if done <= last || total != n {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := TreeHash(ctx, m, n)
	var bytes int64
	for _, e := range m.entries {
		bytes += int64(len(e))
	}
	want := Report{Entries: n, Bytes: bytes, Size: n, Root: root, Checkpoints: len(cps), LastCheckpoint: n}
	if rep != want {
		t.Errorf("Verify = %+v, want %+v", rep, want)
	}
	if last != n || calls != 4 {
		t.Errorf("progress called %d times, last with %d; want 4 times, last with %d", calls, last, n)
	}

	empty, err := Verify(ctx, NewMemory(), verifier, testOrigin, nil)
	if err != nil || empty.Size != 0 || empty.Root != mth(nil) {
		t.Errorf("Verify(empty) = %+v, %v", empty, err)
	}
}

func TestVerifyCatchesChangedEntryBytes(t *testing.T) {
	m, _, verifier := tamperLog(t)
	tried := 0
	for i := range m.entries {
		for j := range m.entries[i] {
			orig := m.entries[i][j]
			for _, c := range mutations(orig) {
				m.entries[i][j] = c
				verr := mustFail(t, m, verifier, "changed entry byte")
				wantEntry(t, verr, int64(i), "changed entry byte")
				tried++
			}
			m.entries[i][j] = orig
		}
	}
	if _, err := Verify(context.Background(), m, verifier, testOrigin, nil); err != nil {
		t.Fatalf("restored log fails: %v", err)
	}
	t.Logf("caught %d of %d changed bytes", tried, tried)
}

func TestVerifyCatchesRewrittenEntry(t *testing.T) {
	// Whoever can write to the database can change an entry and recompute
	// every stored hash after it; the checkpoints catch that.
	ctx := context.Background()
	orig, _, verifier := tamperLog(t)
	for i := 0; i < tamperSize; i++ {
		m := NewMemory()
		for k := 0; k < tamperSize; k++ {
			e := testEntry(k)
			if k == i {
				e.Object = "request:DP-2026-999999"
			}
			if _, err := Append(ctx, m, e); err != nil {
				t.Fatal(err)
			}
		}
		m.checkpoints = orig.clone().checkpoints
		verr := mustFail(t, m, verifier, "rewritten entry")
		var first int64
		for _, s := range tamperCheckpoints {
			if s > int64(i) {
				first = s
				break
			}
		}
		wantCheckpoint(t, verr, first, "rewritten entry")
	}
}

func TestVerifyCatchesChangedStoredHash(t *testing.T) {
	m, _, verifier := tamperLog(t)
	var owner int64
	for x := range m.hashes {
		for owner+1 < tamperSize && tlog.StoredHashIndex(0, owner+1) <= int64(x) {
			owner++
		}
		for _, bit := range []int{0, 77, 255} {
			orig := m.hashes[x]
			m.hashes[x][bit/8] ^= 1 << (bit % 8)
			verr := mustFail(t, m, verifier, "changed stored hash")
			wantEntry(t, verr, owner, "changed stored hash")
			m.hashes[x] = orig
		}
	}
}

func TestVerifyCatchesChangedCheckpoint(t *testing.T) {
	m, _, verifier := tamperLog(t)
	tried := 0
	for k := range m.checkpoints {
		text := m.checkpoints[k].text
		for j := range text {
			orig := text[j]
			for _, c := range mutations(orig) {
				text[j] = c
				verr := mustFail(t, m, verifier, "changed checkpoint byte")
				wantCheckpoint(t, verr, m.checkpoints[k].size, "changed checkpoint byte")
				tried++
			}
			text[j] = orig
		}
	}
	t.Logf("caught %d of %d changed bytes", tried, tried)

	// Every spelling of the last signature character, not just the ones
	// above: base64 leaves its low bits unused.
	for k := range m.checkpoints {
		text := m.checkpoints[k].text
		j := len(text) - 3 // before "=\n"
		orig := text[j]
		for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
			if c == orig {
				continue
			}
			text[j] = c
			verr := mustFail(t, m, verifier, "respelled signature")
			wantCheckpoint(t, verr, m.checkpoints[k].size, "respelled signature")
		}
		text[j] = orig
	}
}

func TestVerifyCatchesCheckpointUnderWrongSize(t *testing.T) {
	m, _, verifier := tamperLog(t)
	m.checkpoints[2].size++ // the checkpoint of 5 entries now claims 6
	verr := mustFail(t, m, verifier, "checkpoint under the wrong size")
	wantCheckpoint(t, verr, 6, "checkpoint under the wrong size")
}

func TestVerifyCatchesOtherTreeSigned(t *testing.T) {
	ctx := context.Background()
	orig, signer, verifier := tamperLog(t)
	for k, cp := range orig.checkpoints {
		if cp.size == 0 {
			continue
		}
		// A different history of the same length, signed with the right key.
		other := NewMemory()
		for i := int64(0); i < cp.size; i++ {
			e := testEntry(int(i))
			if i == cp.size-1 {
				e.Action = "request.viewed"
				e.Object = "request:DP-2026-000000"
			}
			if _, err := Append(ctx, other, e); err != nil {
				t.Fatal(err)
			}
		}
		forged, err := NewCheckpoint(ctx, other, signer, testOrigin, cp.size)
		if err != nil {
			t.Fatal(err)
		}
		m := orig.clone()
		m.checkpoints[k].text = forged
		verr := mustFail(t, m, verifier, "other tree signed")
		wantCheckpoint(t, verr, cp.size, "other tree signed")
	}
}

func TestVerifyCatchesDeletedEntry(t *testing.T) {
	orig, _, verifier := tamperLog(t)
	for i := 0; i < tamperSize; i++ {
		// The rows after it move up.
		m := orig.clone()
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
		verr := mustFail(t, m, verifier, "deleted entry")
		if i < tamperSize-1 {
			wantEntry(t, verr, int64(i), "deleted entry")
		} else {
			wantCheckpoint(t, verr, tamperSize, "deleted last entry")
		}

		// The row is gone but the head still counts it, as in a database.
		verr = mustFail(t, &skipping{Memory: orig, skip: int64(i)}, verifier, "deleted row")
		wantEntry(t, verr, int64(i), "deleted row")
	}
}

// skipping is a Source whose Entries leaves out one entry.
type skipping struct {
	*Memory
	skip int64
}

func (s *skipping) Entries(ctx context.Context, from, to int64, fn func(int64, []byte) error) error {
	return s.Memory.Entries(ctx, from, to, func(i int64, data []byte) error {
		if i == s.skip {
			return nil
		}
		return fn(i, data)
	})
}

func TestVerifyCatchesSwappedEntries(t *testing.T) {
	orig, _, verifier := tamperLog(t)
	for i := 0; i < tamperSize; i++ {
		for j := i + 1; j < tamperSize; j++ {
			m := orig.clone()
			m.entries[i], m.entries[j] = m.entries[j], m.entries[i]
			verr := mustFail(t, m, verifier, "swapped entries")
			wantEntry(t, verr, int64(i), "swapped entries")
		}
	}
}

func TestVerifyCatchesTruncation(t *testing.T) {
	orig, _, verifier := tamperLog(t)
	for k := int64(0); k < tamperSize; k++ {
		for _, dropHashes := range []bool{false, true} {
			m := orig.clone()
			m.entries = m.entries[:k]
			if dropHashes {
				m.hashes = m.hashes[:tlog.StoredHashIndex(0, k)]
			}
			verr := mustFail(t, m, verifier, "truncated log")
			var first int64
			for _, s := range tamperCheckpoints {
				if s > k {
					first = s
					break
				}
			}
			wantCheckpoint(t, verr, first, "truncated log")
		}
	}
}

func TestVerifyCatchesUnreadableHashes(t *testing.T) {
	orig, _, verifier := tamperLog(t)
	m := orig.clone()
	m.hashes = m.hashes[:tlog.StoredHashIndex(0, 9)+1] // entry 9 wrote more than one
	verr := mustFail(t, m, verifier, "missing stored hashes")
	wantEntry(t, verr, 9, "missing stored hashes")
	if !errors.Is(verr, dueprocess.ErrNotFound) {
		t.Errorf("error %v does not keep the store's not-found", verr)
	}
}

func TestVerifyWrongKeyOrOrigin(t *testing.T) {
	m, _, verifier := tamperLog(t)
	_, stranger := testKey(t)
	verr := mustFail(t, m, stranger, "stranger's key")
	wantCheckpoint(t, verr, 0, "stranger's key")
	if _, err := Verify(context.Background(), m, verifier, "other.example/log", nil); err == nil {
		t.Error("Verify passed with the wrong origin")
	}
}

// growing is a Source that gains entries between Size and Checkpoints,
// as a live database does.
type growing struct {
	*Memory
	first int64
	calls int
}

func (g *growing) Size(ctx context.Context) (int64, error) {
	g.calls++
	if g.calls == 1 {
		return g.first, nil
	}
	return g.Memory.Size(ctx)
}

func TestVerifyLeavesNewerCheckpoints(t *testing.T) {
	m, _, verifier := tamperLog(t)
	rep, err := Verify(context.Background(), &growing{Memory: m, first: 6}, verifier, testOrigin, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Size != 6 || rep.Checkpoints != 3 || rep.LastCheckpoint != 5 || rep.Newer != 2 {
		t.Errorf("Verify of a growing log = %+v, want size 6, 3 checkpoints to 5, 2 newer", rep)
	}
}

func TestVerifyStopsOnCancel(t *testing.T) {
	m, _, verifier := tamperLog(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, m, verifier, testOrigin, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify after cancel: error %v, want context.Canceled", err)
	}
}
