package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// TestClaimProfile: the first process records its profile; the same profile starts again;
// another is refused, naming both, and leaves the record as it was.
func TestClaimProfile(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := models.ClaimProfile(ctx, db, "ningxia"); err != nil {
			t.Fatalf("first claim: %v", err)
		}
		if err := models.ClaimProfile(ctx, db, "ningxia"); err != nil {
			t.Fatalf("same profile again: %v", err)
		}
		err := models.ClaimProfile(ctx, db, "neixiang")
		if !errors.Is(err, models.ErrProfileMismatch) || !strings.Contains(err.Error(), "ningxia") || !strings.Contains(err.Error(), "neixiang") {
			t.Fatalf("other profile: %v, want ErrProfileMismatch naming both", err)
		}
		if err := models.ClaimProfile(ctx, db, "ningxia"); err != nil {
			t.Fatalf("the record changed: %v", err)
		}
	})
}
