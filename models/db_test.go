package models_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func TestOpenSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "app.db")
	db, err := models.Open(ctx, models.DialectSQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not created: %v", err)
	}
	var mode string
	var fk int
	db.Raw("PRAGMA journal_mode").Scan(&mode)
	db.Raw("PRAGMA foreign_keys").Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode %q foreign_keys %d, want wal and 1", mode, fk)
	}
	if err := models.Ping(ctx, db); err != nil {
		t.Errorf("ping: %v", err)
	}
	if err := models.Close(db); err != nil {
		t.Fatal(err)
	}
	if err := models.Ping(ctx, db); err == nil {
		t.Error("ping after close succeeded")
	}
}

func TestOpenRejectsUnknownDialect(t *testing.T) {
	if _, err := models.Open(context.Background(), "postgres", "x"); err == nil || !strings.Contains(err.Error(), "postgres") {
		t.Errorf("Open(postgres) = %v", err)
	}
}

// Open must make a DSN without parseTime or loc work, with the session in UTC.
func TestOpenMySQLAddsSessionSettings(t *testing.T) {
	dsn := modelstest.MySQLDSN(t)
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	bare := mysqldriver.NewConfig()
	bare.User, bare.Passwd, bare.Net, bare.Addr, bare.DBName = cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName
	db, err := models.Open(context.Background(), models.DialectMySQL, bare.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	var row struct {
		Now      time.Time
		TimeZone string
		Charset  string
	}
	if err := db.Raw("SELECT UTC_TIMESTAMP(6) AS now, @@session.time_zone AS time_zone, @@character_set_connection AS charset").Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.TimeZone != "+00:00" || row.Charset != "utf8mb4" || time.Since(row.Now).Abs() > time.Minute || row.Now.Location() != time.UTC {
		t.Errorf("session = %+v", row)
	}
}
