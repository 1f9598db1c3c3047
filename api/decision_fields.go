package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// The fields a decision takes are decided here, in one place: those the task's decision
// requires (DecisionView.RequiredFields, from the workflow, with the keys of its Choices), and
// the optional fields below. Any other member of a /complete body is refused with 400 naming
// it, before the workflow sees it: an unknown field would otherwise travel into the timeline,
// a proposal and the audit log as the decision's data.

// optionalDecisionFields lists, per procedure and decision code, the fields a decision may
// carry without requiring them: what the procedure's workflow reads from a decision when it
// is given (grep workflows/ for `Fields[`). Every other field a workflow reads is required by
// the decision that it reads it from.
var optionalDecisionFields = map[string]map[string][]string{
	// A grant's conditions of use (workflows/share_request.go, makeGrant), whichever step grants;
	// the delivery's reference (a batch number, an interface's address, a file's name) beside
	// its required method (deliver), which the timeline's data_delivered event carries.
	policy.ProcShare: {
		contract.DecisionApprove:   {"conditions"},
		contract.DecisionAgree:     {"conditions"},
		contract.DecisionGrant:     {"conditions"},
		contract.DecisionDelivered: {"reference"},
	},
}

// extensionOptionalFields are the optional fields of an extension approval task's decisions,
// whatever the procedure: an approval may say why (api/tasks.go, extensionDecision).
var extensionOptionalFields = map[string][]string{
	contract.DecisionApproveExtension: {"reason"},
}

// requestExtensionFields are the fields of the request for an extension (延期申请), a decision
// of every step task whose rule allows one: the task lists it only while one may be asked for,
// and the workflow says why when it may not (409, 422), so it is never refused as unknown.
var requestExtensionFields = []string{"workdays", "reason"}

// supplementNoticeFields are the fields of the supplement notice (补正告知, 政务数据共享条例 第二十一条
// 第二款) on a share reply task. The API takes the notice on every reply task, listed or not:
// a reply lists it only while one may be sent, and the workflow says why when it may not —
// sent already (409) or not for a request received before the 条例 (422) — so that a second
// notice is refused as such, not as an unknown decision.
var supplementNoticeFields = []string{contract.FieldMissing}

// optionalFields lists the optional fields of decision code on a task of the procedure and
// kind, sorted; nil when there are none.
func optionalFields(procedure, kind, code string) []string {
	var out []string
	if kind == taskKindExtension {
		out = extensionOptionalFields[extensionCode(code)]
	} else {
		out = optionalDecisionFields[procedure][code]
	}
	if len(out) == 0 {
		return nil
	}
	out = slices.Clone(out)
	slices.Sort(out)
	return out
}

// extensionCode is an extension task's decision under its canonical code: approve and refuse
// are accepted for approve_extension and refuse_extension.
func extensionCode(code string) string {
	switch code {
	case "approve":
		return contract.DecisionApproveExtension
	case "refuse":
		return contract.DecisionRefuseExtension
	}
	return code
}

// decisionFields lists the fields decision takes on task t, sorted, and whether t lists the
// decision at all; a request for an extension is always taken, with its own fields.
func decisionFields(t *models.Task, decision string) (allowed []string, listed bool, err error) {
	if decision == contract.DecisionRequestExtension && t.Kind != taskKindExtension {
		return slices.Sorted(slices.Values(requestExtensionFields)), true, nil
	}
	if decision == contract.DecisionRequestSupplement && t.Kind == taskKindStep &&
		t.Procedure == policy.ProcShare && t.Step == contract.StepReply {
		return slices.Clone(supplementNoticeFields), true, nil
	}
	decisions, err := taskDecisions(t)
	if err != nil {
		return nil, false, err
	}
	code := decision
	same := func(d DecisionView) bool { return d.Code == code }
	if t.Kind == taskKindExtension {
		code = extensionCode(code)
		same = func(d DecisionView) bool { return extensionCode(d.Code) == code }
	}
	i := slices.IndexFunc(decisions, same)
	if i < 0 {
		return nil, false, nil
	}
	d := decisions[i]
	allowed = append(slices.Clone(d.RequiredFields), optionalFields(t.Procedure, t.Kind, code)...)
	for k := range d.Choices {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	return slices.Compact(allowed), true, nil
}

// taskDecisions are the decisions the task's row lists.
func taskDecisions(t *models.Task) ([]DecisionView, error) {
	var decisions []DecisionView
	if t.DecisionsJSON != "" {
		if err := json.Unmarshal([]byte(t.DecisionsJSON), &decisions); err != nil {
			return nil, fmt.Errorf("task %s: decisions: %w", t.TaskID, err)
		}
	}
	return decisions, nil
}

// notListedMessage says which decisions the task takes.
func notListedMessage(t *models.Task) string {
	decisions, _ := taskDecisions(t)
	codes := make([]string, len(decisions))
	for i, d := range decisions {
		codes[i] = d.Code
	}
	if len(codes) == 0 {
		return "is not one of this task's decisions: it lists none"
	}
	return "is not one of this task's decisions: " + strings.Join(codes, ", ")
}

// refuseUnknownFields refuses, in one 400 naming each, the fields of u that are not allowed.
func refuseUnknownFields(u contract.CompleteUpdate, allowed []string) error {
	unknown := map[string]string{}
	for k := range u.Fields {
		if !slices.Contains(allowed, k) {
			unknown[k] = "is not a field of decision " + u.Decision + "; " + takes(allowed)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return invalid("decision "+u.Decision+" does not take "+strings.Join(sortedFieldNames(unknown), ", ")+"; "+takes(allowed), unknown)
}

// takes says which fields a decision takes besides decision and comment.
func takes(allowed []string) string {
	if len(allowed) == 0 {
		return "it takes no fields besides decision and comment"
	}
	return "it takes " + strings.Join(allowed, ", ") + " besides decision and comment"
}

// sortedFieldNames are the keys of a map of fields, sorted.
func sortedFieldNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
