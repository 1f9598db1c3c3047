package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// Pure-Go SQLite driver registered as "sqlite"; the build stays CGO_ENABLED=0.
	_ "modernc.org/sqlite"
)

// Dialects accepted by Open, Migrate and MigrationStatus.
const (
	DialectSQLite = "sqlite"
	DialectMySQL  = "mysql"
)

// sqlitePragmas are applied by the modernc driver on every new connection. WAL lets readers
// run next to the single writer; busy_timeout makes a second writer wait instead of failing.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
}

type options struct {
	logger        *slog.Logger
	maxOpenConns  int
	slowThreshold time.Duration
}

// Option configures Open and Migrate.
type Option func(*options)

// WithLogger sends GORM warnings (slow queries, errors) and migration progress to l.
// Without it slog.Default() is used.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMaxOpenConns overrides the pool size (default 4 for SQLite, 20 for MySQL).
func WithMaxOpenConns(n int) Option {
	return func(o *options) { o.maxOpenConns = n }
}

func buildOptions(opts []Option) options {
	o := options{slowThreshold: 500 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// Open connects to the application database and checks that it answers.
//
// For DialectSQLite dsn is a file path (its folder is created), optionally followed by
// "?" and modernc driver parameters; WAL, a busy timeout, foreign keys and UTC time handling
// are added. For DialectMySQL dsn is a go-sql-driver DSN; parseTime, UTC and utf8mb4 are
// enforced. Every time is stored in UTC.
func Open(ctx context.Context, dialect, dsn string, opts ...Option) (*gorm.DB, error) {
	o := buildOptions(opts)
	var (
		dialector gorm.Dialector
		maxOpen   int
	)
	switch dialect {
	case DialectSQLite:
		full, memory, err := sqliteDSN(dsn)
		if err != nil {
			return nil, err
		}
		dialector = sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: full})
		maxOpen = 4
		if memory {
			// Every connection to ":memory:" would be a separate, empty database.
			maxOpen = 1
		}
	case DialectMySQL:
		full, err := mysqlDSN(dsn)
		if err != nil {
			return nil, err
		}
		dialector = mysql.New(mysql.Config{DSN: full})
		maxOpen = 20
	default:
		return nil, fmt.Errorf("open database: unknown dialect %q (want %q or %q)", dialect, DialectSQLite, DialectMySQL)
	}
	if o.maxOpenConns > 0 {
		maxOpen = o.maxOpenConns
	}

	db, err := gorm.Open(dialector, &gorm.Config{
		// Single statements need no transaction; multi-row writes open one explicitly.
		SkipDefaultTransaction: true,
		NowFunc:                now,
		Logger: constraintQuietLogger{logger.NewSlogLogger(o.logger, logger.Config{
			SlowThreshold:             o.slowThreshold,
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			// Slow-query logs must not carry personal data from query arguments.
			ParameterizedQueries: true,
		})},
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	if dialect == DialectMySQL {
		// Recycle connections before a server or proxy drops them for idleness.
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := Ping(ctx, db); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	return db, nil
}

// constraintQuietLogger keeps expected constraint violations (a duplicate code, an unknown
// department) out of the error log: they reach the caller as ErrConflict or ErrInvalid and
// are answered with 409 or 400, not investigated.
type constraintQuietLogger struct {
	logger.Interface
}

func (l constraintQuietLogger) LogMode(level logger.LogLevel) logger.Interface {
	return constraintQuietLogger{l.Interface.LogMode(level)}
}

func (l constraintQuietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if isDuplicateKey(err) || isForeignKeyViolation(err) {
		err = nil
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// ParamsFilter delegates to the wrapped logger; without it GORM would log argument values.
func (l constraintQuietLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}

// Close releases the connection pool of db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers; /readyz calls it with a short deadline.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// now is the clock of the package: UTC, at the microsecond precision both dialects store.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// sqliteDSN turns a file path into a modernc DSN with the pragmas and time settings the
// models rely on; parameters the caller already gave win.
func sqliteDSN(dsn string) (full string, memory bool, err error) {
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" {
		return "", false, errors.New("open sqlite database: empty path")
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", false, fmt.Errorf("open sqlite database: parameters of %q: %w", dsn, err)
	}
	memory = strings.Contains(path, ":memory:") || params.Get("mode") == "memory"
	if !memory && !strings.HasPrefix(path, "file:") {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return "", false, fmt.Errorf("open sqlite database: create folder: %w", err)
			}
		}
	}
	given := map[string]bool{}
	for _, p := range params["_pragma"] {
		name, _, _ := strings.Cut(p, "(")
		given[strings.ToLower(strings.TrimSpace(name))] = true
	}
	for _, p := range sqlitePragmas {
		name, _, _ := strings.Cut(p, "(")
		if memory && name == "journal_mode" {
			continue
		}
		if !given[name] {
			params.Add("_pragma", p)
		}
	}
	defaults := map[string]string{
		// RFC 3339-like text with offset, sortable because every value is UTC.
		"_time_format": "sqlite",
		"_timezone":    "UTC",
		// Writers take the write lock at BEGIN: a deferred transaction that reads and then
		// writes would fail with SQLITE_BUSY instead of waiting when another writer commits.
		"_txlock": "immediate",
	}
	for k, v := range defaults {
		if params.Get(k) == "" {
			params.Set(k, v)
		}
	}
	return path + "?" + params.Encode(), memory, nil
}

// mysqlDSN enforces what the models need from a MySQL session: time.Time values in UTC
// both ways and four-byte UTF-8 for Chinese text.
func mysqlDSN(dsn string) (string, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("open mysql database: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, ok := cfg.Params["time_zone"]; !ok {
		// NOW() and TIMESTAMP columns (goose's version table) then agree with loc=UTC.
		cfg.Params["time_zone"] = "'+00:00'"
	}
	if !hasDSNParam(dsn, "charset") {
		if err := cfg.Apply(mysqldriver.Charset("utf8mb4", "")); err != nil {
			return "", fmt.Errorf("open mysql database: %w", err)
		}
	}
	return cfg.FormatDSN(), nil
}

// hasDSNParam reports whether the parameter list of a go-sql-driver DSN names key.
func hasDSNParam(dsn, key string) bool {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return false
	}
	_, query, ok := strings.Cut(dsn[slash:], "?")
	if !ok {
		return false
	}
	for _, kv := range strings.Split(query, "&") {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}
