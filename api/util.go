package api

import (
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
)

// chinaTime is UTC+8 (Asia/Shanghai has had no daylight saving since 1991); a fixed zone keeps
// the binaries independent of the host's time-zone database.
var chinaTime = time.FixedZone("CST", 8*60*60)

// formatTime renders an instant as RFC 3339 with the +08:00 offset (docs/api.md).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format(time.RFC3339)
}

func formatTimePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := formatTime(*t)
	return &s
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func isAuthError(err error) bool { return errors.Is(err, auth.ErrUnauthenticated) }

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
