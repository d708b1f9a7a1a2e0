package main

import (
	"context"
	"flag"

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

// openDB opens the database for a command that changes or reads it. An
// empty database is migrated first, so that a fresh machine needs no extra
// step; one that is behind is refused.
func (c *cli) openDB(ctx context.Context, dsn string) (*store.DB, error) {
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
		c.say("created a new database at %s (%d migrations)", db, n)
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
