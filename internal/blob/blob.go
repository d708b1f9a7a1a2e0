// Package blob keeps files (legal documents, disclosure packages) on the
// local disk, addressed by the sha256 of their content and encrypted at
// rest with age to a key kept beside them. Writing is atomic: a file is
// written to a temporary name, synced, and renamed into place, so a crash
// leaves either the whole file or nothing.
package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
)

// Store is a content-addressed, encrypted file store in one directory.
type Store struct {
	dir       string
	identity  *age.X25519Identity
	recipient *age.X25519Recipient
}

// Ref names a stored file.
type Ref struct {
	SHA256 string // hex of the plaintext's sha256
	Size   int64  // plaintext bytes
}

// HeadSize and TailSize are how much of the start and end of a file a
// Check function sees.
const (
	HeadSize = 1024
	TailSize = 1024
)

// Check inspects the start and end of a file before it is kept; an error
// discards the file.
type Check func(head, tail []byte) error

// Open opens (creating if needed) the store in dir. The encryption key is
// dir/blob.key, created with mode 0600 on first use.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "sha256"), 0o700); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	id, err := loadOrCreateKey(filepath.Join(dir, "blob.key"))
	if err != nil {
		return nil, err
	}
	return &Store{dir: dir, identity: id, recipient: id.Recipient()}, nil
}

func loadOrCreateKey(path string) (*age.X25519Identity, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, []byte(id.String()+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("blob store key: %w", err)
		}
		return id, nil
	}
	if err != nil {
		return nil, fmt.Errorf("blob store key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("blob store key %s is readable by others (mode %v); run chmod 600 on it", path, fi.Mode().Perm())
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("blob store key %s: %w", path, err)
	}
	return id, nil
}

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, "sha256", sum[:2], sum)
}

// Put stores the content of r, at most max bytes, and returns its address.
// If check is not nil it sees the first HeadSize and last TailSize bytes
// before the file is kept. Storing content that is already there is a no-op.
func (s *Store) Put(r io.Reader, max int64, check Check) (Ref, error) {
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename this is a no-op
	defer tmp.Close()

	enc, err := age.Encrypt(tmp, s.recipient)
	if err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	h := sha256.New()
	ht := &headTail{}
	n, err := io.Copy(io.MultiWriter(enc, h, ht), io.LimitReader(r, max+1))
	if err != nil {
		// The caller's reader may fail with its own error, such as
		// http.MaxBytesError; keep it visible to errors.As.
		return Ref{}, fmt.Errorf("blob store: read upload: %w", err)
	}
	if n > max {
		return Ref{}, &dueprocess.Error{Kind: dueprocess.TooLarge, Message: fmt.Sprintf("the file is larger than %d bytes", max)}
	}
	if n == 0 {
		return Ref{}, dueprocess.Errorf(dueprocess.Invalid, "the file is empty")
	}
	if check != nil {
		if err := check(ht.head, ht.tail()); err != nil {
			return Ref{}, err
		}
	}
	if err := enc.Close(); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	ref := Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst := s.path(ref.SHA256)
	if _, err := os.Stat(dst); err == nil {
		return ref, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	return ref, nil
}

// Get returns the decrypted content stored under sum. The reader checks the
// content against its address as it is read and fails at the end if the
// file was altered on disk.
func (s *Store) Get(sum string) (io.ReadCloser, error) {
	if len(sum) != 64 {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "blob %q not found", sum)
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "blob %s not found", sum)
	}
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	dec, err := age.Decrypt(f, s.identity)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob store: decrypt %s: %w", sum, err)
	}
	return &verifying{r: dec, f: f, h: sha256.New(), want: sum}, nil
}

type verifying struct {
	r    io.Reader
	f    *os.File
	h    hash.Hash
	want string
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		return n, fmt.Errorf("blob store: %s does not match its address; the file was altered", v.want)
	}
	return n, err
}

func (v *verifying) Close() error { return v.f.Close() }

// headTail keeps the first HeadSize bytes written and a window of the last
// TailSize.
type headTail struct {
	head []byte
	ring []byte
}

func (ht *headTail) Write(p []byte) (int, error) {
	if room := HeadSize - len(ht.head); room > 0 {
		ht.head = append(ht.head, p[:min(room, len(p))]...)
	}
	ht.ring = append(ht.ring, p...)
	if len(ht.ring) > 4*TailSize {
		ht.ring = append(ht.ring[:0], ht.ring[len(ht.ring)-TailSize:]...)
	}
	return len(p), nil
}

func (ht *headTail) tail() []byte {
	if len(ht.ring) > TailSize {
		return ht.ring[len(ht.ring)-TailSize:]
	}
	return ht.ring
}

// CheckPDF accepts a file only if its content is a PDF: the "%PDF-" header
// within the first kilobyte (as the PDF specification allows) and an
// "%%EOF" marker in the last, so a truncated upload is refused.
func CheckPDF(head, tail []byte) error {
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return dueprocess.FieldError("file", "is not a PDF: it does not start with %%PDF-")
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return dueprocess.FieldError("file", "is not a complete PDF: the %%%%EOF marker is missing at its end")
	}
	return nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
