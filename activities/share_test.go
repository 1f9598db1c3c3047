package activities

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

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
		{"ningxia", []string{"reply", "negotiate", "coordinate", "deliver", "supplement", "government_decision"}, "approver"},
		{"wuhai", []string{"reply", "negotiate", "coordinate", "deliver", "supplement", "government_decision"}, "approver"},
		{"liaoning", []string{"reply", "coordinate", "deliver", "supplement", "government_decision"}, "approver"},
		{"neixiang", []string{"reply", "coordinate", "suspend", "deliver", "supplement", "government_decision"}, "authority"},
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
			// The 条例's delivery (第二十二条) is the provider's, from the 条例's date; the
			// profile's own steps carry no date.
			deliver, _ := res.Step("deliver")
			if deliver.ActorRole != "approver" || deliver.ActorDepartment != "provider" || deliver.Effective != "2025-08-01" {
				t.Errorf("deliver step = %+v", deliver)
			}
			// The 条例's supplement (第二十一条第二款) is the applicant's, and how the reply
			// resumes after it travels with it, marked local practice.
			sup, _ := res.Step("supplement")
			if sup.ActorRole != "applicant" || sup.ActorDepartment != "applicant" || sup.Effective != "2025-08-01" ||
				sup.Resumes == nil || sup.Resumes.Step != "reply" || sup.Resumes.Clock != "restart" || !sup.Resumes.LocalDefault {
				t.Errorf("supplement step = %+v", sup)
			}
			if reply, _ := res.Step("reply"); reply.Effective != "" {
				t.Errorf("reply step = %+v, want no effective date", reply)
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

// A step with an effective date applies to cases received from that day on, China time.
func TestStepAppliesTo(t *testing.T) {
	s := StepInfo{Code: "deliver", Effective: "2025-08-01"}
	china := time.FixedZone("CST", 8*3600)
	if s.AppliesTo(time.Date(2025, 7, 31, 23, 59, 0, 0, china)) {
		t.Error("applies on 2025-07-31")
	}
	// 2025-07-31 16:30 UTC is 2025-08-01 00:30 in China.
	if !s.AppliesTo(time.Date(2025, 7, 31, 16, 30, 0, 0, time.UTC)) {
		t.Error("does not apply on 2025-08-01 China time")
	}
	if !(StepInfo{Code: "reply"}).AppliesTo(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a step without a date does not always apply")
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
