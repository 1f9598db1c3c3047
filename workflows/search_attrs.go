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
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	*s = searchAttrs{status: a.Status, provider: a.ProviderDept, dueAt: due, set: true}
	return nil
}
