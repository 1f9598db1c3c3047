package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/workflows/contract"
)

// procedureAttrs are a procedure's search attributes, the ones administrators filter by in
// Temporal UI (docs/architecture.md). Codes only, never personal data: a citizen applicant has
// no department, and its subject is never an attribute.
type procedureAttrs struct {
	Procedure, Jurisdiction string
	// ApplicantDept asked; ProviderDept acts (it may change: a correction is dispatched).
	ApplicantDept, ProviderDept string
	Status                      string
	DueAt                       *time.Time // nil: no step with a deadline runs
}

// searchAttrs is what a workflow's search attributes were last set to, so that only changes
// are upserted.
type searchAttrs struct {
	status, provider string
	dueAt            time.Time
	set              bool
	// againstStart: in executions with the writer (changeBatchedWrites), the first upsert
	// leaves out what the start already set (the API sets procedure, jurisdiction, the
	// departments and the first status), so that a create's workflow task carries one upsert,
	// for the deadline, instead of three. Decided at the first upsert, which the main
	// coroutine makes.
	againstStart bool
}

// upsert brings the workflow's search attributes to a: procedure, jurisdiction and applicant
// once, status, provider and due time whenever they change; a due time that no longer applies
// is removed.
func (s *searchAttrs) upsert(ctx workflow.Context, a procedureAttrs) error {
	var due time.Time
	if a.DueAt != nil {
		due = *a.DueAt
	}
	if s.set && s.status == a.Status && s.dueAt.Equal(due) && s.provider == a.ProviderDept {
		return nil
	}
	updates := []temporal.SearchAttributeUpdate{contract.StatusKey.ValueSet(a.Status)}
	if !s.set {
		updates = append(updates, contract.ProcedureKey.ValueSet(a.Procedure), contract.JurisdictionKey.ValueSet(a.Jurisdiction))
		if a.ApplicantDept != "" {
			updates = append(updates, contract.ApplicantDeptKey.ValueSet(a.ApplicantDept))
		}
	}
	if (!s.set || s.provider != a.ProviderDept) && a.ProviderDept != "" {
		updates = append(updates, contract.ProviderDeptKey.ValueSet(a.ProviderDept))
	}
	if a.DueAt != nil {
		updates = append(updates, contract.DueAtKey.ValueSet(due))
	} else if s.set && !s.dueAt.IsZero() {
		updates = append(updates, contract.DueAtKey.ValueUnset())
	}
	if !s.set {
		s.againstStart = writesOf(ctx) != nil
	}
	if s.againstStart && !s.set {
		updates = unsetOnStart(ctx, updates)
	}
	if len(updates) == 0 {
		*s = searchAttrs{status: a.Status, provider: a.ProviderDept, dueAt: due, set: true, againstStart: true}
		return nil
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	*s = searchAttrs{status: a.Status, provider: a.ProviderDept, dueAt: due, set: true, againstStart: s.againstStart}
	return nil
}

// unsetOnStart leaves out the updates that set a keyword to the value the workflow already
// has (from its start options).
func unsetOnStart(ctx workflow.Context, updates []temporal.SearchAttributeUpdate) []temporal.SearchAttributeUpdate {
	current := workflow.GetTypedSearchAttributes(ctx)
	keys := []temporal.SearchAttributeKeyKeyword{contract.StatusKey, contract.ProcedureKey, contract.JurisdictionKey,
		contract.ApplicantDeptKey, contract.ProviderDeptKey}
	out := updates[:0:0]
	for _, u := range updates {
		probe := temporal.NewSearchAttributes(u)
		same := false
		for _, k := range keys {
			want, ok := probe.GetKeyword(k)
			if !ok {
				continue
			}
			have, ok := current.GetKeyword(k)
			same = ok && have == want
			break
		}
		if !same {
			out = append(out, u)
		}
	}
	return out
}
