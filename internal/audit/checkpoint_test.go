package audit

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
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

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s1, v1, vkey1, err := LoadOrCreateKey(dir, "dp.example")
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

	// Stable across restarts, whatever name is passed later.
	s2, _, vkey2, err := LoadOrCreateKey(dir, "renamed.example")
	if err != nil {
		t.Fatal(err)
	}
	if vkey2 != vkey1 {
		t.Errorf("second load gave verifier key %q, want %q", vkey2, vkey1)
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

func TestLoadOrCreateKeyRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := t.TempDir()
	if _, _, _, err := LoadOrCreateKey(dir, ""); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := LoadOrCreateKey(dir, "")
		if err == nil {
			t.Fatalf("LoadOrCreateKey accepted a key file of mode %04o", mode)
		}
		if !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), path) {
			t.Errorf("error for mode %04o does not say what to do: %v", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadOrCreateKey(dir, ""); err != nil {
		t.Errorf("LoadOrCreateKey refused a key of mode 0400: %v", err)
	}
}

func TestLoadOrCreateKeyRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFile)
	for _, content := range []string{"", "not a key\n", "PRIVATE+KEY+x+00000000+AAAA\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := LoadOrCreateKey(dir, ""); err == nil {
			t.Errorf("LoadOrCreateKey accepted key file %q", content)
		}
	}
}
