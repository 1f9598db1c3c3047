package activities

import (
	"context"
	"errors"
	"testing"
)

type fakeDepartments map[string]string

func (f fakeDepartments) DepartmentKind(_ context.Context, id string) (string, bool, error) {
	if id == "broken" {
		return "", false, errors.New("database down")
	}
	kind, ok := f[id]
	return kind, ok, nil
}

// A report goes only to an existing government department: not to an unknown id, nor to the
// authority or the technical service unit; a failed lookup is retried, not a refusal.
func TestCheckDispatchTarget(t *testing.T) {
	a := &CorrectionActivities{Departments: fakeDepartments{"nx-scjg": "department", "nx-authority": "authority", "nx-tech": "tech_service"}}
	for _, c := range []struct {
		id    string
		valid bool
	}{{"nx-scjg", true}, {"nx-nobody", false}, {"nx-authority", false}, {"nx-tech", false}} {
		got, err := a.CheckDispatchTarget(context.Background(), CheckDispatchTargetInput{DepartmentID: c.id})
		if err != nil || got.Valid != c.valid || (!c.valid && got.Reason == "") {
			t.Errorf("%s: %+v, %v; want valid %v with a reason when not", c.id, got, err, c.valid)
		}
	}
	if _, err := a.CheckDispatchTarget(context.Background(), CheckDispatchTargetInput{DepartmentID: "broken"}); err == nil {
		t.Error("a failed lookup answered")
	}
}
