package workflows

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// CatalogUpdateWorkflow runs one catalog update (目录更新) after a law was revised or a
// department's duties changed: the department edits its resources and submits them as one
// update within the working days the profile counts from the day of the change (宁夏 第八条,
// 乌海 第七条, 辽宁 第九条, 内乡 第二十二条); the authority approves, which publishes every
// submitted revision at once, or returns it with a reason, and the department submits again
// under its original deadline. Where the profile has the county's report to the city (内乡
// 第二十三条), an approved update opens that follow-up task.
func CatalogUpdateWorkflow(ctx workflow.Context, in contract.CatalogUpdateInput) (contract.CatalogUpdateState, error) {
	u := &catalogUpdate{st: contract.CatalogUpdateState{Input: in, CaseState: contract.CaseState{Status: contract.CatalogUpdateUpdating}}}
	return runCase[contract.CatalogUpdateState](ctx, u,
		caseKind{procedure: policy.ProcCatalogUpdate, noun: "catalog update", timeline: "request"},
		in.UpdateID, &u.st.CaseState, contract.QueryCatalogUpdate)
}

// catalogUpdate is the runner behind CatalogUpdateWorkflow.
type catalogUpdate struct {
	caseRunner
	st      contract.CatalogUpdateState
	catActs *activities.CatalogUpdateActivities // method references only
}

func (u *catalogUpdate) state() contract.CatalogUpdateState { return u.st }

func (u *catalogUpdate) run(ctx workflow.Context) (contract.CatalogUpdateState, error) {
	if err := u.describe(ctx); err != nil {
		return contract.CatalogUpdateState{}, err
	}
	in := u.st.Input
	changedOn, err := changeDay(in.ChangedOn)
	if err != nil {
		return contract.CatalogUpdateState{}, err
	}
	if err := setMemoTitle(ctx, u.writes, "目录更新 / "+in.DepartmentID+" / "+in.ChangedOn); err != nil {
		return contract.CatalogUpdateState{}, fmt.Errorf("upsert memo: %w", err)
	}
	u.st.LegalBasis = u.proc.LegalBasis
	if err := u.project(ctx); err != nil {
		return contract.CatalogUpdateState{}, err
	}
	if err := u.record(ctx, activities.EventCatalogUpdateOpened, contract.Actor{Subject: in.Initiator.Subject, DepartmentID: in.Initiator.DepartmentID},
		in.Basis, map[string]any{"trigger": in.Trigger, "changed_on": in.ChangedOn, "resource_ids": in.ResourceIDs,
			"ordered_by_authority": in.OrderedByAuthority}); err != nil {
		return contract.CatalogUpdateState{}, err
	}

	for {
		if err := u.update(ctx, changedOn); err != nil {
			return contract.CatalogUpdateState{}, err
		}
		approved, err := u.review(ctx)
		if err != nil {
			return contract.CatalogUpdateState{}, err
		}
		if approved {
			break
		}
	}
	if err := u.reportToCity(ctx); err != nil {
		return contract.CatalogUpdateState{}, err
	}
	u.end(ctx, contract.CatalogUpdatePublished)
	if err := u.project(ctx); err != nil {
		return contract.CatalogUpdateState{}, err
	}
	return u.st, nil
}

// changeDay is the start (00:00, China) of the day the change took effect: the day of
// receipt of the update step, not itself counted (发生之日起).
func changeDay(s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, calendar.Location())
	if err != nil {
		return time.Time{}, temporal.NewNonRetryableApplicationError("changed_on "+s+" is not a date", contract.ErrTypeInvalid, err)
	}
	return d, nil
}

