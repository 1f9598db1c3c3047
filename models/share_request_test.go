package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

var cstZone = time.FixedZone("CST", 8*3600)

func shareRequestAt(rev int, status string) models.ShareRequest {
	created := time.Date(2026, 2, 12, 10, 0, 0, 0, cstZone)
	due := time.Date(2026, 3, 4, 23, 59, 59, 0, cstZone)
	return models.ShareRequest{
		ID: "SR-1", ResourceID: 7, ResourceCode: "NX-1", ResourceName: "企业年报信息",
		ApplicantDeptID: deptB, ApplicantSubject: "bob", ProviderDeptID: deptA, DecidingDeptID: deptA,
		FormJSON: `{"purpose":"信用监管","scope":"名称、统一社会信用代码","requested_validity_days":365}`,
		Status:   status, CurrentStep: "reply", DueAt: &due, WorkflowID: "share-request-SR-1",
		LegalBasisJSON: `["《办法》第十一条第三款"]`, Revision: rev, CreatedAt: created,
		UpdatedAt: created.Add(time.Duration(rev) * time.Minute),
	}
}

func TestUpsertShareRequestAppliesHigherRevisionsOnly(t *testing.T) {
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
			{"insert", 2, models.ShareRequestPending, true, 2, models.ShareRequestPending},
			{"retry ignored", 2, "stale", false, 2, models.ShareRequestPending},
			{"lower revision ignored", 1, "stale", false, 2, models.ShareRequestPending},
			{"higher revision applied", 4, models.ShareRequestGranted, true, 4, models.ShareRequestGranted},
			{"older after newer ignored", 3, models.ShareRequestRefused, false, 4, models.ShareRequestGranted},
		}
		for _, s := range steps {
			applied, err := st.UpsertShareRequest(ctx, shareRequestAt(s.rev, s.status))
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if applied != s.wantApplied {
				t.Errorf("%s: applied = %v, want %v", s.name, applied, s.wantApplied)
			}
			got, err := st.GetShareRequest(ctx, "SR-1")
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got.Revision != s.wantRev || got.Status != s.wantStatus {
				t.Errorf("%s: stored revision %d status %q, want %d %q", s.name, got.Revision, got.Status, s.wantRev, s.wantStatus)
			}
		}
		want := shareRequestAt(4, models.ShareRequestGranted)
		got, err := st.GetShareRequest(ctx, "SR-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.DueAt == nil || !got.DueAt.Equal(*want.DueAt) || !got.CreatedAt.Equal(want.CreatedAt) ||
			!got.UpdatedAt.Equal(want.UpdatedAt) || got.ClosedAt != nil || got.ResourceName != want.ResourceName ||
			got.LegalBasisJSON != want.LegalBasisJSON || got.ResourceID != 7 || got.FormJSON != want.FormJSON {
			t.Errorf("stored request = %+v, want %+v", got, want)
		}

		// Closing clears the due time and sets closed_at.
		closed := shareRequestAt(5, models.ShareRequestWithdrawn)
		closedAt := closed.UpdatedAt
		closed.DueAt, closed.ClosedAt, closed.CurrentStep = nil, &closedAt, ""
		if _, err := st.UpsertShareRequest(ctx, closed); err != nil {
			t.Fatal(err)
		}
		got, err = st.GetShareRequest(ctx, "SR-1")
		if err != nil || got.DueAt != nil || got.ClosedAt == nil || !got.ClosedAt.Equal(closedAt) || got.CurrentStep != "" {
			t.Errorf("closed request = %+v, %v", got, err)
		}

		if _, err := st.GetShareRequest(ctx, "SR-404"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("missing request: %v, want ErrNotFound", err)
		}
		bad := shareRequestAt(1, "")
		bad.ID = ""
		var ve *models.ValidationError
		if _, err := st.UpsertShareRequest(ctx, bad); !errors.As(err, &ve) || ve.Fields["id"] == "" || ve.Fields["status"] == "" {
			t.Errorf("invalid request: %v, want a validation error on id and status", err)
		}
	})
}

func grantAt(rev int, status string) models.Grant {
	from := time.Date(2026, 2, 13, 10, 0, 0, 0, cstZone)
	return models.Grant{
		ID: "G-SR-1", RequestID: "SR-1", ResourceID: 7, ConsumerDeptID: deptB, ProviderDeptID: deptA,
		Scope: "名称", UsagePurpose: "信用监管", Conditions: "仅限本部门", ValidFrom: from,
		ValidUntil: from.AddDate(0, 0, 365), Status: status, Revision: rev, UpdatedAt: from,
	}
}

func TestUpsertGrant(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, g := range []models.Grant{grantAt(1, models.GrantActive), grantAt(1, models.GrantActive)} {
			if _, err := st.UpsertGrant(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		suspended := grantAt(2, models.GrantSuspended)
		suspended.StatusReason = "超范围使用"
		if applied, err := st.UpsertGrant(ctx, suspended); err != nil || !applied {
			t.Fatalf("suspend: %v, %v", applied, err)
		}
		if applied, err := st.UpsertGrant(ctx, grantAt(1, models.GrantActive)); err != nil || applied {
			t.Fatalf("stale retry: applied %v, %v", applied, err)
		}
		got, err := st.GetGrantByRequest(ctx, "SR-1")
		if err != nil {
			t.Fatal(err)
		}
		want := grantAt(2, models.GrantSuspended)
		if got.ID != "G-SR-1" || got.Status != models.GrantSuspended || got.StatusReason != "超范围使用" ||
			!got.ValidUntil.Equal(want.ValidUntil) || !got.ValidFrom.Equal(want.ValidFrom) || got.Revision != 2 {
			t.Errorf("stored grant = %+v", got)
		}

		// One grant per request: another id for the same request is a conflict.
		other := grantAt(1, models.GrantActive)
		other.ID = "G-other"
		if _, err := st.UpsertGrant(ctx, other); !errors.Is(err, models.ErrConflict) {
			t.Errorf("second grant of a request: %v, want ErrConflict", err)
		}
		bad := grantAt(1, "paused")
		bad.ID, bad.ValidUntil = "G-bad", bad.ValidFrom
		var ve *models.ValidationError
		if _, err := st.UpsertGrant(ctx, bad); !errors.As(err, &ve) || ve.Fields["status"] == "" || ve.Fields["valid_until"] == "" {
			t.Errorf("invalid grant: %v", err)
		}
		if _, err := st.GetGrant(ctx, "G-404"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("missing grant: %v", err)
		}
	})
}
