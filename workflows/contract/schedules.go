package contract

// Scheduled jobs (Temporal Schedules), which the worker creates or brings up to date at start.
// Their workflows run once per firing, cluster-wide, visible in Temporal UI.
const (
	// AuditPurgeScheduleID fires AuditPurgeWorkflow every night.
	AuditPurgeScheduleID = "datashare-audit-purge"
	// AuditPurgeWorkflowType deletes audit events past the retention. Input AuditPurgeInput.
	AuditPurgeWorkflowType = "AuditPurgeWorkflow"
)

// AuditPurgeInput is the retention the schedule was set up with.
type AuditPurgeInput struct {
	// RetentionMonths: events older than this many months before the run are deleted; never
	// fewer than six (内乡 第三十三条).
	RetentionMonths int `json:"retention_months"`
}

// AuditPurgeResult says what a run deleted.
type AuditPurgeResult struct {
	Before  string `json:"before"` // RFC 3339: events before this instant were deleted
	Deleted int64  `json:"deleted"`
}
