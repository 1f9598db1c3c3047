//go:build embedded

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// TestAPIAndWorkerProcesses runs `datashare worker` and `datashare api` as operators start them,
// two processes on one database against a Temporal server (the embedded one stands in for the
// cluster). An admin's calendar edit through the API moves the deadline of a running share
// request: the worker process's calendar watch signals it.
func TestAPIAndWorkerProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded Temporal server")
	}
	quiet := slog.New(slog.DiscardHandler)
	dataDir, db := newAPIDatabase(t)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t),
		UIPort: -1, SearchAttributes: contract.SearchAttributes(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"worker",
			"--data-dir", dataDir,
			"--db-dsn", filepath.Join(dataDir, "datashare.db"),
			"--http-addr", fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
			"--temporal-address", srv.FrontendHostPort(),
			"--log-level", "warn",
		})
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("datashare worker stopped with error: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("datashare worker did not stop within a minute")
		}
	}()
	api := startAPIProcess(t, dataDir, db, "--temporal-address", srv.FrontendHostPort())

	signer, err := auth.LoadOrCreateDevKey(filepath.Join(dataDir, "dev-signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	token := func(id string) string {
		t.Helper()
		u, err := models.NewStore(db).GetUser(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := signer.Sign(principalOfUser(*u), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	applicant, admin := token("demo-applicant"), token("demo-admin")

	status, body := call(t, "POST", api.base+"/api/v1/share-requests", applicant,
		`{"resource_id":2,"purpose":"社会保险待遇资格认证","scope":"法定代表人姓名","requested_validity_days":30}`)
	var req struct {
		ID string `json:"id"`
	}
	if status != 201 || json.Unmarshal(body, &req) != nil || req.ID == "" {
		t.Fatalf("create share request: %d %s", status, body)
	}
	// The watch finds running workflows through visibility, and the request's deadline is read
	// from its row: wait for both before the edit.
	tc, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	query := fmt.Sprintf("WorkflowId = '%s' AND ExecutionStatus = 'Running'", contract.ShareRequestWorkflowID(req.ID))
	for deadline := time.Now().Add(time.Minute); ; {
		listed, err := tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", Query: query})
		status, body := call(t, "GET", api.base+"/api/v1/share-requests/"+req.ID, applicant, "")
		var row struct {
			DueAt string `json:"due_at"`
		}
		if err == nil && len(listed.GetExecutions()) == 1 && status == 200 && json.Unmarshal(body, &row) == nil && row.DueAt != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("share request %s not listed as running (%v) or without its deadline: %d %s", req.ID, err, status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkCalendarEditMovesDeadline(t, api.base, admin, applicant, req.ID)
}
