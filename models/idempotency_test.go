package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func idemRecord(subject, key string) *models.IdempotencyRecord {
	return &models.IdempotencyRecord{
		Subject: subject, Key: key, Method: "POST", Route: "/api/v1/catalog/resources",
		RequestHash: strings.Repeat("0f", 32), Status: 201,
		Body: `{"id":1,"name":"企业年报信息"}`,
	}
}

// sameRecord compares records field by field; times by instant.
func sameRecord(a, b *models.IdempotencyRecord) bool {
	x, y := *a, *b
	x.CreatedAt, y.CreatedAt = time.Time{}, time.Time{}
	return x == y && a.CreatedAt.Equal(b.CreatedAt)
}

func TestIdempotencyRecordRoundTrip(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		_, err := st.GetIdempotencyRecord(ctx, "u1", "k1")
		wantErr(t, err, models.ErrNotFound)

		before := time.Now().Add(-time.Minute)
		rec := idemRecord("u1", "k1")
		// Larger than TEXT's 64 KiB, which MySQL would refuse: the column is MEDIUMTEXT.
		rec.Body = `{"description":"` + strings.Repeat("数据", 20000) + `"}`
		if err := st.SaveIdempotencyRecord(ctx, rec); err != nil {
			t.Fatalf("save: %v", err)
		}
		if rec.CreatedAt.Before(before) || rec.CreatedAt.Location() != time.UTC {
			t.Errorf("created at %v, want now in UTC", rec.CreatedAt)
		}
		got, err := st.GetIdempotencyRecord(ctx, "u1", "k1")
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		if !sameRecord(got, rec) {
			t.Errorf("got %+v, want %+v", got, rec)
		}
		// Keys compare byte-wise on both dialects: another case is another key.
		_, err = st.GetIdempotencyRecord(ctx, "u1", "K1")
		wantErr(t, err, models.ErrNotFound)
	})
}

func TestIdempotencyRecordKeysPerSubject(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		first := idemRecord("u1", "same-key")
		if err := st.SaveIdempotencyRecord(ctx, first); err != nil {
			t.Fatal(err)
		}
		// A concurrent request of the same caller with the same key lost the race.
		again := idemRecord("u1", "same-key")
		again.Body = `{"id":2}`
		wantErr(t, st.SaveIdempotencyRecord(ctx, again), models.ErrConflict, "same-key")
		got, err := st.GetIdempotencyRecord(ctx, "u1", "same-key")
		if err != nil || got.Body != first.Body {
			t.Errorf("stored answer replaced: %+v, %v", got, err)
		}
		// Another caller's key of the same name is independent.
		other := idemRecord("u2", "same-key")
		other.Body = `{"id":3}`
		if err := st.SaveIdempotencyRecord(ctx, other); err != nil {
			t.Fatalf("other subject: %v", err)
		}
		got, err = st.GetIdempotencyRecord(ctx, "u2", "same-key")
		if err != nil || got.Body != `{"id":3}` {
			t.Errorf("other subject's record = %+v, %v", got, err)
		}
	})
}

func TestIdempotencyRecordValidation(t *testing.T) {
	st := models.NewStore(modelstest.NewSQLite(t))
	tests := []struct {
		field  string
		change func(*models.IdempotencyRecord)
	}{
		{"subject", func(r *models.IdempotencyRecord) { r.Subject = "" }},
		{"idem_key", func(r *models.IdempotencyRecord) { r.Key = "" }},
		{"idem_key", func(r *models.IdempotencyRecord) { r.Key = strings.Repeat("k", models.MaxIdempotencyKeyLength+1) }},
		{"idem_key", func(r *models.IdempotencyRecord) { r.Key = "键" }},
		{"idem_key", func(r *models.IdempotencyRecord) { r.Key = "a\tb" }},
		{"method", func(r *models.IdempotencyRecord) { r.Method = "" }},
		{"route", func(r *models.IdempotencyRecord) { r.Route = "" }},
		{"request_hash", func(r *models.IdempotencyRecord) { r.RequestHash = "abc" }},
		{"request_hash", func(r *models.IdempotencyRecord) { r.RequestHash = strings.Repeat("AB", 32) }},
		{"status", func(r *models.IdempotencyRecord) { r.Status = 42 }},
		{"response_body", func(r *models.IdempotencyRecord) { r.Body = "\xff" }},
	}
	for _, tc := range tests {
		rec := idemRecord("u1", "k")
		tc.change(rec)
		wantFields(t, st.SaveIdempotencyRecord(context.Background(), rec), tc.field)
	}
	if err := st.SaveIdempotencyRecord(context.Background(), idemRecord("u1", strings.Repeat("k", models.MaxIdempotencyKeyLength))); err != nil {
		t.Errorf("key of the maximum length: %v", err)
	}
}

