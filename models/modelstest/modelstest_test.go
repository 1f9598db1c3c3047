package modelstest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/datashare/datashare/models"
)

// helperEnv makes the test binary run TestMySQLDSNHelper's body, as a child process, so that
// its skip or failure can be observed from outside.
const helperEnv = "DATASHARE_MODELSTEST_HELPER"

// TestMySQLDSNHelper is the child: it asks for a MySQL test database.
func TestMySQLDSNHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("run as a child process by TestMySQLMissing")
	}
	NewEmpty(t, models.DialectMySQL)
}

// Without a MySQL DSN the MySQL variants skip and say so on a developer's machine, and fail,
// naming the variable and how to start MariaDB, under CI=true; a DSN whose server does not
// answer fails, saying where it looked.
func TestMySQLMissing(t *testing.T) {
	for _, tc := range []struct {
		name, ci, dsn string
		fails         bool
		contains      []string
	}{
		{name: "unset", fails: false, contains: []string{"--- SKIP", "SKIPPED: MySQL variant", MySQLDSNEnv}},
		{name: "unset under CI", ci: "true", fails: true, contains: []string{"--- FAIL", "CI=true and " + MySQLDSNEnv + " is not set", "Start MariaDB", exampleMySQLDSN}},
		// Port 1 on loopback: nothing listens there.
		{name: "unreachable under CI", ci: "true", dsn: "root@tcp(127.0.0.1:1)/test", fails: true,
			contains: []string{"--- FAIL", "is not reachable at 127.0.0.1:1", "Start MariaDB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMySQLDSNHelper$", "-test.v", "-test.count=1")
			cmd.Env = append(withoutEnv(os.Environ(), "CI", MySQLDSNEnv), helperEnv+"=1", "CI="+tc.ci, MySQLDSNEnv+"="+tc.dsn)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fails {
				t.Fatalf("child failed = %v (%v), want %v:\n%s", failed, err, tc.fails, out)
			}
			for _, s := range tc.contains {
				if !strings.Contains(string(out), s) {
					t.Errorf("child output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

// withoutEnv drops the named variables from an environment list.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
