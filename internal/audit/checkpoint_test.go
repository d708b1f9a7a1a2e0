package audit

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

func TestCheckpointRoundTrip(t *testing.T) {
	signer, verifier := testKey(t)
	root := tlog.RecordHash([]byte("x"))
	msg, err := Sign(signer, testOrigin, 42, root)
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(msg), "\n\n")
	if want := testOrigin + "\n42\n" + root.String(); text != want {
		t.Errorf("checkpoint text = %q, want %q", text, want)
	}
	size, got, err := OpenCheckpoint(msg, verifier, testOrigin)
	if err != nil || size != 42 || got != root {
		t.Errorf("OpenCheckpoint = %d, %v, %v; want 42, %v", size, got, err, root)
	}

	// What an outsider does with note and tlog alone.
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(n.Text, testOrigin+"\n") {
		t.Errorf("note text %q does not start with the origin", n.Text)
	}

	// C2SP allows extension lines; they are signed, and ignored.
	ext, err := note.Sign(&note.Note{Text: testOrigin + "\n42\n" + root.String() + "\nextension\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if size, got, err := OpenCheckpoint(ext, verifier, testOrigin); err != nil || size != 42 || got != root {
		t.Errorf("OpenCheckpoint(with extension) = %d, %v, %v", size, got, err)
	}

	// A witness's cosignature is allowed.
	witness, _ := testKeyNamed(t, "witness.example")
	cosigned, err := note.Sign(&note.Note{Text: text + "\n", Sigs: n.Sigs}, witness)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenCheckpoint(cosigned, verifier, testOrigin); err != nil {
		t.Errorf("OpenCheckpoint(cosigned): %v", err)
	}
}

func testKeyNamed(t *testing.T, name string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	return s, v
}

func TestCheckpointRejects(t *testing.T) {
	signer, verifier := testKey(t)
	other, _ := testKey(t)
	root := tlog.RecordHash([]byte("x"))
	sign := func(text string, s note.Signer) []byte {
		msg, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	good, _ := Sign(signer, testOrigin, 7, root)
	for name, msg := range map[string][]byte{
		"other key":       func() []byte { m, _ := Sign(other, testOrigin, 7, root); return m }(),
		"other origin":    func() []byte { m, _ := Sign(signer, "elsewhere", 7, root); return m }(),
		"two lines":       sign(testOrigin+"\n7\n", signer),
		"size +7":         sign(testOrigin+"\n+7\n"+root.String()+"\n", signer),
		"size 07":         sign(testOrigin+"\n07\n"+root.String()+"\n", signer),
		"size -1":         sign(testOrigin+"\n-1\n"+root.String()+"\n", signer),
		"short root":      sign(testOrigin+"\n7\nAAAA\n", signer),
		"loose root":      sign(testOrigin+"\n7\n"+root.String()[:42]+"Z=\n", signer),
		"no signature":    []byte(testOrigin + "\n7\n" + root.String() + "\n"),
		"unsigned, blank": []byte(testOrigin + "\n7\n" + root.String() + "\n\n"),
		"truncated":       good[:len(good)-1],
		"empty":           nil,
	} {
		if size, _, err := OpenCheckpoint(msg, verifier, testOrigin); err == nil {
			t.Errorf("OpenCheckpoint(%s) = size %d, want an error", name, size)
		}
	}
	for _, origin := range []string{"", "a\nb", "a\x00"} {
		if _, err := Sign(signer, origin, 1, root); err == nil {
			t.Errorf("Sign with origin %q succeeded", origin)
		}
	}
}

func TestCreateAndLoadKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if _, _, _, err := LoadKey(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadKey of a missing key: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadKey created %s (%v); it must never create anything", dir, err)
	}
	s1, v1, vkey1, err := CreateKey(dir, "dp.example")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	if !strings.HasPrefix(vkey1, "dp.example+") || v1.Name() != "dp.example" || s1.Name() != "dp.example" {
		t.Errorf("key named %q / %q / %q, want dp.example", vkey1, v1.Name(), s1.Name())
	}

	// A second CreateKey never replaces the key, whatever name it passes.
	if _, _, _, err := CreateKey(dir, "renamed.example"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateKey over an existing key: %v, want fs.ErrExist", err)
	}
	s2, _, vkey2, err := LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if vkey2 != vkey1 {
		t.Errorf("LoadKey gave verifier key %q, want %q", vkey2, vkey1)
	}

	// What one signs, the other's verifier and the printed key accept.
	msg, err := Sign(s2, testOrigin, 3, tlog.Hash{1})
	if err != nil {
		t.Fatal(err)
	}
	printed, err := note.NewVerifier(vkey1)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []note.Verifier{v1, printed} {
		if _, _, err := OpenCheckpoint(msg, v, testOrigin); err != nil {
			t.Errorf("checkpoint signed with the reloaded key: %v", err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("data directory holds %d files, want only %s", len(entries), KeyFile)
	}
}

// TestCreateKeyConcurrently: of servers starting at once on one data
// directory, exactly one creates the key and the others are told it exists.
func TestCreateKeyConcurrently(t *testing.T) {
	dir := t.TempDir()
	const n = 50
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, _, _, err := CreateKey(dir, "dp.example")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	created := 0
	for err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, fs.ErrExist):
			t.Errorf("CreateKey: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d of %d concurrent CreateKey calls created a key, want 1", created, n)
	}
	if _, _, _, err := LoadKey(dir); err != nil {
		t.Error(err)
	}
}

