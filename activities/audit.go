package activities

import (
	"context"
	"time"
)

// AuditPurger deletes audit events recorded before an instant and reports how many.
type AuditPurger interface {
	PurgeAuditEvents(ctx context.Context, before time.Time) (int64, error)
}

// AuditActivities keep the audit log (日志记录) within its retention.
type AuditActivities struct {
	Store AuditPurger
}

// PurgeAuditInput is the instant before which audit events go.
type PurgeAuditInput struct {
	Before time.Time `json:"before"`
}

// PurgeAuditResult is how many events went.
type PurgeAuditResult struct {
	Deleted int64 `json:"deleted"`
}

// PurgeAuditEvents deletes the audit events recorded before in.Before. A delete by age can be
// repeated, so a retry is harmless.
func (a *AuditActivities) PurgeAuditEvents(ctx context.Context, in PurgeAuditInput) (PurgeAuditResult, error) {
	if in.Before.IsZero() {
		return PurgeAuditResult{}, invalid("purge audit events: no cutoff")
	}
	n, err := a.Store.PurgeAuditEvents(ctx, in.Before)
	if err != nil {
		return PurgeAuditResult{}, err
	}
	return PurgeAuditResult{Deleted: n}, nil
}
