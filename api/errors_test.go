package api

import "testing"

// A bound says what it bounds: characters of text, items of a list, the value of a number.
func TestRuleMessagesNameWhatIsBounded(t *testing.T) {
	type input struct {
		Text    string   `json:"text" binding:"max=3"`
		List    []string `json:"list" binding:"max=1"`
		Records int      `json:"records" binding:"max=1000000000"`
	}
	err := validationError(validate.Struct(input{Text: "abcd", List: []string{"a", "b"}, Records: 2000000000}))
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error = %v", err)
	}
	for field, want := range map[string]string{
		"text":    "must be at most 3 characters",
		"list":    "must have at most 1 items",
		"records": "must be at most 1000000000",
	} {
		if got := e.Fields[field]; got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
}
