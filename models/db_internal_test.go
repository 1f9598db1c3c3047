package models

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
)

func TestSQLiteDSN(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nested", "app.db")
	full, memory, err := sqliteDSN(path)
	if err != nil || memory {
		t.Fatalf("sqliteDSN = %q, %v, %v", full, memory, err)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		t.Errorf("parent folder not created: %v", err)
	}
	p, q, _ := strings.Cut(full, "?")
	params, _ := url.ParseQuery(q)
	if p != path {
		t.Errorf("path %q, want %q", p, path)
	}
	for _, want := range sqlitePragmas {
		if !strings.Contains(strings.Join(params["_pragma"], " "), want) {
			t.Errorf("pragma %s missing from %v", want, params["_pragma"])
		}
	}
	if params.Get("_txlock") != "immediate" || params.Get("_timezone") != "UTC" || params.Get("_time_format") != "sqlite" {
		t.Errorf("params = %v", params)
	}

	// A pragma the caller chose wins over the default.
	full, _, _ = sqliteDSN(filepath.Join(dir, "b.db") + "?_pragma=busy_timeout(50)")
	_, q, _ = strings.Cut(full, "?")
	params, _ = url.ParseQuery(q)
	if n := strings.Count(strings.Join(params["_pragma"], " "), "busy_timeout"); n != 1 || !strings.Contains(strings.Join(params["_pragma"], " "), "busy_timeout(50)") {
		t.Errorf("pragmas = %v, want only busy_timeout(50)", params["_pragma"])
	}

	if _, memory, _ := sqliteDSN(":memory:"); !memory {
		t.Error(":memory: not recognised")
	}
	if _, _, err := sqliteDSN(""); err == nil {
		t.Error("empty path accepted")
	}
}

func TestMySQLDSN(t *testing.T) {
	tests := []struct {
		in          string
		wantCharset string
	}{
		{"u:p@tcp(db:3306)/app", "utf8mb4"},
		{"u:p@tcp(db:3306)/app?parseTime=false&loc=Local", "utf8mb4"},
		{"u:p@tcp(db:3306)/app?charset=utf8mb4,utf8", "utf8mb4,utf8"},
	}
	for _, tc := range tests {
		out, err := mysqlDSN(tc.in)
		if err != nil {
			t.Fatalf("mysqlDSN(%q): %v", tc.in, err)
		}
		cfg, err := mysqldriver.ParseDSN(out)
		if err != nil {
			t.Fatalf("result %q does not parse: %v", out, err)
		}
		if !cfg.ParseTime || cfg.Loc != time.UTC || cfg.Params["time_zone"] != "'+00:00'" || cfg.DBName != "app" {
			t.Errorf("mysqlDSN(%q) = %q", tc.in, out)
		}
		if !strings.Contains(out, "charset="+url.QueryEscape(tc.wantCharset)) && !strings.Contains(out, "charset="+tc.wantCharset) {
			t.Errorf("mysqlDSN(%q) = %q, want charset %s", tc.in, out, tc.wantCharset)
		}
	}
	if _, err := mysqlDSN("not a dsn"); err == nil {
		t.Error("malformed DSN accepted")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40} {
		got, ok := decodeCursor(encodeCursor(id))
		if !ok || got != id {
			t.Errorf("cursor of %d decodes to %d, %v", id, got, ok)
		}
	}
	if got, ok := decodeCursor(""); !ok || got != 0 {
		t.Errorf("empty cursor = %d, %v", got, ok)
	}
}

func TestEscapeLike(t *testing.T) {
	if got := escapeLike("100%_a!b"); got != "100!%!_a!!b" {
		t.Errorf("escapeLike = %q", got)
	}
}