// TestCheckKey: a key may sign a log with no checkpoint, or one whose latest
// checkpoint it signed; any other key is refused, naming both keys, and the
// Checkpointer signs nothing with it.
func TestCheckKey(t *testing.T) {
	ctx := context.Background()
	m := checkpointMemory{newLog(t, 5, nil)}
	ours, _, _, err := CreateKey(t.TempDir(), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	stray, _, _, err := CreateKey(t.TempDir(), testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []note.Signer{ours, stray} {
		if err := CheckKey(ctx, m, s); err != nil {
			t.Errorf("CheckKey on a log with no checkpoint: %v", err)
		}
	}
	cp := &Checkpointer{Store: m, Signer: ours, Origin: testOrigin}
	if _, _, err := cp.Latest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := CheckKey(ctx, m, ours); err != nil {
		t.Errorf("CheckKey with the log's own key: %v", err)
	}
	err = CheckKey(ctx, m, stray)
	var wrong *WrongKeyError
	if !errors.As(err, &wrong) || wrong.Log != KeyID(ours.Name(), ours.KeyHash()) || wrong.Key != KeyID(stray.Name(), stray.KeyHash()) {
		t.Fatalf("CheckKey with a stray key: %v, want a WrongKeyError naming both keys", err)
	}

	// A witness's cosignature does not make its key the log's.
	witness, _, _, err := CreateKey(t.TempDir(), "witness.example")
	if err != nil {
		t.Fatal(err)
	}
	_, text, _ := m.LatestCheckpoint(ctx)
	n := &note.Note{Text: strings.SplitN(string(text), "\n\n", 2)[0] + "\n"}
	signed, err := note.Sign(n, ours, witness)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, witness, ours)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range [][]byte{signed, cosigned} {
		if got, err := CheckpointKey(msg); err != nil || got != KeyID(ours.Name(), ours.KeyHash()) {
			t.Errorf("CheckpointKey of a cosigned checkpoint = %q, %v; want the log's key", got, err)
		}
	}

	// The log grows; a Checkpointer holding the stray key refuses to sign.
	for i := 5; i < 8; i++ {
		if _, err := Append(ctx, m, testEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	stored := checkpointCount(t, m)
	bad := &Checkpointer{Store: m, Signer: stray, Origin: testOrigin}
	if _, _, err := bad.Latest(ctx); !errors.As(err, &wrong) {
		t.Errorf("Checkpointer with a stray key: %v, want a WrongKeyError", err)
	}
	if got := checkpointCount(t, m); got != stored {
		t.Errorf("the stray key stored a checkpoint: %d checkpoints, want %d", got, stored)
	}
	if size, _, err := cp.Latest(ctx); err != nil || size != 8 {
		t.Errorf("the log's own key after the refusal: size %d, %v; want 8", size, err)
	}
}

func TestLoadKeyRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := t.TempDir()
	if _, _, _, err := CreateKey(dir, ""); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := LoadKey(dir)
		if err == nil {
			t.Fatalf("LoadKey accepted a key file of mode %04o", mode)
		}
		if !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), path) {
			t.Errorf("error for mode %04o does not say what to do: %v", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadKey(dir); err != nil {
		t.Errorf("LoadKey refused a key of mode 0400: %v", err)
	}
}

func TestLoadKeyRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFile)
	for _, content := range []string{"", "not a key\n", "PRIVATE+KEY+x+00000000+AAAA\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := LoadKey(dir); err == nil {
			t.Errorf("LoadKey accepted key file %q", content)
		}
	}
}

// checkpointMemory makes a Memory a CheckpointStore, as the database is.
type checkpointMemory struct{ *Memory }

func (m checkpointMemory) SaveCheckpoint(ctx context.Context, size int64, text []byte) error {
	return m.AddCheckpoint(size, text)
}

func (m checkpointMemory) LatestCheckpoint(ctx context.Context) (size int64, text []byte, err error) {
	err = m.Checkpoints(ctx, func(s int64, t []byte) error { size, text = s, t; return nil })
	if err == nil && text == nil {
		err = dueprocess.Errorf(dueprocess.NotFound, "no checkpoint")
	}
	return size, text, err
}

func checkpointCount(t *testing.T, m checkpointMemory) int {
	t.Helper()
	n := 0
	if err := m.Checkpoints(context.Background(), func(int64, []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
