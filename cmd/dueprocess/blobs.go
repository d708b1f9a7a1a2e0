package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
)

// blobsFlag adds --blobs to a command.
func (c *cli) blobsFlag(fs *flag.FlagSet) *string {
	return fs.String("blobs", c.setting("DUEPROCESS_BLOBS", ""),
		"where documents are kept: db (in the database; the default with PostgreSQL), fs (DATA/blobs; the default with SQLite) or fs:DIR (env DUEPROCESS_BLOBS)")
}

// openBlobs opens the blob store that spec names. The key is always
// DATA/blobs/blob.key, wherever the blobs themselves are kept, and the
// store is checked to open with it before the server starts.
func (c *cli) openBlobs(ctx context.Context, spec, data string, db *store.DB) (*blob.Store, string, error) {
	if spec == "" {
		spec = "fs"
		if db.Dialect() == store.Postgres {
			// Servers sharing a PostgreSQL database must share the
			// documents too, and the database is the one place they all
			// reach.
			spec = "db"
		}
	}
	var backend blob.Backend
	var where string
	switch {
	case spec == "db":
		backend, where = db.Blobs(), "the database"
	case spec == "fs" || strings.HasPrefix(spec, "fs:"):
		dir := strings.TrimPrefix(strings.TrimPrefix(spec, "fs"), ":")
		if dir == "" {
			dir = filepath.Join(data, "blobs")
		}
		d, err := blob.NewDir(dir)
		if err != nil {
			return nil, "", err
		}
		backend, where = d, dir
		if db.Dialect() == store.Postgres {
			where += " (only this server can read them)"
		}
	default:
		return nil, "", usageError{fmt.Sprintf("--blobs: %q is not db, fs or fs:DIR", spec)}
	}
	blobs, err := blob.New(backend, filepath.Join(data, "blobs", "blob.key"))
	if err != nil {
		return nil, "", err
	}
	if err := blobs.CheckKey(ctx); err != nil {
		return nil, "", err
	}
	return blobs, where, nil
}
