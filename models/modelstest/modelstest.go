// Package modelstest gives tests a fresh, migrated database: a SQLite file per test, and a
// MySQL database per test when DATASHARE_TEST_MYSQL_DSN is set.
//
//	func TestSomething(t *testing.T) {
//		modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) { ... })
//	}
package modelstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
)

// MySQLDSNEnv names the environment variable with a MySQL DSN for tests, e.g.
// root@tcp(127.0.0.1:3306)/test?parseTime=true&loc=UTC&charset=utf8mb4. The user needs the
// right to create and drop databases; each test gets its own ds_test_<random> database.
const MySQLDSNEnv = "DATASHARE_TEST_MYSQL_DSN"

// Dialects lists the dialects ForEachDB runs, in order.
func Dialects() []string {
	return []string{models.DialectSQLite, models.DialectMySQL}
}

// exampleMySQLDSN is the DSN of the MariaDB that .ci/run starts and points MySQLDSNEnv at.
const exampleMySQLDSN = "root@tcp(127.0.0.1:3306)/test?parseTime=true&loc=UTC&charset=utf8mb4"

// ForEachDB runs fn as a subtest named after each dialect, each on a fresh migrated database.
// The MySQL subtest is skipped when MySQLDSNEnv is unset, except under CI=true (see MySQLDSN).
func ForEachDB(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			fn(t, New(t, dialect))
		})
	}
}

// New returns a fresh migrated database of the given dialect, closed (and for MySQL dropped)
// when the test ends.
func New(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	db := NewEmpty(t, dialect)
	quiet := models.WithLogger(slog.New(slog.DiscardHandler)) // one "applied" line per test is noise
	if err := models.Migrate(context.Background(), db, dialect, quiet); err != nil {
		t.Fatalf("migrate %s test database: %v", dialect, err)
	}
	return db
}

// NewEmpty is New without migrations, for tests of the migrations themselves.
func NewEmpty(t testing.TB, dialect string) *gorm.DB {
	t.Helper()
	switch dialect {
	case models.DialectSQLite:
		return open(t, dialect, filepath.Join(t.TempDir(), "datashare.db"))
	case models.DialectMySQL:
		return open(t, dialect, createMySQLDatabase(t))
	default:
		t.Fatalf("modelstest: unknown dialect %q", dialect)
		return nil
	}
}

// NewSQLite returns a fresh migrated SQLite database in a file under t.TempDir().
func NewSQLite(t testing.TB) *gorm.DB {
	t.Helper()
	return New(t, models.DialectSQLite)
}

// NewMySQL returns a fresh migrated MySQL database, or skips the test when MySQLDSNEnv is unset
// (fails it under CI=true).
func NewMySQL(t testing.TB) *gorm.DB {
	t.Helper()
	return New(t, models.DialectMySQL)
}

func open(t testing.TB, dialect, dsn string) *gorm.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := models.Open(ctx, dialect, dsn)
	if err != nil {
		t.Fatalf("open %s test database: %v", dialect, err)
	}
	// Registered after createMySQLDatabase's cleanup, so it runs first: connections are
	// closed before the database is dropped.
	t.Cleanup(func() {
		if err := models.Close(db); err != nil {
			t.Errorf("close %s test database: %v", dialect, err)
		}
	})
	return db
}

// MySQLDSN returns the MySQL DSN of MySQLDSNEnv. Without one the test is skipped and says so;
// under CI=true it fails instead, because CI must run the MySQL variants (.ci/run starts
// MariaDB and sets the variable).
func MySQLDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(MySQLDSNEnv)
	if dsn != "" {
		return dsn
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s is not set: the MySQL variants of the database tests must run in CI. "+
			"Start MariaDB on 127.0.0.1:3306 (.ci/run starts it) and set %s=%s", MySQLDSNEnv, MySQLDSNEnv, exampleMySQLDSN)
	}
	t.Skipf("SKIPPED: MySQL variant, %s is not set (e.g. %s; .ci/run sets it)", MySQLDSNEnv, exampleMySQLDSN)
	return ""
}

// createMySQLDatabase creates an empty database for t and returns a DSN for it.
func createMySQLDatabase(t testing.TB) string {
	t.Helper()
	dsn := MySQLDSN(t)
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", MySQLDSNEnv, err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("connect to MySQL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The variable is set, so MySQL is wanted: a server that does not answer is a failure that
	// says where it was looked for, not a skip.
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("MySQL of %s is not reachable at %s: %v. Start MariaDB (.ci/run starts it), or unset %s to skip the MySQL variants",
			MySQLDSNEnv, cfg.Addr, err, MySQLDSNEnv)
	}
	name := "ds_test_" + randomHex(t, 8)
	// The name is generated here, never user input, so formatting it into DDL is safe.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		_ = admin.Close()
		t.Fatalf("create MySQL test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("drop MySQL test database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random test database name: %v", err)
	}
	return hex.EncodeToString(b)
}

// MustExec runs a statement and fails the test on error, for fixtures that bypass the store.
func MustExec(t testing.TB, db *gorm.DB, query string, args ...any) {
	t.Helper()
	if err := db.Exec(query, args...).Error; err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}
