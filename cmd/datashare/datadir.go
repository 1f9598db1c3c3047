package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// profileMarker names the file in which a data folder records the jurisdiction profile it
// was created under: its demo departments, catalog and running procedures belong to that
// profile, and starting under another would mix two jurisdictions' data.
const profileMarker = "profile"

// claimDataDir records profile as the data folder's on its first start and refuses a start
// under another profile, naming both. A folder from before the marker existed is claimed by
// the profile it is next started with.
func claimDataDir(dir, profile string) error {
	path := filepath.Join(dir, profileMarker)
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.WriteFile(path, []byte(profile+"\n"), 0o640); err != nil {
			return fmt.Errorf("DATASHARE_DATA_DIR: record the profile: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("DATASHARE_DATA_DIR: read the profile: %w", err)
	}
	if have := strings.TrimSpace(string(raw)); have != profile {
		return fmt.Errorf("DATASHARE_PROFILE=%s: the data folder %s belongs to the profile %s (its departments, catalog and procedures are %s's); "+
			"start with DATASHARE_PROFILE=%s, or give %s its own folder with DATASHARE_DATA_DIR", profile, dir, have, have, have, profile)
	}
	return nil
}
