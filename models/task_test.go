package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func taskAt(rev int, status string) models.Task {
	received := time.Date(2026, 2, 12, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	due := time.Date(2026, 3, 4, 23, 59, 59, 0, time.FixedZone("CST", 8*3600))
	return models.Task{
		TaskID: "share-request/R1/reply/1", Revision: rev, Kind: "step",
		WorkflowID: "share-request/R1", RequestID: "R1", Procedure: "share", Step: "reply",
		CandidateDepartmentID: deptA, CandidateRole: "approver", Status: status,
		DecisionsJSON: `[{"code":"approve"}]`, ReceivedAt: received, DueAt: &due,
		CalendarVersion: "v1", LegalBasisJSON: `["《条例》第十一条"]`, UrgeCount: rev,
		UpdatedAt: received.Add(time.Duration(rev) * time.Minute),
	}
}

func TestUpsertTaskAppliesHigherRevisionsOnly(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)

		steps := []struct {
			name        string
			rev         int
			status      string
			wantApplied bool
			wantRev     int
			wantStatus  string
		}{
			{"insert", 2, "open", true, 2, "open"},
			{"lower revision ignored", 1, "stale", false, 2, "open"},
			{"equal revision ignored", 2, "stale", false, 2, "open"},
			{"higher revision applied", 5, "completed", true, 5, "completed"},
			{"older retry after newer ignored", 4, "open", false, 5, "completed"},
		}
		for _, s := range steps {
			in := taskAt(s.rev, s.status)
			applied, err := st.UpsertTask(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if applied != s.wantApplied {
				t.Errorf("%s: applied = %v, want %v", s.name, applied, s.wantApplied)
			}
			got, err := st.GetTask(ctx, in.TaskID)
			if err != nil {
				t.Fatalf("%s: get: %v", s.name, err)
			}
			if got.Revision != s.wantRev || got.Status != s.wantStatus || got.UrgeCount != s.wantRev {
				t.Errorf("%s: stored revision %d status %q urges %d, want %d %q %d",
					s.name, got.Revision, got.Status, got.UrgeCount, s.wantRev, s.wantStatus, s.wantRev)
			}
		}

		// Every field survives the round trip; times come back as the same instants in UTC.
		want := taskAt(5, "completed")
		got, err := st.GetTask(ctx, want.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DueAt == nil || !got.DueAt.Equal(*want.DueAt) || !got.ReceivedAt.Equal(want.ReceivedAt) ||
			!got.UpdatedAt.Equal(want.UpdatedAt) || got.LastUrgedAt != nil || got.ParentTaskID != nil ||
			got.DecisionsJSON != want.DecisionsJSON || got.LegalBasisJSON != want.LegalBasisJSON ||
			got.Procedure != "share" || got.CandidateDepartmentID != deptA {
			t.Errorf("stored task = %+v, want %+v", got, want)
		}
	})
}

func TestUpsertTaskConcurrentRevisionsEndAtHighest(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for round := range 3 {
			id := fmt.Sprintf("wf/step/%d", round)
			var wg sync.WaitGroup
			errs := make([]error, 10)
			applied := make([]bool, 10)
			for i := range 10 {
				wg.Go(func() {
					in := taskAt(i+1, fmt.Sprintf("rev-%d", i+1))
					in.TaskID = id
					applied[i], errs[i] = st.UpsertTask(ctx, in)
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d: upsert revision %d: %v", round, i+1, err)
				}
			}
			if !applied[9] {
				t.Errorf("round %d: revision 10 was not applied", round)
			}
			got, err := st.GetTask(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Revision != 10 || got.Status != "rev-10" {
				t.Errorf("round %d: stored revision %d status %q, want 10 rev-10", round, got.Revision, got.Status)
			}
		}
	})
}

func TestUpsertTaskRejectsInvalidAndGetTaskNotFound(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		bad := taskAt(0, "open")
		if _, err := st.UpsertTask(ctx, bad); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("upsert revision 0: err = %v, want ErrInvalid", err)
		}
		if _, err := st.GetTask(ctx, bad.TaskID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("get missing task: err = %v, want ErrNotFound", err)
		}
	})
}

func TestAppendTimelineEventIgnoresDuplicatesAndOrders(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		cst := time.FixedZone("CST", 8*3600)
		t0 := time.Date(2026, 2, 12, 10, 0, 0, 0, cst)
		ev := func(task string, seq int, at time.Time, text string) models.TimelineEvent {
			return models.TimelineEvent{EventID: fmt.Sprintf("%s#%d", task, seq), Seq: seq, TaskID: task,
				WorkflowID: "wf-R1", RequestID: "R1", Procedure: "share", Step: "reply", Kind: "commented",
				At: at, Actor: "u1", DepartmentID: deptA, Text: text, DataJSON: `{"n":1}`}
		}
		// Inserted out of order: two events at the same instant, one in between given in UTC
		// (the order is by instant, whatever the offset), one of another request.
		events := []models.TimelineEvent{
			ev("T1", 3, t0.Add(time.Hour), "third"),
			ev("T1", 2, t0.Add(time.Hour), "second"),
			ev("T1", 1, t0, "first"),
			ev("T2", 1, t0.Add(30*time.Minute).In(time.UTC), "between"),
		}
		other := ev("T9", 1, t0, "other request")
		other.RequestID = "R2"
		events = append(events, other)
		for _, e := range events {
			inserted, err := st.AppendTimelineEvent(ctx, e)
			if err != nil || !inserted {
				t.Fatalf("append %s = %v, %v", e.EventID, inserted, err)
			}
		}
		dup := ev("T1", 2, t0.Add(2*time.Hour), "retried")
		inserted, err := st.AppendTimelineEvent(ctx, dup)
		if err != nil || inserted {
			t.Errorf("append duplicate = %v, %v, want false, nil", inserted, err)
		}

		got, err := st.ListTimeline(ctx, "R1")
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, e := range got {
			texts = append(texts, e.Text)
		}
		want := []string{"first", "between", "second", "third"}
		if fmt.Sprint(texts) != fmt.Sprint(want) {
			t.Errorf("timeline = %v, want %v", texts, want)
		}
		if len(got) > 0 && (!got[0].At.Equal(t0) || got[0].DataJSON != `{"n":1}` || got[0].CreatedAt.IsZero()) {
			t.Errorf("first event = %+v", got[0])
		}
		var n int64
		db.Model(&models.TimelineEvent{}).Where("event_id = ?", "T1#2").Count(&n)
		if n != 1 {
			t.Errorf("rows with event_id T1#2 = %d, want 1", n)
		}
	})
}
