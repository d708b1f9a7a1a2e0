// Package blob keeps files (legal documents, disclosure packages) addressed
// by the sha256 of their content and encrypted at rest with age. The
// encryption happens here, in one place, above a Backend that only ever
// sees ciphertext: a directory on the local disk (Dir, the default with
// SQLite) or the database itself when several servers share one
// (store.DB.Blobs). A blob is durable before Put returns, so a caller that
// records its address afterwards never records an address that points to
// nothing.
package blob

import (
	"bytes"
	"context"
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

// Backend keeps the ciphertext of blobs by their address. It never sees
// plaintext or keys, and it does not check what it returns: Store does.
type Backend interface {
	// Create begins a new blob. The caller writes its ciphertext and then
	// calls Commit with its address, or Abort.
	Create(ctx context.Context) (Pending, error)
	// Open returns the ciphertext stored under sum, or an error of kind
	// NotFound.
	Open(ctx context.Context, sum string) (io.ReadCloser, error)
	// Delete removes the blob stored under sum, durably; deleting a blob
	// that is not there does nothing. The caller makes sure nothing else
	// still refers to it: blobs are shared by content.
	Delete(ctx context.Context, sum string) error
}

// Pending is a blob being written to a Backend.
type Pending interface {
	io.Writer
	// Commit keeps what was written under sum, durably, before it returns.
	// If a blob is already stored under sum it is kept and the new copy
	// discarded: both hold the same plaintext.
	Commit(ctx context.Context, sum string) error
	// Abort discards what was written; after Commit it does nothing.
	Abort()
}

// Store is a content-addressed, encrypted blob store over a Backend.
type Store struct {
	backend   Backend
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

// New returns a store that keeps blobs in backend, encrypted to the age key
// in keyFile (created with mode 0600 if missing). Every server that shares
// a backend must use the same key.
func New(backend Backend, keyFile string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return nil, fmt.Errorf("blob store key: %w", err)
	}
	id, err := loadOrCreateKey(keyFile)
	if err != nil {
		return nil, err
	}
	return &Store{backend: backend, identity: id, recipient: id.Recipient()}, nil
}

// Open opens (creating if needed) a store on the local disk in dir, with
// its key in dir/blob.key.
func Open(dir string) (*Store, error) {
	d, err := NewDir(dir)
	if err != nil {
		return nil, err
	}
	return New(d, filepath.Join(dir, "blob.key"))
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

// Recipient is the public half of the store's key, safe to show: two
// servers whose recipients differ cannot read each other's blobs.
func (s *Store) Recipient() string { return s.recipient.String() }

// Put stores the content of r, at most max bytes, and returns its address.
// If check is not nil it sees the first HeadSize and last TailSize bytes
// before the file is kept. Storing content that is already there is a no-op.
// When Put returns, the blob is durable.
func (s *Store) Put(ctx context.Context, r io.Reader, max int64, check Check) (Ref, error) {
	p, err := s.backend.Create(ctx)
	if err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	// Until Commit succeeds, every way out discards what was written.
	defer p.Abort()

	enc, err := age.Encrypt(p, s.recipient)
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
	ref := Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	if err := p.Commit(ctx, ref.SHA256); err != nil {
		return Ref{}, fmt.Errorf("blob store: %w", err)
	}
	return ref, nil
}

// Get returns the decrypted content stored under sum. age authenticates
// the ciphertext chunk by chunk, so a changed byte fails the read before
// any of its chunk is returned; and the reader checks the content against
// its address as it is read, failing at the end if another blob was put in
// its place.
func (s *Store) Get(ctx context.Context, sum string) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "blob %q not found", sum)
	}
	f, err := s.backend.Open(ctx, sum)
	if err != nil {
		return nil, err
	}
	dec, err := age.Decrypt(f, s.identity)
	if err != nil {
		f.Close()
		// age cannot tell a blob encrypted to another key from one whose
		// key stanza was altered; CheckKey, at start, tells them apart.
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, &dueprocess.Error{Kind: dueprocess.Internal, Err: fmt.Errorf(
				"blob store: %s does not open with this server's key (%s): either it was encrypted to another key, and every server that shares the blobs needs the same blob.key, or its stored ciphertext was altered (%w)", sum, s.recipient, err)}
		}
		return nil, &dueprocess.Error{Kind: dueprocess.Internal, Err: fmt.Errorf("blob store: decrypt %s: %w; the stored ciphertext was altered or damaged", sum, err)}
	}
	return &verifying{r: dec, c: f, h: sha256.New(), want: sum}, nil
}

// Delete removes the blob stored under sum. Blobs are addressed by their
// content, so two records holding the same bytes share one blob: the
// caller deletes only a blob it has checked nothing else refers to.
func (s *Store) Delete(ctx context.Context, sum string) error {
	if !validSum(sum) {
		return dueprocess.Errorf(dueprocess.Invalid, "blob %q is not a sha256", sum)
	}
	if sum == keyCheckSum {
		return dueprocess.Errorf(dueprocess.Conflict, "the key-check blob is never deleted")
	}
	if err := s.backend.Delete(ctx, sum); err != nil {
		return fmt.Errorf("blob store: delete %s: %w", sum, err)
	}
	return nil
}

// keyCheck is the content of the blob that CheckKey reads back. Its address
// is fixed, so every server finds the copy the first one stored.
const keyCheck = "dueprocess blob key check\n"

var keyCheckSum = func() string {
	h := sha256.Sum256([]byte(keyCheck))
	return hex.EncodeToString(h[:])
}()

// CheckKey makes sure this server can read the blobs that the others
// store: it stores a small fixed blob if none is there yet and reads it
// back. A server started with another key than the one that stored it
// fails here, at start, rather than on the first document it is asked for.
func (s *Store) CheckKey(ctx context.Context) error {
	ref, err := s.Put(ctx, strings.NewReader(keyCheck), int64(len(keyCheck)), nil)
	if err != nil {
		return err
	}
	rc, err := s.Get(ctx, ref.SHA256)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return fmt.Errorf("blob store: this server's blob key (%s) is not the one the blobs already stored were encrypted to: every server that shares the blobs needs the same blob.key", s.recipient)
	}
	if err != nil {
		return fmt.Errorf("blob store: the key check failed: %w", err)
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return fmt.Errorf("blob store: the key check failed: %w", err)
	}
	return nil
}

func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	_, err := hex.DecodeString(sum)
	return err == nil && strings.ToLower(sum) == sum
}

type verifying struct {
	r    io.Reader
	c    io.Closer
	h    hash.Hash
	want string
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		return n, fmt.Errorf("blob store: %s does not match its address; the file was altered", v.want)
	}
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("blob store: %s: %w; the stored ciphertext was altered or damaged", v.want, err)
	}
	return n, err
}

func (v *verifying) Close() error { return v.c.Close() }

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
