package models_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func TestCalendarEditsRaiseTheRevision(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := models.NewStore(db)
		data, err := s.CalendarData(ctx)
		if err != nil || data.Revision != 0 || len(data.Overrides) != 0 || len(data.Years) != 0 {
			t.Fatalf("fresh calendar = %+v, %v", data, err)
		}
		rev, created, err := s.PutCalendarOverride(ctx, models.CalendarOverride{Day: "2026-10-09", Workday: false, Name: "地方调整", Source: "宁政办发〔2026〕1号"}, "demo-admin")
		if err != nil || rev != 1 || !created {
			t.Fatalf("put = %d %v %v", rev, created, err)
		}
		rev, created, err = s.PutCalendarOverride(ctx, models.CalendarOverride{Day: "2026-10-09", Workday: true, Name: "更正", Source: "更正说明"}, "demo-admin")
		if err != nil || rev != 2 || created {
			t.Fatalf("replace = %d %v %v", rev, created, err)
		}
		rev, err = s.LoadCalendarYear(ctx, 2027, "国务院办公厅关于2027年部分节假日安排的通知", []models.CalendarYearDay{
			{Day: "2027-02-06", Name: "春节"}, {Day: "2027-02-20", Workday: true, Name: "春节"},
		}, "demo-admin")
		if err != nil || rev != 3 {
			t.Fatalf("load year = %d %v", rev, err)
		}
		data, err = s.CalendarData(ctx)
		if err != nil || data.Revision != 3 || len(data.Overrides) != 1 || !data.Overrides[0].Workday || data.Overrides[0].Name != "更正" || len(data.Years) != 1 {
			t.Fatalf("calendar = %+v, %v", data, err)
		}
		days, err := data.Years[0].Days()
		if err != nil || len(days) != 2 || !days[1].Workday {
			t.Fatalf("year days = %+v, %v", days, err)
		}
		if _, err := s.DeleteCalendarOverride(ctx, "2026-10-10", "demo-admin"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("delete missing = %v", err)
		}
		if rev, err := s.DeleteCalendarOverride(ctx, "2026-10-09", "demo-admin"); err != nil || rev != 4 {
			t.Fatalf("delete = %d %v", rev, err)
		}
		log, err := s.ListCalendarChanges(ctx, 10)
		if err != nil || len(log) != 4 || log[0].Action != "delete_override" || log[3].Action != "put_override" || log[0].Actor != "demo-admin" {
			t.Fatalf("change log = %+v, %v", log, err)
		}
	})
}

func TestCalendarValidation(t *testing.T) {
	s := models.NewStore(modelstest.NewSQLite(t))
	ctx := context.Background()
	var ve *models.ValidationError
	if _, _, err := s.PutCalendarOverride(ctx, models.CalendarOverride{Day: "2026-02-30", Name: "x", Source: "y"}, "a"); !errors.As(err, &ve) || ve.Fields["date"] == "" {
		t.Fatalf("bad date: %v", err)
	}
	if _, _, err := s.PutCalendarOverride(ctx, models.CalendarOverride{Day: "2026-02-03"}, "a"); !errors.As(err, &ve) || ve.Fields["name"] == "" || ve.Fields["source"] == "" {
		t.Fatalf("missing name/source: %v", err)
	}
	if _, err := s.LoadCalendarYear(ctx, 2027, "n", []models.CalendarYearDay{{Day: "2028-01-01", Name: "元旦"}}, "a"); !errors.As(err, &ve) || ve.Fields["days[0].date"] == "" {
		t.Fatalf("day outside the year: %v", err)
	}
	if rev, _ := s.CalendarRevision(ctx); rev != 0 {
		t.Fatalf("refused edits raised the revision to %d", rev)
	}
}

func TestConcurrentCalendarEditsGetDistinctRevisions(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		s := models.NewStore(db)
		var wg sync.WaitGroup
		revs := make(chan int64, 6)
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				rev, _, err := s.PutCalendarOverride(context.Background(), models.CalendarOverride{Day: "2026-03-0" + string(rune('1'+i)), Name: "测试", Source: "测试"}, "a")
				if err != nil {
					t.Error(err)
				}
				revs <- rev
			}(i)
		}
		wg.Wait()
		close(revs)
		seen := map[int64]bool{}
		for r := range revs {
			if seen[r] {
				t.Fatalf("revision %d twice", r)
			}
			seen[r] = true
		}
		if rev, _ := s.CalendarRevision(context.Background()); rev != 6 {
			t.Fatalf("revision = %d, want 6", rev)
		}
	})
}

// TestOpenTasksOnOtherCalendar counts the open tasks whose deadline a calendar edit has not yet
// reached: not those on the current version, nor finished tasks or tasks without a deadline.
func TestOpenTasksOnOtherCalendar(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := models.NewStore(db)
		due := time.Date(2027, 10, 11, 23, 59, 59, 0, time.FixedZone("CST", 8*3600))
		rows := []struct {
			id, status, version string
			due                 *time.Time
		}{
			{"wf-1/reply/1", "open", "cn-2026.1+r0", &due}, // provisional, computed before 2027 was loaded
			{"wf-2/reply/1", "open", "cn-2026.1+r1", &due}, // already recomputed
			{"wf-3/reply/1", "completed", "cn-2026.1+r0", &due},
			{"wf-4/reply/1", "open", "", nil}, // no deadline
		}
		for _, r := range rows {
			task := models.Task{TaskID: r.id, Revision: 1, Kind: "step", WorkflowID: r.id[:4], RequestID: "SR-" + r.id[3:4],
				Procedure: "share", Step: "reply", CandidateDepartmentID: "dept-a", CandidateRole: "approver", Status: r.status,
				ReceivedAt: due.AddDate(0, 0, -14), DueAt: r.due, CalendarVersion: r.version, Provisional: r.version == "cn-2026.1+r0"}
			if _, err := s.UpsertTask(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		for version, want := range map[string]int64{"cn-2026.1+r1": 1, "cn-2026.1+r0": 1, "cn-2027.1+r1": 2} {
			if n, err := s.OpenTasksOnOtherCalendar(ctx, version); err != nil || n != want {
				t.Errorf("OpenTasksOnOtherCalendar(%s) = %d, %v; want %d", version, n, err, want)
			}
		}
	})
}
