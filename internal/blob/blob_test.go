package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
)

func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4\nhello\n%%EOF\n")
	ref, err := s.Put(ctx, bytes.NewReader(content), 1<<20, CheckPDF)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Size != int64(len(content)) || ref.SHA256 != sha256hex(content) {
		t.Errorf("ref = %+v", ref)
	}
	// At rest the file is encrypted: the plaintext does not appear.
	raw, err := os.ReadFile(filepath.Join(dir, "sha256", ref.SHA256[:2], ref.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("hello")) || !bytes.HasPrefix(raw, []byte("age-encryption.org/v1")) {
		t.Errorf("stored file is not age-encrypted:\n%q", raw[:min(len(raw), 80)])
	}
	// A store reopened with the same key reads it back.
	s2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := s2.Get(ctx, ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("Get = %q, %v; want %q", got, err, content)
	}
	// Storing the same content again is a no-op with the same address.
	if again, err := s.Put(ctx, bytes.NewReader(content), 1<<20, nil); err != nil || again != ref {
		t.Errorf("second Put = %+v, %v; want %+v", again, err, ref)
	}
	if _, err := s.Get(ctx, strings.Repeat("0", 64)); !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("Get of a missing blob: %v, want not found", err)
	}
}

func TestPutRefusals(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		max     int64
		kind    dueprocess.Kind
	}{
		{"not a PDF", "GIF89a....%%EOF", 100, dueprocess.Invalid},
		{"truncated PDF", "%PDF-1.4\nhalf a file", 100, dueprocess.Invalid},
		{"empty", "", 100, dueprocess.Invalid},
		{"too large", "%PDF-1.4\n" + strings.Repeat("x", 200) + "%%EOF", 100, dueprocess.TooLarge},
	}
	for _, tt := range tests {
		_, err := s.Put(ctx, strings.NewReader(tt.content), tt.max, CheckPDF)
		if dueprocess.ErrorKind(err) != tt.kind {
			t.Errorf("%s: err = %v, want kind %s", tt.name, err, tt.kind)
		}
	}
	// Nothing was kept, not even a temporary file.
	var files []string
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && fi.Name() != "blob.key" {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("refused uploads left files: %v", files)
	}
}

func TestTamperedBlobIsDetected(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	a, _ := s.Put(ctx, strings.NewReader("%PDF-1 first %%EOF"), 100, nil)
	b, _ := s.Put(ctx, strings.NewReader("%PDF-1 second %%EOF"), 100, nil)
	// Put b's (validly encrypted) content under a's address.
	pa := filepath.Join(dir, "sha256", a.SHA256[:2], a.SHA256)
	pb := filepath.Join(dir, "sha256", b.SHA256[:2], b.SHA256)
	raw, _ := os.ReadFile(pb)
	os.WriteFile(pa, raw, 0o600)
	rc, err := s.Get(ctx, a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("reading a swapped blob: err = %v, want it detected", err)
	}
}

func TestKeyPermissions(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "blob.key")
	fi, err := os.Stat(key)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	os.Chmod(key, 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Open with a world-readable key: %v, want a refusal", err)
	}
}

var ctx = context.Background()

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
