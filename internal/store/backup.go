package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/dueprocess/dueprocess"
)

// Backup writes a consistent copy of a SQLite database to path while the
// server keeps running: VACUUM INTO reads the database inside one read
// transaction, so the copy is the database as of one commit, never half of
// a group, and writers are not blocked under WAL. The copy is synced to
// disk before Backup returns. path must not exist: a backup never
// overwrites anything.
//
// PostgreSQL has its own tool for this, pg_dump, which takes a consistent
// snapshot the same way; Backup on PostgreSQL is Invalid with a message
// that says how to run it.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect == Postgres {
		return PostgresBackup(db.dsn, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return dueprocess.Errorf(dueprocess.Conflict, "%s exists already; a backup never overwrites a file", path)
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("back up to %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("back up to %s: sync: %w", path, err)
	}
	return nil
}

// PostgresBackup is the error that says how to back up a PostgreSQL
// database to path.
func PostgresBackup(dsn, path string) error {
	return dueprocess.Errorf(dueprocess.Invalid,
		"backups of PostgreSQL are taken with pg_dump, which copies a consistent snapshot while the servers run: "+
			"pg_dump --format=custom --file %s '%s' (restore into an empty database with pg_restore --dbname URL %s)",
		path, Redact(dsn), path)
}
