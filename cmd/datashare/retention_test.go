package main

import (
	"strings"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/policy"
)

// TestAuditRetentionFloor: since 2025-08-01 the audit log is kept at least 3 years under every
// profile (政务数据共享条例 第二十九条第二款), and a shorter setting refuses the start naming the
// article; before it the profile's floor applied (6 months, 内乡 第三十三条).
func TestAuditRetentionFloor(t *testing.T) {
	china := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, id := range []string{"ningxia", "wuhai", "liaoning", "neixiang"} {
		p, err := policy.Select(id, "", policy.LocalDefaults{})
		if err != nil {
			t.Fatal(err)
		}
		err = auditRetentionFloor(p, 12, china("2026-12-07T10:00:00+08:00"))
		if err == nil || !strings.Contains(err.Error(), "第二十九条第二款") || !strings.Contains(err.Error(), "36") ||
			!strings.Contains(err.Error(), "DATASHARE_AUDIT_RETENTION_MONTHS") {
			t.Errorf("%s: 12 months today: %v", id, err)
		}
		if err := auditRetentionFloor(p, 36, china("2026-12-07T10:00:00+08:00")); err != nil {
			t.Errorf("%s: 36 months today: %v", id, err)
		}
		// The first day in China is 2025-08-01 even where UTC still reads 31 July.
		if err := auditRetentionFloor(p, 12, china("2025-08-01T00:30:00+08:00")); err == nil {
			t.Errorf("%s: 12 months on 2025-08-01 (China) accepted", id)
		}
		if err := auditRetentionFloor(p, 12, china("2025-07-31T23:30:00+08:00")); err != nil {
			t.Errorf("%s: 12 months before the 条例: %v", id, err)
		}
	}
	// The national profile's own floor is the 条例's 36 months (第二十九条第二款).
	nat, err := policy.Select("national", "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if err := auditRetentionFloor(nat, 12, china("2026-12-07T10:00:00+08:00")); err == nil || !strings.Contains(err.Error(), "第二十九条第二款") {
		t.Errorf("national: 12 months today: %v", err)
	}
	if err := auditRetentionFloor(nat, 36, china("2026-12-07T10:00:00+08:00")); err != nil {
		t.Errorf("national: 36 months today: %v", err)
	}
	nx, err := policy.Select("neixiang", "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	err = auditRetentionFloor(nx, 5, china("2025-07-01T10:00:00+08:00"))
	if err == nil || !strings.Contains(err.Error(), "第三十三条") {
		t.Errorf("neixiang before the 条例 keeps its 6 months: %v", err)
	}
}
