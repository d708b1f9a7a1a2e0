package audit

import (
	"context"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// mth is RFC 6962's Merkle Tree Hash written out from section 2.1, to
// check tlog and Append against something that shares no code with them.
func mth(leaves [][]byte) tlog.Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := mth(leaves[:k]), mth(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestAppendMatchesRFC6962(t *testing.T) {
	ctx := context.Background()
	signer, _ := testKey(t)
	m := newLog(t, 0, signer)
	for i := 0; i < 70; i++ {
		e, err := Append(ctx, m, testEntry(i))
		if err != nil {
			t.Fatal(err)
		}
		if e.Index != int64(i) {
			t.Fatalf("Append returned index %d, want %d", e.Index, i)
		}
		data, _ := m.Entry(ctx, e.Index)
		if want, _ := Encode(e); string(data) != string(want) {
			t.Fatalf("entry %d stored as %s, want %s", i, data, want)
		}
		if got, want := int64(len(m.hashes)), tlog.StoredHashCount(int64(i+1)); got != want {
			t.Fatalf("after %d entries, %d stored hashes, want %d", i+1, got, want)
		}
		got, err := TreeHash(ctx, m, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if want := mth(m.entries); got != want {
			t.Fatalf("root after %d entries = %v, RFC 6962 gives %v", i+1, got, want)
		}
	}
}

func TestMemoryRefusesFork(t *testing.T) {
	ctx := context.Background()
	signer, _ := testKey(t)
	m := newLog(t, 3, signer)
	data, _ := Encode(testEntry(9))
	err := m.AppendEntry(ctx, 2, data, []tlog.Hash{tlog.RecordHash(data)})
	if !errors.Is(err, dueprocess.ErrConflict) {
		t.Errorf("AppendEntry at an old index: error %v, want a conflict", err)
	}
}

func TestProofs(t *testing.T) {
	const max = 256
	ctx := context.Background()
	signer, _ := testKey(t)
	m := newLog(t, max, signer)
	plain := plainReader(m)

	roots := make([]tlog.Hash, max+1)
	for n := int64(1); n <= max; n++ {
		var err error
		if roots[n], err = TreeHash(ctx, m, n); err != nil {
			t.Fatal(err)
		}
		if want := mth(m.entries[:n]); roots[n] != want {
			t.Fatalf("root of size %d = %v, RFC 6962 gives %v", n, roots[n], want)
		}
	}

	for n := int64(1); n <= max; n++ {
		for i := int64(0); i < n; i++ {
			p, err := InclusionProof(ctx, m, i, n)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, n, err)
			}
			want, err := tlog.ProveRecord(n, i, plain)
			if err != nil {
				t.Fatal(err)
			}
			if !equalHashes(p, want) {
				t.Fatalf("InclusionProof(%d, %d) differs from tlog.ProveRecord", i, n)
			}
			back, err := DecodeHashes(EncodeHashes(p))
			if err != nil || !equalHashes(back, p) {
				t.Fatalf("DecodeHashes(EncodeHashes(proof %d, %d)) = %v, %v", i, n, back, err)
			}
			leaf := tlog.RecordHash(m.entries[i])
			if err := tlog.CheckRecord(tlog.RecordProof(back), n, roots[n], i, leaf); err != nil {
				t.Fatalf("inclusion proof of %d in %d does not verify: %v", i, n, err)
			}
			if err := tlog.CheckRecord(p, n, roots[n], i, tlog.RecordHash(m.entries[(i+1)%n])); err == nil && n > 1 {
				t.Fatalf("inclusion proof of %d in %d verifies another entry", i, n)
			}
		}
		for old := int64(1); old <= n; old++ {
			p, err := ConsistencyProof(ctx, m, old, n)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", old, n, err)
			}
			want, err := tlog.ProveTree(n, old, plain)
			if err != nil {
				t.Fatal(err)
			}
			if !equalHashes(p, want) {
				t.Fatalf("ConsistencyProof(%d, %d) differs from tlog.ProveTree", old, n)
			}
			back, err := DecodeHashes(EncodeHashes(p))
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(tlog.TreeProof(back), n, roots[n], old, roots[old]); err != nil {
				t.Fatalf("consistency proof %d to %d does not verify: %v", old, n, err)
			}
			if old > 1 && old < n {
				if err := tlog.CheckTree(p, n, roots[n], old, roots[old-1]); err == nil {
					t.Fatalf("consistency proof %d to %d verifies the wrong old root", old, n)
				}
			}
		}
	}
}

func equalHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProofArguments(t *testing.T) {
	ctx := context.Background()
	signer, _ := testKey(t)
	m := newLog(t, 10, signer)
	for _, tc := range []struct {
		index, size int64
		field       string
	}{
		{0, 0, "size"}, {-1, 5, "index"}, {5, 5, "index"}, {9, 3, "index"},
	} {
		_, err := InclusionProof(ctx, m, tc.index, tc.size)
		if got := dueprocess.ErrorField(err); got != tc.field || dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("InclusionProof(%d, %d) error %v, want invalid %s", tc.index, tc.size, err, tc.field)
		}
	}
	for _, tc := range []struct {
		old, new int64
		field    string
	}{
		{0, 5, "old"}, {6, 5, "new"},
	} {
		_, err := ConsistencyProof(ctx, m, tc.old, tc.new)
		if got := dueprocess.ErrorField(err); got != tc.field || dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("ConsistencyProof(%d, %d) error %v, want invalid %s", tc.old, tc.new, err, tc.field)
		}
	}
	if _, err := InclusionProof(ctx, m, 3, 11); !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("InclusionProof beyond the log: error %v, want not found", err)
	}
	for _, s := range []string{"", "AAAA", "!!", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV="} {
		if _, err := DecodeHashes([]string{s}); err == nil {
			t.Errorf("DecodeHashes(%q) succeeded", s)
		}
	}
}

// TestOutsiderChecks does what docs/audit.md tells an auditor to do, with
// only tlog, note and what the API serves: a checkpoint, an entry's bytes
// and base64 proofs.
func TestOutsiderChecks(t *testing.T) {
	ctx := context.Background()
	m := newLog(t, 40, nil)
	// The server's key, and the verifier key it prints.
	signer, _, printed, err := CreateKey(t.TempDir(), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	lastWeek, _ := NewCheckpoint(ctx, m, signer, testOrigin, 17)
	today, _ := NewCheckpoint(ctx, m, signer, testOrigin, 40)
	const index = 11
	entry, _ := m.Entry(ctx, index)
	incl, _ := InclusionProof(ctx, m, index, 40)
	cons, _ := ConsistencyProof(ctx, m, 17, 40)
	served := struct{ incl, cons []string }{EncodeHashes(incl), EncodeHashes(cons)}

	// The auditor's side.
	open := func(msg []byte) (int64, tlog.Hash) {
		v, err := note.NewVerifier(printed)
		if err != nil {
			t.Fatal(err)
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(n.Text, "\n", 4)
		size, err := strconv.ParseInt(lines[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		root, err := tlog.ParseHash(lines[2])
		if err != nil {
			t.Fatal(err)
		}
		return size, root
	}
	parse := func(ss []string) []tlog.Hash {
		var hs []tlog.Hash
		for _, s := range ss {
			h, err := tlog.ParseHash(s)
			if err != nil {
				t.Fatal(err)
			}
			hs = append(hs, h)
		}
		return hs
	}
	oldSize, oldRoot := open(lastWeek)
	newSize, newRoot := open(today)
	if err := tlog.CheckRecord(parse(served.incl), newSize, newRoot, index, tlog.RecordHash(entry)); err != nil {
		t.Errorf("entry %d not proved in today's checkpoint: %v", index, err)
	}
	if err := tlog.CheckTree(parse(served.cons), newSize, newRoot, oldSize, oldRoot); err != nil {
		t.Errorf("today's checkpoint does not extend last week's: %v", err)
	}
}
