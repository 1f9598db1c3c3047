package models

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

// migrationFiles holds one folder of goose SQL files per dialect. The files are append-only:
// a released migration is never edited, a schema change is a new numbered file in both folders.
//
//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrationFiles embed.FS

// MigrationState is the state of one versioned migration.
type MigrationState struct {
	Version   int64
	Source    string    // file name, e.g. "00001_init.sql"
	Applied   bool      // recorded in the version table
	AppliedAt time.Time // UTC; zero when not applied
}

// Migrate applies every pending migration of dialect to db. It is safe to call on every start:
// an up-to-date database is left untouched, and on MySQL concurrent callers (several API or
// worker replicas) are serialised by a named lock.
func Migrate(ctx context.Context, db *gorm.DB, dialect string, opts ...Option) error {
	return migrateUpTo(ctx, db, dialect, goose.MaxVersion, opts...)
}

// migrateUpTo applies the pending migrations of dialect up to and including version. Only
// tests stop short of the latest version, to build an old schema and migrate it forward.
func migrateUpTo(ctx context.Context, db *gorm.DB, dialect string, version int64, opts ...Option) error {
	o := buildOptions(opts)
	p, err := newMigrationProvider(db, dialect)
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", dialect, err)
	}
	var results []*goose.MigrationResult
	err = withMigrationLock(ctx, db, func() error {
		results, err = p.UpTo(ctx, version)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate %s database: %w", dialect, err)
	}
	for _, r := range results {
		o.logger.InfoContext(ctx, "applied migration",
			"dialect", dialect, "version", r.Source.Version,
			"source", path.Base(r.Source.Path), "duration", r.Duration)
	}
	return nil
}

// MigrationStatus lists every known migration of dialect, ascending by version, with whether
// and when it was applied to db.
func MigrationStatus(ctx context.Context, db *gorm.DB, dialect string) ([]MigrationState, error) {
	p, err := newMigrationProvider(db, dialect)
	if err != nil {
		return nil, fmt.Errorf("migration status of %s database: %w", dialect, err)
	}
	var statuses []*goose.MigrationStatus
	// Status creates the version table on an empty database, so it takes the lock as well.
	err = withMigrationLock(ctx, db, func() error {
		statuses, err = p.Status(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migration status of %s database: %w", dialect, err)
	}
	out := make([]MigrationState, 0, len(statuses))
	for _, s := range statuses {
		st := MigrationState{
			Version: s.Source.Version,
			Source:  path.Base(s.Source.Path),
			Applied: s.State == goose.StateApplied,
		}
		if st.Applied {
			st.AppliedAt = s.AppliedAt.UTC()
		}
		out = append(out, st)
	}
	return out, nil
}

func newMigrationProvider(db *gorm.DB, dialect string) (*goose.Provider, error) {
	var (
		gooseDialect goose.Dialect
		providerOpts = []goose.ProviderOption{
			goose.WithLogger(goose.NopLogger()),
			// Only our embedded files count, never Go migrations registered by other packages.
			goose.WithDisableGlobalRegistry(true),
			// Procedures are developed side by side and each migration creates or alters only
			// its own tables, so a database that already has a later version may take an
			// earlier-numbered one that arrived with a later release.
			goose.WithAllowOutofOrder(true),
		}
	)
	switch dialect {
	case DialectSQLite:
		gooseDialect = goose.DialectSQLite3
	case DialectMySQL:
		gooseDialect = goose.DialectMySQL
	default:
		return nil, fmt.Errorf("unknown dialect %q (want %q or %q)", dialect, DialectSQLite, DialectMySQL)
	}
	if got := db.Dialector.Name(); got != dialect {
		return nil, fmt.Errorf("dialect %q does not match the %q connection", dialect, got)
	}
	files, err := fs.Sub(migrationFiles, "migrations/"+dialect)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// The provider is never closed: Close would close the caller's pool.
	return goose.NewProvider(gooseDialect, sqlDB, files, providerOpts...)
}

// migrationLockTimeout bounds how long a replica waits for another one's migrations.
const migrationLockTimeout = 5 * time.Minute

// withMigrationLock runs fn while holding MySQL's named lock for this schema. goose's own
// session locker is not enough: Provider.Up first checks for pending migrations without the
// lock, and that check creates the version table, so a second replica could see the table
// before its zero row and fail with "missing zero version migration". SQLite needs no lock:
// the embedded deployment is a single process.
func withMigrationLock(ctx context.Context, db *gorm.DB, fn func() error) (err error) {
	if db.Dialector.Name() != DialectMySQL {
		return fn()
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer conn.Close()
	// The lock name includes the schema so that databases sharing a server do not wait for
	// each other.
	const name = "CONCAT('datashare_migrate:', DATABASE())"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+name+", ?)", int(migrationLockTimeout.Seconds())).Scan(&got); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("take migration lock: not granted within %s", migrationLockTimeout)
	}
	defer func() {
		// Released even when ctx is cancelled; closing the connection would release it too.
		var released sql.NullInt64
		rerr := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+name+")").Scan(&released)
		if rerr == nil && (!released.Valid || released.Int64 != 1) {
			rerr = errors.New("lock was not held")
		}
		if rerr != nil && err == nil {
			err = fmt.Errorf("release migration lock: %w", rerr)
		}
	}()
	return fn()
}
