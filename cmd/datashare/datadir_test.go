package main

import (
	"strings"
	"testing"
)

// A data folder belongs to the profile it was created under: a second start under it goes on,
// a start under another is refused naming both.
func TestDataFolderBelongsToOneProfile(t *testing.T) {
	dir := t.TempDir()
	if err := claimDataDir(dir, "ningxia"); err != nil {
		t.Fatal(err)
	}
	if err := claimDataDir(dir, "ningxia"); err != nil {
		t.Fatalf("second start under the same profile: %v", err)
	}
	err := claimDataDir(dir, "neixiang")
	if err == nil || !strings.Contains(err.Error(), "ningxia") || !strings.Contains(err.Error(), "DATASHARE_PROFILE=neixiang") {
		t.Fatalf("start under another profile: %v, want a refusal naming both", err)
	}
}
