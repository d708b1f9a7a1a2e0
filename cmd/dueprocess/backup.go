package main

import (
	"context"
	"path/filepath"

	"github.com/dueprocess/dueprocess/internal/store"
)

func backupCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("backup", "backup [--db DSN] [--data DIR] FILE",
		"Writes a consistent copy of the SQLite database to FILE while the server runs (the\n"+
			"database as of one commit; FILE must not exist). Copy the data folder too: it holds\n"+
			"the keys without which documents cannot be read and checkpoints cannot be signed.\n"+
			"For PostgreSQL, it prints the pg_dump command to run instead. To restore, stop the\n"+
			"server, put FILE in place of the database and the data folder beside it, and run\n"+
			"\"dueprocess audit verify\". See docs/operations.md.")
	dsn := c.dbFlag(fs)
	data := c.dataFlag(fs)
	if err := fs.Parse(args); err != nil {
		return parse(fs, args)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"backup takes one argument: the file to write"}
	}
	out := fs.Arg(0)
	if store.IsPostgres(*dsn) {
		return store.PostgresBackup(*dsn, out)
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		return flagError(err)
	}
	abs, _ := filepath.Abs(*data)
	c.say("backed up %s to %s; copy the data folder %s too (cp -a %s BACKUP-DIR): it holds the keys",
		describeDB(*dsn), out, abs, abs)
	return nil
}
