package main

import (
	"context"

	"github.com/dueprocess/dueprocess/internal/store"
)

func migrateCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("migrate", "migrate [--db DSN]",
		"Applies every pending schema migration, each in its own transaction, and\nreports the version reached. Safe to run again; it does nothing when up to date.")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	current, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	c.say("applied %d migrations; %s is at schema version %d", n, db, current)
	return nil
}
