package audit

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// fixedKey returns a signer and verifier from a fixed seed, so that the
// checkpoints in a fuzz corpus stay signed by the key the next run checks.
func fixedKey(t testing.TB, name string) (note.Signer, note.Verifier) {
	t.Helper()
	return keyFrom(t, bytes.NewReader(bytes.Repeat([]byte(name), 64)), name)
}

// FuzzOpenCheckpoint feeds arbitrary bytes to OpenCheckpoint, which every
// auditor and witness runs on what a server hands them. It must not panic
// and must answer quickly; what it accepts must be a note signed by the
// key whose text starts with the origin, the size in its one decimal
// spelling and the root in its one base64 spelling.
func FuzzOpenCheckpoint(f *testing.F) {
	signer, verifier := fixedKey(f, testOrigin)
	witness, _ := fixedKey(f, "witness.example")
	root := tlog.RecordHash([]byte("x"))
	for _, size := range []int64{0, 1, 42, 1 << 40} {
		msg, err := Sign(signer, testOrigin, size, root)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	ext, _ := note.Sign(&note.Note{Text: testOrigin + "\n42\n" + root.String() + "\nextension\n"}, signer)
	f.Add(ext)
	both, _ := note.Sign(&note.Note{Text: testOrigin + "\n7\n" + root.String() + "\n"}, signer, witness)
	f.Add(both)
	other, _ := note.Sign(&note.Note{Text: "other.example\n7\n" + root.String() + "\n"}, signer)
	f.Add(other)
	f.Add([]byte(testOrigin + "\n07\n" + root.String() + "\n\n— " + testOrigin + " AAAA\n"))

	f.Fuzz(func(t *testing.T, msg []byte) {
		start := time.Now()
		size, got, err := OpenCheckpoint(msg, verifier, testOrigin)
		CheckpointKey(msg) // reads unverified text: it must not panic either
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(msg), d)
		}
		if err != nil {
			return
		}
		n, err := note.Open(msg, note.VerifierList(verifier))
		if err != nil {
			t.Fatalf("accepted a checkpoint that note does not open: %v", err)
		}
		want := testOrigin + "\n" + strconv.FormatInt(size, 10) + "\n" + got.String() + "\n"
		if size < 0 || !strings.HasPrefix(n.Text, want) {
			t.Fatalf("accepted size %d root %v from text %q", size, got, n.Text)
		}
	})
}

