package worker

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
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

// taskFacts reads what a task is about from its request's row in the read model, so that the
// workflows need not carry it in every projection (and their histories stay as recorded).
// Supervision and extension tasks share their parent's request, hence its facts. A request not
// projected yet gives none; every procedure projects its request before its first task, and a
// task's next projection would fill them. Migration 16 backfilled older tasks the same way.
func (p projection) taskFacts(ctx context.Context, in activities.ProjectTaskInput) (models.TaskFacts, error) {
	var f models.TaskFacts
	var err error
	switch in.Procedure {
	case policy.ProcShare:
		var r *models.ShareRequest
		if r, err = p.store.GetShareRequest(ctx, in.RequestID); err == nil {
			f = models.TaskFacts{ResourceCode: r.ResourceCode, ResourceName: r.ResourceName, Subject: r.ResourceName,
				ApplicantDepartmentID: r.ApplicantDeptID, Purpose: r.Purpose}
		}
	case policy.ProcCorrection:
		var c *models.Correction
		if c, err = p.store.GetCorrection(ctx, in.RequestID); err == nil {
			f = models.TaskFacts{ResourceCode: c.ResourceCode, ResourceName: c.ResourceName, Subject: c.ResourceName,
				ApplicantDepartmentID: c.ReporterDeptID, Purpose: correctionProblem(c)}
		}
	case policy.ProcOpenData:
		var r *models.OpenDataRequest
		if r, err = p.store.GetOpenDataRequest(ctx, in.RequestID); err == nil {
			f = models.TaskFacts{ResourceCode: r.ResourceCode, ResourceName: r.ResourceName, Subject: r.ResourceName, Purpose: r.Purpose}
		}
	case policy.ProcOpenCatalogCorrection:
		// The citizen's reason; the field and the values are on the correction.
		var c *models.OpenCatalogCorrection
		if c, err = p.store.GetOpenCatalogCorrection(ctx, in.RequestID); err == nil {
			f = models.TaskFacts{ResourceCode: c.ResourceCode, ResourceName: c.ResourceName, Subject: c.ResourceName, Purpose: c.Reason}
		}
	case policy.ProcCatalogUpdate:
		// An update spans several resources: it is about the law or decision that triggered it.
		var u *models.CatalogUpdate
		if u, err = p.store.GetCatalogUpdate(ctx, in.RequestID); err == nil {
			purpose := u.Law
			if name := triggerNames[u.Trigger]; name != "" {
				purpose = name + "：" + u.Law
			}
			f = models.TaskFacts{ApplicantDepartmentID: u.DepartmentID, Purpose: purpose, Subject: u.Law}
		}
	case policy.ProcRectification:
		// The ordered department reports its rectification, which the authority reviews.
		var r *models.Rectification
		if r, err = p.store.GetRectification(ctx, in.RequestID); err == nil {
			purpose := r.ViolationTitle
			if d := strings.TrimSpace(r.Description); d != "" {
				purpose += "：" + r.Description
			}
			f = models.TaskFacts{ApplicantDepartmentID: r.DepartmentID, Purpose: purpose, Subject: r.ViolationTitle}
		}
	case policy.ProcInterfaceExtension:
		// The department delivers the interface, or applies for more time.
		var r *models.InterfaceRequirement
		if r, err = p.store.GetInterfaceRequirement(ctx, in.RequestID); err == nil {
			f = models.TaskFacts{ApplicantDepartmentID: r.DepartmentID, Purpose: r.Description, Subject: r.Description}
		}
	case policy.ProcAnnualReport:
		// A report has no purpose of its own: the regulation requires it every year.
		id, ok := strings.CutPrefix(in.RequestID, "AR-") // workflows.annualReportRequestID
		if !ok {
			return models.TaskFacts{}, nil
		}
		var r *models.AnnualReport
		if r, err = p.store.GetAnnualReport(ctx, id); err == nil {
			f = models.TaskFacts{ApplicantDepartmentID: r.DepartmentID, Subject: strconv.Itoa(r.Year) + "年度"}
		}
	default:
		return models.TaskFacts{}, nil
	}
	switch {
	case errors.Is(err, models.ErrNotFound):
		return models.TaskFacts{}, nil
	case err != nil:
		return models.TaskFacts{}, err
	}
	f.Subject = clip(f.Subject, subjectRunes)
	if f.ApplicantDepartmentID != "" {
		d, err := p.store.GetDepartment(ctx, f.ApplicantDepartmentID)
		switch {
		case err == nil:
			f.ApplicantDepartmentName = d.Name
		case !errors.Is(err, models.ErrNotFound): // a department not registered has no name
			return models.TaskFacts{}, err
		}
	}
	return f, nil
}

// correctionProblem is what a correction reports: its description or, without one, the fields
// it names.
func correctionProblem(c *models.Correction) string {
	if strings.TrimSpace(c.Description) != "" {
		return c.Description
	}
	var fields []string
	if err := json.Unmarshal([]byte(c.FieldsJSON), &fields); err != nil || len(fields) == 0 {
		return ""
	}
	return "字段：" + strings.Join(fields, "、")
}

// clip cuts s to n characters, the last an ellipsis when something was cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
