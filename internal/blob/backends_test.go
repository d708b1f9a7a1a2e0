package blob_test

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
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// backendCase is a backend under test, with a way to reach behind it to the
// stored ciphertext, as an attacker with access to the disk or the database
// could.
type backendCase struct {
	name    string
	backend blob.Backend
	raw     func(t *testing.T, sum string) []byte
	setRaw  func(t *testing.T, sum string, b []byte)
}

// TestBlobBackends runs one contract on every backend: what is put comes
// back intact, the same content is stored once, a missing blob is NotFound,
// and any change to the stored ciphertext, or a server with another key,
// is refused on read.
func TestBlobBackends(t *testing.T) {
	for _, name := range []string{"dir", "sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			testBackend(t, openBackend(t, name))
		})
	}
}

func openBackend(t *testing.T, name string) backendCase {
	if name == "dir" {
		dir, err := blob.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return backendCase{
			name:    name,
			backend: dir,
			raw: func(t *testing.T, sum string) []byte {
				b, err := os.ReadFile(dir.Path(sum))
				if err != nil {
					t.Fatal(err)
				}
				return b
			},
			setRaw: func(t *testing.T, sum string, b []byte) {
				if err := os.WriteFile(dir.Path(sum), b, 0o600); err != nil {
					t.Fatal(err)
				}
			},
		}
	}
	db := storetest.Open(t, store.Dialect(name))
	return backendCase{
		name:    name,
		backend: db.Blobs(),
		raw: func(t *testing.T, sum string) []byte {
			var b []byte
			if err := db.SQL().QueryRow(`SELECT ciphertext FROM blobs WHERE sha256 = $1`, sum).Scan(&b); err != nil {
				t.Fatal(err)
			}
			return b
		},
		setRaw: func(t *testing.T, sum string, b []byte) {
			if _, err := db.SQL().Exec(`UPDATE blobs SET ciphertext = $1 WHERE sha256 = $2`, b, sum); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func testBackend(t *testing.T, c backendCase) {
	ctx := context.Background()
	keys := t.TempDir()
	s, err := blob.New(c.backend, filepath.Join(keys, "blob.key"))
	if err != nil {
		t.Fatal(err)
	}
	get := func(s *blob.Store, sum string) ([]byte, error) {
		rc, err := s.Get(ctx, sum)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}

	content := []byte("%PDF-1.4\n" + strings.Repeat("a warrant for the account @example\n", 4000) + "%%EOF\n")
	ref, err := s.Put(ctx, bytes.NewReader(content), 1<<20, blob.CheckPDF)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Size != int64(len(content)) || ref.SHA256 != sum(content) {
		t.Errorf("ref = %+v, want size %d and sha256 %s", ref, len(content), sum(content))
	}
	if got, err := get(s, ref.SHA256); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("Get = %d bytes, %v; want the %d bytes put", len(got), err, len(content))
	}

	// At rest the blob is encrypted: the plaintext does not appear.
	raw := c.raw(t, ref.SHA256)
	if bytes.Contains(raw, []byte("warrant")) || !bytes.HasPrefix(raw, []byte("age-encryption.org/v1")) {
		t.Errorf("stored blob is not age-encrypted:\n%q", raw[:min(len(raw), 80)])
	}

	// The same content, put again and by 50 callers at once, is stored
	// once: each encryption is randomised, so a second copy would show as
	// a change of the stored ciphertext.
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again, err := s.Put(ctx, bytes.NewReader(content), 1<<20, blob.CheckPDF)
			if err == nil && again != ref {
				err = errors.New("a different ref: " + again.SHA256)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Put of the same content: %v", err)
		}
	}
	if after := c.raw(t, ref.SHA256); !bytes.Equal(after, raw) {
		t.Errorf("putting the same content again replaced the stored ciphertext")
	}

	// Delete removes a blob, durably on every backend; deleting it again,
	// or one never stored, does nothing; the key-check blob is kept.
	gone := []byte("%PDF-1.4 a file to delete %%EOF")
	gref, err := s.Put(ctx, bytes.NewReader(gone), 1<<20, blob.CheckPDF)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Delete(ctx, gref.SHA256); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if _, err := get(s, gref.SHA256); !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want not found", err)
	}
	if got, err := get(s, ref.SHA256); err != nil || !bytes.Equal(got, content) {
		t.Errorf("Delete of one blob touched another: %v", err)
	}
	if err := s.Delete(ctx, "../../blob.key"); dueprocess.ErrorKind(err) != dueprocess.Invalid {
		t.Errorf("Delete of a path: %v, want invalid", err)
	}

	// Missing, malformed and refused blobs are not found.
	refused := []byte("GIF89a not a pdf %%EOF")
	if _, err := s.Put(ctx, bytes.NewReader(refused), 100, blob.CheckPDF); dueprocess.ErrorKind(err) != dueprocess.Invalid {
		t.Errorf("Put of a GIF as a PDF: %v, want invalid", err)
	}
	for _, missing := range []string{strings.Repeat("0", 64), sum(refused), "../../blob.key", strings.Repeat("G", 64)} {
		if _, err := get(s, missing); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("Get(%q): %v, want not found", missing, err)
		}
	}

	// A server with another key fails clearly, at start and on read.
	other, err := blob.New(c.backend, filepath.Join(t.TempDir(), "blob.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckKey(ctx); err != nil {
		t.Errorf("CheckKey with the right key: %v", err)
	}
	if err := other.CheckKey(ctx); err == nil || !strings.Contains(err.Error(), "same blob.key") {
		t.Errorf("CheckKey with another key: %v, want a refusal naming blob.key", err)
	}
	if _, err := get(other, ref.SHA256); err == nil || !strings.Contains(err.Error(), "same blob.key") {
		t.Errorf("Get with another key: %v, want a refusal naming blob.key", err)
	}
	// The same key file works from another server's data folder.
	copied := filepath.Join(t.TempDir(), "blob.key")
	key, _ := os.ReadFile(filepath.Join(keys, "blob.key"))
	os.WriteFile(copied, key, 0o600)
	if same, err := blob.New(c.backend, copied); err != nil {
		t.Fatal(err)
	} else if got, err := get(same, ref.SHA256); err != nil || !bytes.Equal(got, content) {
		t.Errorf("Get with a copy of the key: %d bytes, %v", len(got), err)
	}

	// Any changed byte of the ciphertext is refused on read: in the header,
	// in the middle, at the end. age authenticates each 64 KiB chunk
	// before it returns any of it, so no altered plaintext comes out.
	for _, at := range []int{30, len(raw) / 2, len(raw) - 1} {
		bad := bytes.Clone(raw)
		bad[at] ^= 0x01
		c.setRaw(t, ref.SHA256, bad)
		got, err := get(s, ref.SHA256)
		if err == nil {
			t.Errorf("byte %d of %d changed: read %d bytes without an error", at, len(raw), len(got))
		} else if !strings.Contains(err.Error(), "altered") {
			t.Errorf("byte %d changed: %v, want it called altered", at, err)
		}
	}
	// Another blob's valid ciphertext put in its place is refused too.
	ref2, err := s.Put(ctx, strings.NewReader("%PDF-1.4 another document %%EOF"), 1<<20, blob.CheckPDF)
	if err != nil {
		t.Fatal(err)
	}
	c.setRaw(t, ref.SHA256, c.raw(t, ref2.SHA256))
	if _, err := get(s, ref.SHA256); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("a swapped blob: %v, want it detected", err)
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