// update runs one round of the update step until the department's submission is linked.
// Every round's task counts from the day of the change, so a return never gives the
// department a new deadline.
func (u *catalogUpdate) update(ctx workflow.Context, changedOn time.Time) error {
	in := u.st.Input
	for {
		out, err := u.runTask(ctx, contract.StepUpdate, contract.CatalogUpdateUpdating,
			Party{DepartmentID: in.DepartmentID, Role: policy.RoleApprover},
			[]Party{{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}},
			[]activities.DecisionOption{{Code: contract.DecisionSubmit, RequiredFields: []string{contract.FieldResourceVersions}}},
			changedOn, checkSubmission)
		if err != nil {
			return err
		}
		versions, _ := resourceVersions(out.Fields[contract.FieldResourceVersions]) // checked by the validator
		round := u.st.Round + 1
		var res activities.LinkCatalogUpdateResult
		err = u.writes.execute(activityOptions(ctx), u.catActs.LinkCatalogUpdate, activities.LinkCatalogUpdateInput{
			UpdateID: in.UpdateID, Round: round, DepartmentID: in.DepartmentID, Actor: out.DecidedBy.Subject, Versions: versions,
		}, &res)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeInvalid {
			// The revisions moved on since the API checked them, or are not the department's:
			// nothing was linked; the department submits again, same deadline.
			if err := u.record(ctx, activities.EventCatalogSubmissionRefused, out.DecidedBy, appErr.Error(),
				map[string]any{"round": round, "resource_versions": versions}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("link round %d: %w", round, err)
		}
		u.st.Round, u.st.Submitted = round, nil
		for _, v := range res.Linked {
			u.st.Submitted = append(u.st.Submitted, contract.ResourceVersion{ResourceID: v.ResourceID, Version: v.Version})
		}
		return u.record(ctx, activities.EventCatalogSubmitted, out.DecidedBy, out.Comment,
			map[string]any{"round": u.st.Round, "resource_versions": u.st.Submitted})
	}
}

// review runs the authority's review of the last round; approved is false when it was
// returned (the drafts are back with the department).
func (u *catalogUpdate) review(ctx workflow.Context) (approved bool, err error) {
	in := u.st.Input
	approve := activities.DecisionOption{Code: contract.DecisionApprove, RequiredFields: []string{}}
	if u.keepsResponsibilityList() {
		approve.RequiredFields = []string{contract.FieldResponsibilityList}
	}
	out, err := u.runTask(ctx, contract.StepReview, contract.CatalogUpdateReviewing,
		Party{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		[]Party{{DepartmentID: in.DepartmentID, Role: policy.RoleApprover}},
		[]activities.DecisionOption{approve, {Code: contract.DecisionReturn, RequiredFields: []string{contract.FieldReason}}},
		workflow.Now(ctx), checkReview)
	if err != nil {
		return false, err
	}
	review := activities.CatalogReviewInput{UpdateID: in.UpdateID, Round: u.st.Round, Actor: out.DecidedBy.Subject}
	if out.Decision == contract.DecisionReturn {
		review.Reason = text(out.Fields[contract.FieldReason])
		if err := u.writes.execute(activityOptions(ctx), u.catActs.ReturnCatalogUpdate, review, nil); err != nil {
			return false, fmt.Errorf("return round %d: %w", u.st.Round, err)
		}
		u.st.Status = contract.CatalogUpdateUpdating
		return false, u.changed(ctx, activities.EventCatalogReturned, out.DecidedBy, review.Reason,
			map[string]any{"round": u.st.Round, "resource_versions": u.st.Submitted})
	}

	var res activities.PublishCatalogUpdateResult
	err = u.writes.execute(activityOptions(ctx), u.catActs.PublishCatalogUpdate, review, &res)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeInvalid {
		// A linked revision was changed outside the update (returned or published through
		// the catalog) after the approval was given: nothing was published. The rest goes
		// back to the department, whose original deadline still runs.
		review.Reason = truncate("未能发布："+appErr.Message(), maxReasonRunes)
		if err := u.writes.execute(activityOptions(ctx), u.catActs.ReturnCatalogUpdate, review, nil); err != nil {
			return false, fmt.Errorf("return round %d after a refused publication: %w", u.st.Round, err)
		}
		u.st.Status = contract.CatalogUpdateUpdating
		return false, u.changed(ctx, activities.EventCatalogPublishRefused, out.DecidedBy, review.Reason,
			map[string]any{"round": u.st.Round, "resource_versions": u.st.Submitted})
	}
	if err != nil {
		return false, fmt.Errorf("publish round %d: %w", u.st.Round, err)
	}
	if err := u.record(ctx, activities.EventCatalogPublished, out.DecidedBy, out.Comment,
		map[string]any{"round": u.st.Round, "published": res.Published}); err != nil {
		return false, err
	}
	if u.keepsResponsibilityList() {
		u.st.ResponsibilityListUpdated = true
		step, _ := u.proc.Step(contract.StepReview)
		if err := u.changed(ctx, activities.EventResponsibilityListUpdated, out.DecidedBy, text(out.Fields[contract.FieldResponsibilityList]),
			map[string]any{"legal_basis": step.LegalBasis}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// keepsResponsibilityList: the profiles whose county reports its catalog and responsibility
// list to the city (内乡 第二十三条) are those whose authority updates the responsibility list
// (责任清单) with the catalog (第二十二条); the report_to_city step marks them.
func (u *catalogUpdate) keepsResponsibilityList() bool {
	_, ok := u.proc.Step(contract.StepReportToCity)
	return ok
}

// reportToCity runs the county's report of the changed catalog to the city within the
// profile's working days from the approval (内乡 第二十三条). 第二十二条 makes the county data
// authority keep the catalog and the responsibility list, so it is the one to report.
func (u *catalogUpdate) reportToCity(ctx workflow.Context) error {
	if _, ok := u.proc.Step(contract.StepReportToCity); !ok {
		return nil
	}
	in := u.st.Input
	_, err := u.runTask(ctx, contract.StepReportToCity, contract.CatalogUpdateReporting,
		Party{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}, nil,
		[]activities.DecisionOption{{Code: contract.DecisionReported, RequiredFields: []string{contract.FieldReference}}},
		workflow.Now(ctx), nil)
	if err != nil {
		return err
	}
	last := u.st.Decisions[len(u.st.Decisions)-1]
	return u.record(ctx, activities.EventReportedToCity, last.DecidedBy, text(last.Fields[contract.FieldReference]), nil)
}

// runTask runs one human task of the update and keeps the update's status, step and due time
// in step with it.
func (u *catalogUpdate) runTask(ctx workflow.Context, step, status string, candidate Party, watchers []Party,
	decisions []activities.DecisionOption, receivedAt time.Time, check func(contract.CompleteUpdate) error) (contract.TaskOutcome, error) {
	in := u.st.Input
	taskID := u.nextTaskID(step)
	u.st.Status, u.st.CurrentStep = status, step
	spec := TaskSpec{
		TaskID: taskID, RequestID: in.UpdateID,
		Procedure: policy.ProcCatalogUpdate, Step: step, Candidate: candidate, Watchers: watchers,
		Decisions: decisions, ReceivedAt: receivedAt,
		Departments: map[string]string{policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}
	out, err := runHumanTask(ctx, spec, taskObserver{
		checkDecision: check,
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			u.st.DueAt = nil
			if !d.NoDeadline {
				due := d.DueAt
				u.st.DueAt = &due
			}
			u.st.LegalBasis, u.st.LocalDefault = d.LegalBasis, d.LocalDefault
			return u.project(ctx)
		},
	})
	if err != nil {
		return contract.TaskOutcome{}, err
	}
	u.st.Decisions = append(u.st.Decisions, out)
	u.st.DueAt = nil
	return out, nil
}

// checkSubmission rejects a submission whose resource versions are not a non-empty list of
// {"resource_id", "version"} with whole positive numbers, before it enters history.
func checkSubmission(c contract.CompleteUpdate) error {
	if _, err := resourceVersions(c.Fields[contract.FieldResourceVersions]); err != nil {
		return err
	}
	return nil
}

// maxReasonRunes bounds a return's reason, as the catalog stores it (models' reason limit).
const maxReasonRunes = 2000

// checkReview rejects a reason the catalog could not store, before it enters history.
func checkReview(c contract.CompleteUpdate) error {
	if r, ok := c.Fields[contract.FieldReason].(string); ok && utf8.RuneCountInString(r) > maxReasonRunes {
		return invalidField(contract.FieldReason, "a reason has at most %d characters", maxReasonRunes)
	}
	return nil
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// resourceVersions reads the submit decision's field as JSON delivers it (a list of objects
// with float64 numbers) or as Go code builds it.
func resourceVersions(v any) ([]activities.LinkedVersion, error) {
	bad := func(format string, args ...any) error {
		return invalidField(contract.FieldResourceVersions, format, args...)
	}
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case []map[string]any:
		for _, m := range x {
			items = append(items, m)
		}
	default:
		return nil, bad("resource_versions must be a list of {\"resource_id\", \"version\"}")
	}
	if len(items) == 0 {
		return nil, bad("an update submits at least one resource version")
	}
	seen := map[int64]bool{}
	out := make([]activities.LinkedVersion, 0, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, bad("resource_versions[%d] must be an object with resource_id and version", i)
		}
		id, okID := positiveInt(m["resource_id"])
		ver, okVer := positiveInt(m["version"])
		if !okID || !okVer {
			return nil, bad("resource_versions[%d] needs a whole positive resource_id and version", i)
		}
		if seen[int64(id)] {
			return nil, bad("resource %d is listed twice", id)
		}
		seen[int64(id)] = true
		out = append(out, activities.LinkedVersion{ResourceID: int64(id), Version: ver})
	}
	return out, nil
}

// project writes the update's current state to the read model and brings the search
// attributes up to date.
func (u *catalogUpdate) project(ctx workflow.Context) error {
	// The department whose catalog changes is the provider; nobody applied.
	rev, err := u.nextRevision(ctx, "", u.st.Input.DepartmentID)
	if err != nil {
		return err
	}
	in, st := u.st.Input, u.st
	p := activities.ProjectCatalogUpdateInput{
		ID: in.UpdateID, Revision: rev, WorkflowID: u.workflowID, DepartmentID: in.DepartmentID,
		Form: in.CatalogUpdateForm, InitiatorSubject: in.Initiator.Subject,
		OrderedByAuthority: in.OrderedByAuthority, Status: st.Status, CurrentStep: st.CurrentStep,
		DueAt: st.DueAt, LegalBasis: st.LegalBasis, LocalDefault: st.LocalDefault,
		ResponsibilityListUpdated: st.ResponsibilityListUpdated,
		CreatedAt:                 in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := u.writes.write(ctx, activities.Write{CatalogUpdate: &p}, u.catActs.ProjectCatalogUpdate, p); err != nil {
		return fmt.Errorf("project catalog update %s: %w", in.UpdateID, err)
	}
	return nil
}
