package api

import (
	"slices"

	"github.com/datashare/datashare/models"
)

// The actions of /api/v1/tasks/{id}/…, as TaskView.Actions names them.
const (
	actionClaim         = "claim"
	actionUnclaim       = "unclaim"
	actionTransfer      = "transfer"
	actionComment       = "comment"
	actionUrge          = "urge"
	actionComplete      = "complete"
	actionRectification = "rectification"
)

// taskActions are the actions an open task takes, by its kind; who may take each is the
// workflow's check (docs/api.md, "Tasks"). A step task takes them all. A supervision task
// (督办) is the authority's follow-up of an overdue task: nobody claims, transfers or decides
// it; the authority comments on and urges the task it supervises from it, and may issue a
// rectification notice. An extension approval (延期审批) is decided, nothing else.
var taskActions = map[string][]string{
	"step":                        {actionClaim, actionUnclaim, actionTransfer, actionComment, actionUrge, actionComplete},
	activitiesTaskKindSupervision: {actionComment, actionUrge, actionRectification},
	taskKindExtension:             {actionComplete},
}

// actionsOf lists the actions t takes now: none once it is no longer open; rectification only
// where the profile in force has the procedure.
func actionsOf(t *models.Task, rectifications bool) []string {
	if t.Status != openTaskStatus {
		return []string{}
	}
	acts, ok := taskActions[t.Kind]
	if !ok {
		acts = taskActions["step"]
	}
	return slices.DeleteFunc(slices.Clone(acts), func(a string) bool { return a == actionRectification && !rectifications })
}

// kindRefuses refuses an action t's kind does not take (422 rule_violated), saying what the
// task is for and naming the task it is about; nil when the kind takes the action.
func kindRefuses(t *models.Task, action string) error {
	acts, ok := taskActions[t.Kind]
	if !ok || slices.Contains(acts, action) || t.ParentTaskID == nil {
		return nil
	}
	id, parent := publicTaskID(t.TaskID), publicTaskID(*t.ParentTaskID)
	switch t.Kind {
	case activitiesTaskKindSupervision:
		msg := "task " + id + " is a supervision task (督办) of overdue task " + parent +
			": it is not claimed, transferred or decided — " + parent + " is decided by its own department. " +
			"Supervision is the authority's follow-up of the overdue task: from " + id +
			" it comments on " + parent + " (POST /api/v1/tasks/" + id + "/comments), urges it (/urge) and may issue a rectification notice (/rectification)"
		if action == actionTransfer {
			msg += "; where the step allows, the authority transfers " + parent + " itself (POST /api/v1/tasks/" + parent + "/transfer)"
		}
		return ruleViolated(msg)
	case taskKindExtension:
		return ruleViolated("task " + id + " is an extension approval (延期审批) of task " + parent +
			": it is only decided (complete: approve_extension, or refuse_extension with a reason); comments and urges go to " + parent)
	}
	return nil
}
