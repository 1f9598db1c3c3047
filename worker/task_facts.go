package worker

import (
	"context"
	"strings"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// subjectRunes bounds a task's subject, the first part of a title a list shows on one line;
// migration 16 cuts the subjects it backfills alike.
const subjectRunes = 40

// triggerNames are a catalog update's triggers in the words of the regulations.
var triggerNames = map[string]string{
	contract.TriggerLawRevised:    "法律法规修订",
	contract.TriggerDutiesChanged: "行政管理职能变化",
}

// taskFacts are what a task is about, read from its request's row in the read model as a
// notification names its case (caseOf), so that the workflows need not carry them in every
// projection and their histories stay as recorded. Supervision and extension tasks share their
// parent's request, hence its facts. A request not projected yet gives only what its id says;
// every procedure projects its request before its first task, and the task's next projection
// would fill them. Migration 16 backfilled older tasks the same way.
func (p projection) taskFacts(ctx context.Context, in activities.ProjectTaskInput) (models.TaskFacts, error) {
	c, err := p.caseOf(ctx, in.Procedure, in.RequestID)
	if err != nil {
		return models.TaskFacts{}, err
	}
	return models.TaskFacts{
		ResourceCode: c.resourceCode, ResourceName: c.resourceName,
		ApplicantDepartmentID: c.partyID, ApplicantDepartmentName: c.party,
		Purpose: c.purpose, Subject: clip(c.object, subjectRunes),
	}, nil
}

// correctionProblem is what a correction reports: its description or, without one, the fields
// it names.
func correctionProblem(f contract.CorrectionForm) string {
	if strings.TrimSpace(f.Description) != "" {
		return f.Description
	}
	if len(f.Fields) == 0 {
		return ""
	}
	return "字段：" + strings.Join(f.Fields, "、")
}
