package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func auditEvent(key, dept, action string, at time.Time, resource int64) models.AuditEvent {
	e := models.AuditEvent{EventKey: key, At: at, Actor: "u-" + dept, DepartmentID: dept, Action: action,
		Procedure: "share", RequestID: "SR-1", Object: "G-SR-1", HTTPRequestID: "req-" + key, DetailsJSON: `{"records":3}`}
	if resource != 0 {
		e.ResourceID = &resource
	}
	return e
}

// Audit events are appended once per key, listed newest first with filters and a cursor, and
// purged by age only.
func TestAuditEvents(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for i := range 7 {
			dept, action := "dept-a", models.AuditDataProvided
			if i%2 == 1 {
				dept, action = "dept-b", "completeTask"
			}
			e := auditEvent(fmt.Sprintf("k%d", i), dept, action, base.Add(time.Duration(i)*time.Hour), int64(1+i%3))
			if ok, err := st.AppendAuditEvent(ctx, &e); err != nil || !ok || e.ID == 0 {
				t.Fatalf("append %d: %v, %v", i, ok, err)
			}
		}
		again := auditEvent("k3", "dept-x", "other", base, 0)
		if ok, err := st.AppendAuditEvent(ctx, &again); err != nil || ok {
			t.Fatalf("a repeated key = %v, %v; want ignored", ok, err)
		}
		if _, err := st.AppendAuditEvent(ctx, &models.AuditEvent{EventKey: "k9"}); err == nil {
			t.Error("an event without action and time was stored")
		}

		keys := func(f models.AuditFilter) []string {
			t.Helper()
			var out []string
			for {
				page, next, err := st.ListAuditEvents(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range page {
					out = append(out, e.EventKey)
				}
				if next == "" {
					return out
				}
				f.Cursor = next
			}
		}
		for name, tc := range map[string]struct {
			f    models.AuditFilter
			want string
		}{
			"all, newest first, in pages of 2": {models.AuditFilter{Limit: 2}, "[k6 k5 k4 k3 k2 k1 k0]"},
			"department":                       {models.AuditFilter{DepartmentID: "dept-b"}, "[k5 k3 k1]"},
			"resource":                         {models.AuditFilter{ResourceID: 1}, "[k6 k3 k0]"},
			"actor and action":                 {models.AuditFilter{Actor: "u-dept-a", Action: models.AuditDataProvided}, "[k6 k4 k2 k0]"},
			"time range":                       {models.AuditFilter{From: base.Add(2 * time.Hour), To: base.Add(4 * time.Hour)}, "[k3 k2]"},
		} {
			if got := fmt.Sprint(keys(tc.f)); got != tc.want {
				t.Errorf("%s: %s, want %s", name, got, tc.want)
			}
		}
		if _, _, err := st.ListAuditEvents(ctx, models.AuditFilter{Cursor: "garbage"}); err == nil {
			t.Error("a malformed cursor was taken")
		}

		n, err := st.PurgeAuditEvents(ctx, base.Add(3*time.Hour))
		if err != nil || n != 3 {
			t.Fatalf("purged %d, %v; want 3", n, err)
		}
		if got := fmt.Sprint(keys(models.AuditFilter{})); got != "[k6 k5 k4 k3]" {
			t.Errorf("after the purge: %s", got)
		}
	})
}
