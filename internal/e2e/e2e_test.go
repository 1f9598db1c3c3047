package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/datashare/datashare/models"
)

// The token file names users as `datashare dev` prints them (TOKEN_ and the id without
// "demo-", upper-cased, "-" as "_"); every demo user must come back under its id.
func TestParseDemoTokens(t *testing.T) {
	var file strings.Builder
	for _, u := range models.DemoUsersFor(Jurisdiction) {
		fmt.Fprintf(&file, "TOKEN_%s=tok-%s\n", strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(u.ID, "demo-"), "-", "_")), u.ID)
	}
	got, err := ParseDemoTokens(strings.NewReader(file.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range models.DemoUsersFor(Jurisdiction) {
		if got[u.ID] != "tok-"+u.ID {
			t.Errorf("token of %s = %q, want %q (all: %v)", u.ID, got[u.ID], "tok-"+u.ID, got)
		}
	}
	for _, id := range []string{UserApplicant, UserRSTApprover, UserApprover, UserDeptHead, UserAuthority, UserTech, UserAdmin, UserCitizen} {
		if got[id] == "" {
			t.Errorf("no demo user %s in the %s demo set", id, Jurisdiction)
		}
	}
	if _, err := ParseDemoTokens(strings.NewReader("TOKEN_APPLICANT\n")); err == nil {
		t.Error("a line without a token was accepted")
	}
}

func TestAttrsQuery(t *testing.T) {
	got := Attrs{Procedure: "share", Status: "granted", ProviderDept: "neixiang-scjg", Completed: true}.Query("share-request-SR-1")
	want := "WorkflowId = 'share-request-SR-1' AND DatashareJurisdiction = 'neixiang' AND DatashareProcedure = 'share' AND " +
		"DatashareStatus = 'granted' AND DatashareProviderDept = 'neixiang-scjg' AND ExecutionStatus = 'Completed'"
	if got != want {
		t.Errorf("query\n got %s\nwant %s", got, want)
	}
}

// A failed expectation names method, URL, status and the body; a task id travels escaped.
func TestExpectMessageAndTaskPath(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.RawPath
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"error":{"code":"conflict","message":"task already decided"}}`)
	}))
	defer srv.Close()

	url := TaskPath(srv.URL, "share-request-SR-1/reply/1", "complete")
	resp := Send(t, Request{Method: "POST", URL: url, Token: "t", Body: map[string]any{"decision": "approve"}})
	if path != "/api/v1/tasks/share-request-SR-1%2Freply%2F1/complete" {
		t.Errorf("raw path %q", path)
	}
	if resp.Status != 409 || resp.JSON["error"] == nil {
		t.Fatalf("response %s, JSON %v", resp, resp.JSON)
	}
	msg := resp.String()
	for _, part := range []string{"POST", url, "409", "task already decided"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q lacks %q", msg, part)
		}
	}
}
