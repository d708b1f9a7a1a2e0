package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dueprocess/dueprocess/internal/store"
)

// dbFlag adds --db to a command.
func (c *cli) dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", c.setting("DUEPROCESS_DB", "dueprocess.db"), "database: a SQLite file path or a postgres:// URL (env DUEPROCESS_DB)")
}

// dataFlag adds --data to a command.
func (c *cli) dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", c.setting("DUEPROCESS_DATA", "dueprocess-data"), "directory for documents, packages and keys (env DUEPROCESS_DATA)")
}

// openDB opens the database for a command that changes it. An empty
// database is migrated first, so that a fresh machine needs no extra step,
// and the command says which file it created; one that is behind is
// refused.
func (c *cli) openDB(ctx context.Context, dsn string) (*store.DB, error) {
	if err := sqliteFolderExists(dsn); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if empty {
		n, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		c.say("created a new database at %s (%d migrations)", describeDB(dsn), n)
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openExisting opens the database for a command that only reads it, such
// as "agency list" or "report". Run in the wrong folder, such a command
// must not leave an empty database behind that a later command would
// mistake for the real one: a SQLite file that does not exist is an error
// naming the file it looked for.
func (c *cli) openExisting(ctx context.Context, dsn string) (*store.DB, error) {
	if !store.IsPostgres(dsn) {
		if err := sqliteFolderExists(dsn); err != nil {
			return nil, err
		}
		if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no database at %s; run this command in the server's folder, "+
				"or pass --db (env DUEPROCESS_DB) with the server's database", describeDB(dsn))
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqliteFolderExists refuses a SQLite path whose folder is missing, with a
// message that says what to do, rather than the driver's "unable to open
// database file".
func sqliteFolderExists(dsn string) error {
	if store.IsPostgres(dsn) {
		return nil
	}
	dir := filepath.Dir(dsn)
	info, err := os.Stat(dir)
	if err == nil && info.IsDir() {
		return nil
	}
	if err == nil {
		return fmt.Errorf("--db %s: %s is not a folder", dsn, dir)
	}
	return fmt.Errorf("--db %s: the folder %s does not exist; create it first (mkdir -p %s) or choose another path", dsn, dir, dir)
}

// describeDB names a database for people: the absolute path of a SQLite
// file, so that "created a new database" says exactly where.
func describeDB(dsn string) string {
	if store.IsPostgres(dsn) {
		return "PostgreSQL database " + store.Redact(dsn)
	}
	if abs, err := filepath.Abs(dsn); err == nil {
		return abs
	}
	return dsn
}