// FuzzProof fuzzes what the proof endpoints take from outsiders: the two
// numbers of an inclusion or a consistency proof, asked of a log of 13
// entries, and a proof's hashes as an auditor's verifier reads them back.
// Every pair of numbers gives a proof that checks, or an Invalid error
// naming the field at fault, or a failure to read past the log; hashes
// that decode encode back to exactly the same text, and tlog checks any
// decoded proof without panicking.
func FuzzProof(f *testing.F) {
	const n = 13
	signer, _ := fixedKey(f, testOrigin)
	m := newLog(f, n, signer)
	ctx := context.Background()
	f.Add(int64(0), int64(1), "")
	f.Add(int64(5), int64(13), "")
	f.Add(int64(12), int64(13), "")
	f.Add(int64(13), int64(13), "")
	f.Add(int64(3), int64(14), "")
	f.Add(int64(-1), int64(-9223372036854775808), "")
	f.Add(int64(9223372036854775807), int64(9223372036854775807), "")
	proof, _ := InclusionProof(ctx, m, 5, n)
	f.Add(int64(5), int64(n), strings.Join(EncodeHashes(proof), ","))
	f.Add(int64(5), int64(n), "AAAA,"+tlog.RecordHash(nil).String()+"=")

	f.Fuzz(func(t *testing.T, a, b int64, hashes string) {
		start := time.Now()
		size, err := m.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		root, err := TreeHash(ctx, m, min(max(b, 1), size))
		if err != nil {
			t.Fatal(err)
		}
		if p, err := InclusionProof(ctx, m, a, b); err == nil {
			leaf, _ := m.ReadHashes(ctx, []int64{tlog.StoredHashIndex(0, a)})
			if b > size || tlog.CheckRecord(p, b, root, a, leaf[0]) != nil {
				t.Fatalf("inclusion of %d in %d: a proof that does not check", a, b)
			}
		} else {
			checkProofError(t, err, b > size, "index", "size")
		}
		if p, err := ConsistencyProof(ctx, m, a, b); err == nil {
			oldRoot, _ := TreeHash(ctx, m, a)
			if b > size || tlog.CheckTree(p, b, root, a, oldRoot) != nil {
				t.Fatalf("consistency of %d with %d: a proof that does not check", a, b)
			}
		} else {
			checkProofError(t, err, b > size, "old", "new")
		}

		var ss []string
		if hashes != "" {
			ss = strings.Split(hashes, ",")
		}
		hs, err := DecodeHashes(ss)
		if err == nil {
			if again := strings.Join(EncodeHashes(hs), ","); again != hashes {
				t.Fatalf("hashes %q encode back as %q", hashes, again)
			}
			// What a verifier does with a proof it was served.
			tlog.CheckRecord(tlog.RecordProof(hs), b, root, a, root)
			tlog.CheckTree(tlog.TreeProof(hs), b, root, a, root)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// checkProofError checks that a refused proof is refused as the API
// promises: an Invalid error naming one of fields, or, for a size beyond
// the log, a failure to read it.
func checkProofError(t *testing.T, err error, beyond bool, fields ...string) {
	t.Helper()
	var de *dueprocess.Error
	if errors.As(err, &de) && de.Kind == dueprocess.Invalid && (de.Field == fields[0] || de.Field == fields[1]) {
		return
	}
	if !beyond {
		t.Fatalf("not an Invalid error naming %v: %v", fields, err)
	}
}

// TestHugeTreeSizesRefused is what FuzzProof found: tlog loops forever on a
// tree of more than 1<<62 entries, so a checkpoint, a proof or a root of
// such a size would hang whoever computed or checked it. Each is now
// refused at once. The test fails by timing out on the code before.
func TestHugeTreeSizesRefused(t *testing.T) {
	ctx := context.Background()
	signer, verifier := fixedKey(t, testOrigin)
	m := newLog(t, 3, signer)
	huge := int64(MaxTreeSize + 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := TreeHash(ctx, m, huge); err == nil {
			t.Error("TreeHash of a huge tree")
		}
		if _, err := InclusionProof(ctx, m, 0, huge); dueprocess.ErrorField(err) != "size" {
			t.Errorf("InclusionProof in a huge tree: %v", err)
		}
		if _, err := ConsistencyProof(ctx, m, 1, huge); dueprocess.ErrorField(err) != "new" {
			t.Errorf("ConsistencyProof to a huge tree: %v", err)
		}
		if _, err := ConsistencyProof(ctx, m, huge, huge); dueprocess.ErrorField(err) != "new" {
			t.Errorf("ConsistencyProof between huge trees: %v", err)
		}
		if _, err := Sign(signer, testOrigin, huge, tlog.Hash{}); err == nil {
			t.Error("Sign of a huge tree")
		}
		msg, err := note.Sign(&note.Note{Text: testOrigin + "\n" + strconv.FormatInt(huge, 10) + "\n" + tlog.Hash{}.String() + "\n"}, signer)
		if err != nil {
			t.Error(err)
			return
		}
		if _, _, err := OpenCheckpoint(msg, verifier, testOrigin); err == nil || !strings.Contains(err.Error(), "is over") {
			t.Errorf("OpenCheckpoint of a huge tree: %v", err)
		}
		// The largest size is still taken: it fails only for want of
		// entries.
		if _, err := InclusionProof(ctx, m, 0, MaxTreeSize); err == nil || dueprocess.ErrorField(err) == "size" {
			t.Errorf("InclusionProof in the largest tree: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a huge tree size hangs")
	}
}
