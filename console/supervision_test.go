package console

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datashare/datashare/models"
)

// supervisionAPI serves a supervision task (督办) to the authority and records the actions
// posted on it.
type supervisionAPI struct {
	fakeAPI
	task string // the body of GET /api/v1/tasks/{id}
	mu   sync.Mutex
	sent []string // "POST path body"
}

func (f *supervisionAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/api/v1/me":
		_, _ = w.Write([]byte(`{"subject":"u1","name":"督办人","department_id":"auth","department_name":"数据主管部门","roles":["authority"]}`))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/tasks/"):
		_, _ = w.Write([]byte(f.task))
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/tasks/"):
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.sent = append(f.sent, "POST "+r.URL.EscapedPath()+" "+string(b))
		f.mu.Unlock()
		_, _ = w.Write([]byte(f.task))
	default:
		f.fakeAPI.ServeHTTP(w, r)
	}
}

// A supervision task's page offers what supervision is for — comment and urge, sent to the
// supervision task, whose API acts on the task supervised, linked — and no claim, transfer
// or decision.
func TestSupervisionTaskPageOffersCommentAndUrgeOnly(t *testing.T) {
	f := &supervisionAPI{task: `{"id":"share-request-SR-1~reply~1~supervision","kind":"supervision",
	  "parent_task_id":"share-request-SR-1~reply~1","request_id":"SR-1","procedure":"share","step":"reply",
	  "candidate_department_id":"auth","candidate_role":"authority","status":"open","received_at":"2026-03-05T00:00:00+08:00",
	  "due_at":null,"legal_basis":[],"overdue":true,"urge_count":0,"decisions":[],
	  "actions":["comment","urge","rectification"],"updated_at":"2026-03-05T00:00:00+08:00","timeline":[]}`}
	d := Deps{API: f, Key: make([]byte, KeySize),
		DevSign:  func(context.Context, string, time.Duration) (string, error) { return "tok", nil },
		DevUsers: func(context.Context) ([]DevUser, error) { return []DevUser{{ID: "u1", Name: "督办人"}}, nil }}
	c, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signInFake(t, srv, cl)

	path := "/console/tasks/share-request-SR-1~reply~1~supervision"
	resp, err := cl.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("task page: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`action="` + path + `/comment"`, `action="` + path + `/urge"`, `href="/console/tasks/share-request-SR-1~reply~1"`, "督办本身不签收"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, not := range []string{"/claim", "/transfer", "/complete", "作出决定"} {
		if strings.Contains(body, not) {
			t.Errorf("page offers %s", not)
		}
	}
	resp, err = cl.PostForm(srv.URL+path+"/urge", url.Values{"csrf": {csrf(t, page{Body: body})}, "text": {"请于本周内答复"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("urge: %d", resp.StatusCode)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sent) != 1 || f.sent[0] != `POST /api/v1/tasks/share-request-SR-1~reply~1~supervision/urge {"text":"请于本周内答复"}` {
		t.Errorf("sent %q", f.sent)
	}
}

// With the real API, the supervision task's page is built from the actions the API lists,
// while the task supervised keeps its forms.
func TestSupervisionTaskPageFromTheAPI(t *testing.T) {
	s := newStack(t, "ningxia", false)
	parent := "share-request-SR-1/reply/1"
	due := time.Date(2026, 3, 4, 23, 59, 59, 0, time.FixedZone("CST", 8*3600))
	for _, tk := range []models.Task{
		{TaskID: parent, Revision: 1, Kind: "step", WorkflowID: "share-request-SR-1", RequestID: "SR-1", Procedure: "share", Step: "reply",
			CandidateDepartmentID: models.DemoProvidingDeptID, CandidateRole: "approver", Status: "open", DueAt: &due, Overdue: true,
			DecisionsJSON: `[{"code":"approve","required_fields":["scope","usage_purpose","validity_days"]}]`, ReceivedAt: due.AddDate(0, 0, -20), UpdatedAt: due},
		{TaskID: parent + "/supervision", Revision: 2, Kind: "supervision", ParentTaskID: &parent, WorkflowID: "share-request-SR-1", RequestID: "SR-1",
			Procedure: "share", Step: "reply", CandidateDepartmentID: models.DemoAuthorityID, CandidateRole: "authority", Status: "open",
			Overdue: true, DecisionsJSON: "[]", ReceivedAt: due.Add(time.Second), UpdatedAt: due.Add(time.Second)},
	} {
		if _, err := s.store.UpsertTask(s.ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	b := s.browser()
	b.signIn("demo-authority")
	sup := b.get("/console/tasks/" + url.PathEscape(parent+"/supervision"))
	if sup.Status != 200 || !strings.Contains(sup.Body, "/urge\"") || !strings.Contains(sup.Body, "/comment\"") ||
		strings.Contains(sup.Body, "/claim\"") || strings.Contains(sup.Body, "/transfer\"") {
		t.Errorf("supervision task page: %d\n%s", sup.Status, sup.Body)
	}
	// The authority sees the overdue task itself with its transfer form (re-routing).
	if p := b.get("/console/tasks/" + url.PathEscape(parent)); p.Status != 200 || !strings.Contains(p.Body, "/transfer\"") {
		t.Errorf("overdue task page: %d\n%s", p.Status, p.Body)
	}
}