// A key is claimed before the request creates anything: a second claim conflicts, the first
// request completes it with its answer or releases it; an answer is never released, and an
// abandoned claim is released only by age.
func TestIdempotencyClaimCompleteRelease(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		rec := idemRecord("u1", "k1")
		if err := st.ClaimIdempotencyKey(ctx, rec); err != nil {
			t.Fatalf("claim: %v", err)
		}
		got, err := st.GetIdempotencyRecord(ctx, "u1", "k1")
		if err != nil || !got.Pending() || got.Body != "" || got.RequestHash != rec.RequestHash {
			t.Fatalf("claimed record = %+v, %v", got, err)
		}
		// The claimant learns the claim's time exactly as a retry reads it back.
		if rec.CreatedAt.IsZero() || !got.CreatedAt.Equal(rec.CreatedAt) {
			t.Fatalf("claim time %v, stored %v", rec.CreatedAt, got.CreatedAt)
		}
		wantErr(t, st.ClaimIdempotencyKey(ctx, rec), models.ErrConflict)

		// Released by age only when older than the claim.
		if err := st.ReleaseIdempotencyKey(ctx, "u1", "k1", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetIdempotencyRecord(ctx, "u1", "k1"); err != nil {
			t.Fatalf("a fresh claim was released by age: %v", err)
		}
		if err := st.CompleteIdempotencyKey(ctx, rec); err != nil {
			t.Fatalf("complete: %v", err)
		}
		got, _ = st.GetIdempotencyRecord(ctx, "u1", "k1")
		if got.Pending() || got.Status != 201 || got.Body != rec.Body {
			t.Fatalf("completed record = %+v", got)
		}
		wantErr(t, st.CompleteIdempotencyKey(ctx, rec), models.ErrNotFound)
		if err := st.ReleaseIdempotencyKey(ctx, "u1", "k1", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetIdempotencyRecord(ctx, "u1", "k1"); err != nil {
			t.Fatalf("a stored answer was released: %v", err)
		}

		// A failed request releases its claim; the key is free again.
		other := idemRecord("u1", "k2")
		if err := st.ClaimIdempotencyKey(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := st.ReleaseIdempotencyKey(ctx, "u1", "k2", time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, err = st.GetIdempotencyRecord(ctx, "u1", "k2")
		wantErr(t, err, models.ErrNotFound)
		if err := st.ClaimIdempotencyKey(ctx, other); err != nil {
			t.Fatalf("claim after release: %v", err)
		}
	})
}

// Keys older than the retention go, answered or pending; newer ones stay.
func TestPurgeIdempotencyKeys(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, k := range []string{"old-answer", "old-claim", "new"} {
			rec := idemRecord("u1", k)
			save := st.SaveIdempotencyRecord
			if k == "old-claim" {
				save = st.ClaimIdempotencyKey
			}
			if err := save(ctx, rec); err != nil {
				t.Fatal(err)
			}
		}
		old := time.Now().Add(-48 * time.Hour).UTC()
		if err := db.Model(&models.IdempotencyRecord{}).Where("idem_key LIKE ?", "old-%").Update("created_at", old).Error; err != nil {
			t.Fatal(err)
		}
		n, err := st.PurgeIdempotencyKeys(ctx, time.Now().Add(-24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("purged %d, %v; want 2", n, err)
		}
		if _, err := st.GetIdempotencyRecord(ctx, "u1", "new"); err != nil {
			t.Errorf("the new key went too: %v", err)
		}
	})
}
