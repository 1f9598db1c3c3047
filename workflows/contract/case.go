package contract

import "time"

// CaseState is what the state of every procedure holds about its case, whatever the
// procedure: each procedure's state embeds it, so its members keep their JSON names at the
// top level of the state (what the Temporal UI and the queries show) and the workflows'
// shared runner works on them once.
type CaseState struct {
	// Jurisdiction is the profile the case runs under, as the procedure's description gave it.
	Jurisdiction string `json:"jurisdiction"`
	Status       string `json:"status"`
	// CurrentStep is the step of the open task; empty while none is open.
	CurrentStep string `json:"current_step,omitempty"`
	// DueAt is the open step's deadline (each procedure says which one it shows).
	DueAt      *time.Time `json:"due_at,omitempty"`
	LegalBasis []string   `json:"legal_basis,omitempty"`
	// LocalDefault: DueAt is a local default, not a statutory deadline.
	LocalDefault bool `json:"local_default,omitempty"`
	// Decisions are the outcomes of the case's tasks, in order.
	Decisions []TaskOutcome `json:"decisions,omitempty"`
	// Final: no decision can change the case any more.
	Final    bool       `json:"final"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// Seq numbers the case's own timeline events, Revision its projections.
	Seq      int `json:"seq"`
	Revision int `json:"revision"`
	// Tasks counts the tasks opened per step, for their ids.
	Tasks map[string]int `json:"tasks,omitempty"`
}
