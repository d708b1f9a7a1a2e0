package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dueprocess/dueprocess"
)

// Dir is a Backend in a directory of the local disk: dir/sha256/ab/abcd…
// Writing is atomic: a blob is written to a temporary name, synced, and
// renamed into place, so a crash leaves either the whole blob or nothing.
// It serves one server only; servers that share a database share their
// blobs through it instead (see store.DB.Blobs).
type Dir struct {
	dir string
}

// NewDir opens (creating if needed) the backend in dir.
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(dir, "sha256"), 0o700); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &Dir{dir: dir}, nil
}

// Path returns where the blob stored under sum is kept.
func (d *Dir) Path(sum string) string {
	return filepath.Join(d.dir, "sha256", sum[:2], sum)
}

// String names the backend for messages.
func (d *Dir) String() string { return "directory " + d.dir }

// Create starts a blob in a temporary file beside the others.
func (d *Dir) Create(ctx context.Context) (Pending, error) {
	tmp, err := os.CreateTemp(d.dir, ".upload-*")
	if err != nil {
		return nil, err
	}
	return &dirPending{d: d, f: tmp}, nil
}

// Open opens the blob stored under sum.
func (d *Dir) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	f, err := os.Open(d.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "blob %s not found", sum)
	}
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return f, nil
}

// Delete removes the blob stored under sum, and syncs its directory so
// that the removal is durable.
func (d *Dir) Delete(ctx context.Context, sum string) error {
	err := os.Remove(d.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(d.Path(sum)))
}

type dirPending struct {
	d    *Dir
	f    *os.File
	done bool
}

func (p *dirPending) Write(b []byte) (int, error) { return p.f.Write(b) }

func (p *dirPending) Commit(ctx context.Context, sum string) error {
	if err := p.f.Sync(); err != nil {
		return err
	}
	if err := p.f.Close(); err != nil {
		return err
	}
	dst := p.d.Path(sum)
	if _, err := os.Stat(dst); err == nil {
		return nil // already stored; Abort removes the copy
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	if err := os.Rename(p.f.Name(), dst); err != nil {
		return err
	}
	p.done = true
	return syncDir(filepath.Dir(dst))
}

func (p *dirPending) Abort() {
	if p.done {
		return
	}
	p.f.Close()
	os.Remove(p.f.Name())
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
