package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func newProjectionActivities(t *testing.T) (*activities.Activities, *models.Store, *gorm.DB) {
	t.Helper()
	db := modelstest.NewSQLite(t)
	st := models.NewStore(db)
	return &activities.Activities{Store: projection{store: st}}, st, db
}

func countRows(t *testing.T, db *gorm.DB, model any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func projectInput(rev int, status string) activities.ProjectTaskInput {
	due := cst("2026-03-04T23:59:59+08:00")
	return activities.ProjectTaskInput{
		TaskID: "share-request/R1/reply/1", Revision: rev, Kind: activities.TaskKindStep,
		WorkflowID: "share-request/R1", RequestID: "R1", Procedure: "share", Step: "reply",
		CandidateDepartmentID: "dept-a", CandidateRole: "approver", Status: status,
		Decisions:  []activities.DecisionOption{{Code: "approve", RequiredFields: []string{"scope"}}, {Code: "refuse"}},
		ReceivedAt: cst("2026-02-12T10:00:00+08:00"), DueAt: &due, CalendarVersion: "cn-2026.1",
		LegalBasis: []string{"《条例》第十一条"}, UpdatedAt: cst("2026-02-12T10:00:01+08:00"),
	}
}

// Running the same projection twice (a Temporal retry) leaves one row, and an older revision
// arriving after a newer one does not take the task back.
func TestProjectTaskIsIdempotent(t *testing.T) {
	a, st, db := newProjectionActivities(t)
	ctx := context.Background()

	for range 2 {
		if _, err := a.ProjectTask(ctx, projectInput(1, activities.TaskOpen)); err != nil {
			t.Fatalf("project revision 1: %v", err)
		}
	}
	if n := countRows(t, db, &models.Task{}); n != 1 {
		t.Fatalf("task rows after two identical projections = %d, want 1", n)
	}

	done := projectInput(3, activities.TaskCompleted)
	done.Decision, done.Assignee = "approve", "u-1"
	if _, err := a.ProjectTask(ctx, done); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProjectTask(ctx, projectInput(2, activities.TaskOpen)); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetTask(ctx, done.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 3 || got.Status != activities.TaskCompleted || got.Decision != "approve" || got.Assignee != "u-1" {
		t.Errorf("task after revisions 1, 3, 2 = %+v, want revision 3 completed by u-1", got)
	}
	var decisions []activities.DecisionOption
	if err := json.Unmarshal([]byte(got.DecisionsJSON), &decisions); err != nil ||
		!slices.EqualFunc(decisions, done.Decisions, func(x, y activities.DecisionOption) bool {
			return x.Code == y.Code && slices.Equal(x.RequiredFields, y.RequiredFields)
		}) {
		t.Errorf("decisions = %s (%v), want %+v", got.DecisionsJSON, err, done.Decisions)
	}
	if got.LegalBasisJSON != `["《条例》第十一条"]` || got.ParentTaskID != nil ||
		got.DueAt == nil || !got.DueAt.Equal(*done.DueAt) {
		t.Errorf("legal basis %s, parent %v, due %v", got.LegalBasisJSON, got.ParentTaskID, got.DueAt)
	}
}

func TestProjectTaskInvalidIsNonRetryable(t *testing.T) {
	a, _, _ := newProjectionActivities(t)
	_, err := a.ProjectTask(context.Background(), projectInput(0, activities.TaskOpen))
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != activities.ErrTypeInvalid {
		t.Errorf("project revision 0: err = %v, want a non-retryable %q error", err, activities.ErrTypeInvalid)
	}
}

// A retried append leaves one row, with the content of the first call.
func TestAppendTimelineIsIdempotent(t *testing.T) {
	a, st, db := newProjectionActivities(t)
	ctx := context.Background()
	in := activities.AppendTimelineInput{
		EventID: "share-request/R1/reply/1#1", Seq: 1, TaskID: "share-request/R1/reply/1",
		WorkflowID: "share-request/R1", RequestID: "R1", Procedure: "share", Step: "reply",
		Kind: activities.EventCompleted, At: cst("2026-02-13T09:30:00+08:00"), Actor: "u-1", DepartmentID: "dept-a",
		Text: "同意共享", Data: map[string]any{"decision": "approve"},
	}
	for range 2 {
		if _, err := a.AppendTimeline(ctx, in); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if n := countRows(t, db, &models.TimelineEvent{}); n != 1 {
		t.Fatalf("timeline rows after two identical appends = %d, want 1", n)
	}
	// A decision is in the audit log too, once.
	if n := countRows(t, db, &models.AuditEvent{}); n != 1 {
		t.Fatalf("audit rows after two identical appends = %d, want 1", n)
	}
	events, err := st.ListTimeline(ctx, "R1")
	if err != nil || len(events) != 1 {
		t.Fatalf("timeline = %+v, %v", events, err)
	}
	e := events[0]
	if e.Kind != activities.EventCompleted || e.Text != "同意共享" || e.DataJSON != `{"decision":"approve"}` ||
		!e.At.Equal(in.At) || e.Seq != 1 || e.Actor != "u-1" {
		t.Errorf("stored event = %+v", e)
	}
}

// cst parses an RFC 3339 time for the tables above.
func cst(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A shared task keeps its partner department and the pending proposal; a later revision
// without a proposal clears it.
func TestProjectSharedTaskProposal(t *testing.T) {
	a, st, _ := newProjectionActivities(t)
	ctx := context.Background()
	in := projectInput(1, activities.TaskOpen)
	in.PartnerDepartmentID, in.PartnerRole = "dept-b", "applicant"
	in.Proposal = &activities.Proposal{Decision: "agree", Fields: map[string]any{"scope": "姓名"}, By: "u-2",
		DepartmentID: "dept-b", At: cst("2026-02-13T10:00:00+08:00")}
	if _, err := a.ProjectTask(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetTask(ctx, in.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	var p activities.Proposal
	if got.PartnerDepartmentID != "dept-b" || got.PartnerRole != "applicant" || got.ProposalJSON == nil ||
		json.Unmarshal([]byte(*got.ProposalJSON), &p) != nil || p.By != "u-2" || p.Fields["scope"] != "姓名" {
		t.Fatalf("task = %+v", got)
	}
	in.Revision, in.Proposal, in.Status = 2, nil, activities.TaskCompleted
	if _, err := a.ProjectTask(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got, _ = st.GetTask(ctx, in.TaskID); got.ProposalJSON != nil {
		t.Errorf("proposal after it was accepted = %s", *got.ProposalJSON)
	}
}

// Decisions, grants and submissions reach the audit log with the share request's resource;
// a task's bookkeeping and the clock's alarms do not.
func TestTimelineEventsInTheAuditLog(t *testing.T) {
	a, st, _ := newProjectionActivities(t)
	ctx := context.Background()
	if err := (shareProjection{store: st}).SaveShareRequest(ctx, activities.ProjectShareRequestInput{
		ID: "SR-9", Revision: 1, WorkflowID: "share-request-SR-9", ResourceID: 42, ResourceCode: "NX-1", ResourceName: "x",
		ApplicantDeptID: "dept-b", ApplicantSubject: "u-2", ProviderDeptID: "dept-a", DecidingDeptID: "dept-a",
		Form: map[string]any{"purpose": "p", "scope": "s", "requested_validity_days": 30}, Status: "pending", CreatedAt: cst("2026-02-13T09:00:00+08:00"),
		UpdatedAt: cst("2026-02-13T09:00:00+08:00"),
	}); err != nil {
		t.Fatal(err)
	}
	for i, kind := range []string{activities.EventReminded, activities.EventCompleted, activities.EventGranted, activities.EventCommented} {
		in := activities.AppendTimelineInput{EventID: fmt.Sprintf("share-request-SR-9/request#%d", i+1), Seq: i + 1,
			TaskID: "share-request-SR-9/request", WorkflowID: "share-request-SR-9", RequestID: "SR-9", Procedure: "share",
			Kind: kind, At: cst("2026-02-13T10:00:00+08:00"), Actor: "u-1", DepartmentID: "dept-a"}
		if _, err := a.AppendTimeline(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	events, _, err := st.ListAuditEvents(ctx, models.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.ResourceID == nil || *e.ResourceID != 42 || e.RequestID != "SR-9" || e.Actor != "u-1" {
			t.Errorf("audit event %+v", e)
		}
		got = append(got, e.Action)
	}
	if !slices.Equal(got, []string{activities.EventGranted, activities.EventCompleted}) {
		t.Errorf("audited = %v, want granted and completed", got)
	}
}

// Reminders, overdue notices (to the supervising authority too), proposals (to the other side
// only) and side tasks reach the right people as notifications, once each.
func TestNotificationsFromTheTimeline(t *testing.T) {
	a, st, _ := newProjectionActivities(t)
	ctx := context.Background()
	task := projectInput(1, activities.TaskOpen)
	task.PartnerDepartmentID, task.PartnerRole = "dept-b", "applicant"
	if _, err := a.ProjectTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	sup := projectInput(2, activities.TaskOpen)
	sup.TaskID, sup.Kind, sup.ParentTaskID, sup.CandidateDepartmentID, sup.CandidateRole = task.TaskID+"/supervision",
		activities.TaskKindSupervision, task.TaskID, "dept-auth", "authority"
	for range 2 {
		if _, err := a.ProjectTask(ctx, sup); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range []struct{ kind, dept string }{
		{activities.EventReminded, ""}, {activities.EventOverdue, ""}, {activities.EventProposed, "dept-b"}, {activities.EventCommented, "dept-b"},
	} {
		in := activities.AppendTimelineInput{EventID: fmt.Sprintf("%s#%d", task.TaskID, i+1), Seq: i + 1, TaskID: task.TaskID,
			WorkflowID: task.WorkflowID, RequestID: task.RequestID, Procedure: "share", Step: "negotiate", Kind: e.kind,
			At: cst("2026-03-02T09:00:00+08:00"), DepartmentID: e.dept}
		for range 2 {
			if _, err := a.AppendTimeline(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string][]string{}
	for _, who := range []models.NotificationFilter{
		{DepartmentID: "dept-a", Roles: []string{"approver"}, Subject: "ann"},
		{DepartmentID: "dept-b", Roles: []string{"applicant"}, Subject: "bob"},
		{DepartmentID: "dept-auth", Roles: []string{"authority"}, Subject: "carol"},
	} {
		items, _, _, err := st.ListNotifications(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range items {
			got[who.DepartmentID] = append(got[who.DepartmentID], n.Kind)
		}
	}
	want := map[string][]string{
		"dept-a":    {activities.EventProposed, activities.EventOverdue, activities.EventReminded},
		"dept-b":    {activities.EventOverdue, activities.EventReminded},
		"dept-auth": {activities.EventOverdue, activities.TaskKindSupervision},
	}
	for dept, kinds := range want {
		if !slices.Equal(got[dept], kinds) {
			t.Errorf("%s notified of %v, want %v", dept, got[dept], kinds)
		}
	}
}
