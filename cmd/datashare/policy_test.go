package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datashare/datashare/internal/config"
)

// DATASHARE_REFUSAL_REASONS_FILE replaces the active profile's catalogue; a bad file stops the
// start naming the variable.
func TestLoadPoliciesRefusalReasonsFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "reasons.yaml")
	if err := os.WriteFile(good, []byte("refusal_reasons:\n  - {code: budget_review, title: 预算审查中}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{Profile: "ningxia", LocalDefaultWorkdays: 10, RefusalReasonsFile: good}
	active, _, err := loadPolicies(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := active.RefusalReasonCodes(); !slices.Equal(got, []string{"budget_review"}) {
		t.Errorf("codes = %v", got)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("refusal_reasons:\n  - {code: Budget Review, title: 预算}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.RefusalReasonsFile = bad
	if _, _, err := loadPolicies(cfg); err == nil || !strings.Contains(err.Error(), "DATASHARE_REFUSAL_REASONS_FILE") {
		t.Fatalf("err = %v", err)
	}
}
