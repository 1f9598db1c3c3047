package activities

import (
	"context"
	"errors"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"
)

// The share procedure's steps follow the profile: 辽宁 and 内乡 have no negotiation, 内乡's
// authority replies (第十二条) and may suspend a service (第四十一条).
func TestDescribeProcedure(t *testing.T) {
	tests := []struct {
		profile    string
		steps      []string
		replyActor string
	}{
		{"ningxia", []string{"reply", "negotiate", "coordinate"}, "approver"},
		{"wuhai", []string{"reply", "negotiate", "coordinate"}, "approver"},
		{"liaoning", []string{"reply", "coordinate"}, "approver"},
		{"neixiang", []string{"reply", "coordinate", "suspend"}, "authority"},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			res, err := newActivities(t, tt.profile).DescribeProcedure(context.Background(), DescribeProcedureInput{Procedure: "share"})
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, s := range res.Steps {
				codes = append(codes, s.Code)
			}
			if res.Jurisdiction != tt.profile || !res.Applies || !slices.Equal(codes, tt.steps) {
				t.Errorf("got %s applies=%v steps %v, want %s steps %v", res.Jurisdiction, res.Applies, codes, tt.profile, tt.steps)
			}
			if reply, ok := res.Step("reply"); !ok || reply.ActorRole != tt.replyActor || len(reply.LegalBasis) == 0 {
				t.Errorf("reply step = %+v, want actor %s with a legal basis", reply, tt.replyActor)
			}
		})
	}

	_, err := newActivities(t, "ningxia").DescribeProcedure(context.Background(), DescribeProcedureInput{Procedure: "nope"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != ErrTypeInvalid {
		t.Errorf("unknown procedure: err = %v, want a non-retryable %q error", err, ErrTypeInvalid)
	}
}

// The procedure's description carries the profile's refusal reason codes and which steps the
// authority may transfer to another department.
func TestDescribeProcedureReasonsAndTransfer(t *testing.T) {
	a := newActivities(t, "neixiang")
	for i, s := range a.Policy.Procedures[0].Steps {
		if s.Code == "reply" {
			a.Policy.Procedures[0].Steps[i].DepartmentTransfer = true
		}
	}
	res, err := a.DescribeProcedure(context.Background(), DescribeProcedureInput{Procedure: "share"})
	if err != nil {
		t.Fatal(err)
	}
	if reply, _ := res.Step("reply"); !reply.DepartmentTransfer {
		t.Errorf("reply = %+v, want department_transfer", reply)
	}
	if coordinate, _ := res.Step("coordinate"); coordinate.DepartmentTransfer {
		t.Errorf("coordinate = %+v, want no department_transfer", coordinate)
	}
	if !slices.Contains(res.RefusalReasons, "outside_duty") || len(res.RefusalReasons) != len(a.Policy.RefusalReasons) {
		t.Errorf("refusal reasons = %v", res.RefusalReasons)
	}
}
