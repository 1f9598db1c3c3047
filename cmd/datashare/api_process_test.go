package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
)

// apiProcess is `datashare api` run in this process on a migrated SQLite database, as an
// operator starts it. Its Temporal client is lazy: sign-in and the purge need no server.
type apiProcess struct {
	base    string
	dataDir string
	db      *gorm.DB // the process's database, opened by the test
	cancel  context.CancelFunc
	done    chan error
}

// newAPIDatabase migrates a fresh SQLite database as `datashare migrate up` does, adds the demo
// departments and users of ningxia, and returns its data folder and an open handle.
func newAPIDatabase(t *testing.T) (dataDir string, db *gorm.DB) {
	t.Helper()
	dataDir = t.TempDir()
	quiet := models.WithLogger(slog.New(slog.DiscardHandler))
	db, err := models.Open(context.Background(), models.DialectSQLite, filepath.Join(dataDir, "datashare.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close(db) })
	if err := models.Migrate(context.Background(), db, models.DialectSQLite, quiet); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := models.SeedDemoProfile(context.Background(), db, "ningxia"); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	return dataDir, db
}

// startAPIProcess runs `datashare api` with extra flags on the database of dataDir and waits
// until it answers /healthz; it is stopped when the test ends. Without a --temporal-address
// among the flags it has no Temporal server.
func startAPIProcess(t *testing.T, dataDir string, db *gorm.DB, extra ...string) *apiProcess {
	t.Helper()
	for attempt := 1; ; attempt++ {
		port := testutil.FreePort(t)
		ctx, cancel := context.WithCancel(context.Background())
		p := &apiProcess{base: fmt.Sprintf("http://127.0.0.1:%d", port), dataDir: dataDir, db: db, cancel: cancel, done: make(chan error, 1)}
		args := []string{"api",
			"--data-dir", dataDir,
			"--db-dsn", filepath.Join(dataDir, "datashare.db"),
			"--http-addr", fmt.Sprintf("127.0.0.1:%d", port),
			"--log-level", "error",
		}
		if !slices.Contains(extra, "--temporal-address") {
			// No server listens there; the API's client connects on first use only.
			args = append(args, "--temporal-address", "127.0.0.1:1")
		}
		args = append(args, extra...)
		go func() { p.done <- run(ctx, args) }()
		err := p.waitHealthy()
		if err == nil {
			t.Cleanup(func() { p.stop(t) })
			return p
		}
		cancel()
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
		t.Logf("starting again on another port: %v", err)
	}
}

func (p *apiProcess) waitHealthy() error {
	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case err := <-p.done:
			return fmt.Errorf("datashare api stopped while starting: %w", err)
		default:
		}
		if resp, err := http.Get(p.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("datashare api did not answer /healthz within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *apiProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("datashare api stopped with error: %v", err)
		}
	case <-time.After(time.Minute):
		t.Error("datashare api did not stop within a minute")
	}
}

// get calls the API with a bearer token and returns the status and body.
func (p *apiProcess) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, p.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAPIProcessSignInFromUsersTable: with DATASHARE_PRINCIPAL_SOURCE=users the running API
// takes who a caller is from the users table, not from the token. A validly signed token of
// someone the table does not know, or of a deactivated user, is refused with 401; a known
// user's department and roles are the table's, whatever the token claims.
func TestAPIProcessSignInFromUsersTable(t *testing.T) {
	dataDir, db := newAPIDatabase(t)
	ctx := context.Background()
	st := models.NewStore(db)
	// A former approver of the providing department, deactivated.
	retired := models.User{ID: "retired-approver", Name: "退休审核员", DepartmentID: ptrTo(models.DemoProvidingDeptID),
		Roles: models.RoleList{models.RoleApprover}, Active: false}
	if err := st.UpsertUser(ctx, &retired); err != nil {
		t.Fatal(err)
	}
	// The key is made before the start, so the process signs with the same one.
	signer, err := auth.LoadOrCreateDevKey(filepath.Join(dataDir, "dev-signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	// Every token claims far more than the table grants: the authority's department, admin.
	token := func(subject string) string {
		t.Helper()
		tok, err := signer.Sign(auth.Principal{Subject: subject, Name: subject, DepartmentID: models.DemoAuthorityID,
			Roles: []auth.Role{auth.RoleAdmin, auth.RoleAuthority}}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	p := startAPIProcess(t, dataDir, db, "--principal-source", "users")

	for _, subject := range []string{"nobody-in-the-table", retired.ID} {
		if status, body := p.get(t, "/api/v1/me", token(subject)); status != http.StatusUnauthorized {
			t.Errorf("%s: /api/v1/me = %d %s, want 401", subject, status, body)
		}
	}

	status, body := p.get(t, "/api/v1/me", token("demo-approver"))
	var me struct {
		Subject      string   `json:"subject"`
		DepartmentID string   `json:"department_id"`
		Roles        []string `json:"roles"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &me) != nil {
		t.Fatalf("demo-approver: /api/v1/me = %d %s", status, body)
	}
	if me.Subject != "demo-approver" || me.DepartmentID != models.DemoProvidingDeptID || !slices.Equal(me.Roles, []string{models.RoleApprover}) {
		t.Errorf("demo-approver is %+v, want the table's %s with roles [approver]", me, models.DemoProvidingDeptID)
	}
	// The admin role of the token is not honoured either.
	if status, body := p.get(t, "/api/v1/calendar/status", token("demo-approver")); status != http.StatusForbidden {
		t.Errorf("admin-only route with a token claiming admin: %d %s, want 403", status, body)
	}

	// Deactivating a user takes effect on the running process, token or no token.
	approver, err := st.GetUser(ctx, "demo-approver")
	if err != nil {
		t.Fatal(err)
	}
	approver.Active = false
	if err := st.UpsertUser(ctx, approver); err != nil {
		t.Fatal(err)
	}
	if status, body := p.get(t, "/api/v1/me", token("demo-approver")); status != http.StatusUnauthorized {
		t.Errorf("demo-approver deactivated: /api/v1/me = %d %s, want 401", status, body)
	}
}

// TestAPIProcessPurgesIdempotencyAnswers: the running API deletes answers to Idempotency-Keys
// older than DATASHARE_IDEMPOTENCY_RETENTION and keeps younger ones.
func TestAPIProcessPurgesIdempotencyAnswers(t *testing.T) {
	dataDir, db := newAPIDatabase(t)
	const retention = 48 * time.Hour
	ages := map[string]time.Duration{"older": retention + time.Hour, "younger": retention - time.Hour}
	seedIdempotencyAnswers(t, db, ages)

	startAPIProcess(t, dataDir, db, "--idempotency-retention", retention.String())
	waitPurged(t, db, "older", "younger")
}

// seedIdempotencyAnswers stores an answer per key, stamped the given age ago.
func seedIdempotencyAnswers(t *testing.T, db *gorm.DB, ages map[string]time.Duration) {
	t.Helper()
	ctx := context.Background()
	st := models.NewStore(db)
	for key, age := range ages {
		rec := &models.IdempotencyRecord{Subject: "demo-applicant", Key: key, Method: http.MethodPost,
			Route: "/api/v1/share-requests", RequestHash: strings.Repeat("ab", 32), Status: http.StatusCreated, Body: `{"id":"x"}`}
		if err := st.SaveIdempotencyRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if err := db.Model(&models.IdempotencyRecord{}).Where("idem_key = ?", key).
			Update("created_at", time.Now().Add(-age).UTC()).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// waitPurged waits until the running process has deleted the gone key, then checks that the
// kept one is still there.
func waitPurged(t *testing.T, db *gorm.DB, gone, kept string) {
	t.Helper()
	ctx := context.Background()
	st := models.NewStore(db)
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, err := st.GetIdempotencyRecord(ctx, "demo-applicant", gone)
		if errors.Is(err, models.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the answer stored past the retention (%q) was never purged", gone)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := st.GetIdempotencyRecord(ctx, "demo-applicant", kept); err != nil {
		t.Fatalf("the answer younger than the retention (%q) was purged too: %v", kept, err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestAPIProcessRefusesAnotherProfilesDatabase: a database is the jurisdiction's it was first
// served under. An API started under another profile on it stops at once, naming both, instead
// of serving 宁夏's departments and catalog under 内乡's rules; under the database's own
// profile it starts.
func TestAPIProcessRefusesAnotherProfilesDatabase(t *testing.T) {
	dataDir, db := newAPIDatabase(t)
	startAPIProcess(t, dataDir, db, "--profile", "ningxia")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, []string{"api", "--profile", "neixiang", "--data-dir", dataDir,
		"--db-dsn", filepath.Join(dataDir, "datashare.db"), "--http-addr", fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
		"--temporal-address", "127.0.0.1:1", "--log-level", "error"})
	if err == nil || !strings.Contains(err.Error(), "DATASHARE_PROFILE=neixiang") || !strings.Contains(err.Error(), "ningxia") {
		t.Fatalf("api under neixiang on ningxia's database: %v, want a refusal naming both", err)
	}
}
