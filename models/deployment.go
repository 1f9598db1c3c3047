package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// deploymentSetting is one row of deployment_settings: a fact about the whole deployment that
// every process must agree on.
type deploymentSetting struct {
	Name      string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (deploymentSetting) TableName() string { return "deployment_settings" }

// settingProfile names the jurisdiction profile the database belongs to.
const settingProfile = "profile"

// ErrProfileMismatch: the database belongs to another jurisdiction profile than the process's.
var ErrProfileMismatch = errors.New("the database belongs to another jurisdiction profile")

// ClaimProfile records profile as the database's on the first start of any process against
// it and refuses, with ErrProfileMismatch naming both, a process started under another: the
// database's departments, catalog and running procedures are its profile's, and serving them
// under another would mix two jurisdictions. Processes starting at the same time agree on the
// first one recorded.
func ClaimProfile(ctx context.Context, db *gorm.DB, profile string) error {
	row := deploymentSetting{Name: settingProfile, Value: profile, UpdatedAt: time.Now().UTC()}
	if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return dbError(err, "record the profile of the database")
	}
	var got deploymentSetting
	if err := db.WithContext(ctx).Where("name = ?", settingProfile).Take(&got).Error; err != nil {
		return dbError(err, "read the profile of the database")
	}
	if got.Value != profile {
		return fmt.Errorf("%w: the database is %s's (its departments, catalog and procedures), the process runs %s",
			ErrProfileMismatch, got.Value, profile)
	}
	return nil
}
