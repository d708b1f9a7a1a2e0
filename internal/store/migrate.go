package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/dueprocess/dueprocess"
)

// Migrations are plain SQL files, one folder per dialect, applied in order
// of their number, each in its own transaction.
//
//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	opts = append(opts, goose.WithDisableGlobalRegistry(true), goose.WithTableName("schema_migrations"))
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Servers started together on one PostgreSQL database take turns.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.sql, sub, opts...)
}

// SchemaVersion reports the version the database is at and the version this
// build of dueprocess expects.
func (db *DB) SchemaVersion(ctx context.Context) (current, want int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	current, want, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, mapError(fmt.Errorf("read schema version: %w", err))
	}
	return current, want, nil
}

// Migrate applies every pending migration and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("migrate %s: %w", db, err)
	}
	return len(results), nil
}

// CheckSchema returns an error unless the database is at the version this
// build expects. A server must not run on a schema that is behind (it would
// fail on the first query that needs a new column) or ahead (an older build
// would misread newer data).
func (db *DB) CheckSchema(ctx context.Context) error {
	current, want, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < want:
		return &dueprocess.Error{Kind: dueprocess.Unavailable,
			Message: fmt.Sprintf("the database schema is at version %d but this build needs %d; run `dueprocess migrate` first", current, want)}
	case current > want:
		return &dueprocess.Error{Kind: dueprocess.Unavailable,
			Message: fmt.Sprintf("the database schema is at version %d, newer than this build knows (%d); upgrade dueprocess", current, want)}
	}
	return nil
}

// IsEmpty reports whether the database holds no tables at all: only then
// is it safe to create the schema without being asked. A database with
// tables but an old schema must be migrated on purpose.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'`
	if db.dialect == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, mapError(fmt.Errorf("inspect database: %w", err))
	}
	return n == 0, nil
}
