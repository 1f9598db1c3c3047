package calquery

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
)

// DueCase is a hand-computed deadline, shared by the CLI and HTTP tests.
type DueCase struct {
	Name     string `json:"name"`
	From     string `json:"from"`
	Workdays int    `json:"workdays"`
	Due      string `json:"due"`
}

// HandComputedDueCases reads testdata/due_cases.json; tests of other packages use it so every
// surface is checked against the same answers.
func HandComputedDueCases() ([]DueCase, error) {
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "testdata", "due_cases.json"))
	if err != nil {
		return nil, err
	}
	var cases []DueCase
	return cases, json.Unmarshal(raw, &cases)
}
