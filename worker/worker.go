// Package worker hosts datashare's workflows and activities on a Temporal task queue and
// manages the worker's lifecycle.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"gorm.io/gorm"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// Deps is what workflows and activities are built from.
type Deps struct {
	Client      client.Client
	TaskQueue   string
	DB          *gorm.DB
	Logger      *slog.Logger
	StopTimeout time.Duration // how long a stop lets running activities finish
	// Calendars is the current working-day calendar; Policy the jurisdiction profile in force.
	Calendars activities.CalendarSource
	Policy    policy.Profile
	// AuditRetentionMonths is how long the audit log is kept; the nightly purge schedule
	// deletes what is older. Zero leaves the schedules alone (tests).
	AuditRetentionMonths int
}

// SetWorkflowCacheSize bounds the workflows the process keeps in memory between their tasks:
// the SDK's sticky cache, one for every worker of the process — the embedded Temporal
// server's own system workers included, which is why it must be called before the server
// starts. A cached workflow holds its coroutines; without the bound (the SDK's default is
// 10 000) a busy process grows by a few hundred KB per recent case. 0 keeps the default.
func SetWorkflowCacheSize(n int) {
	if n > 0 {
		sdkworker.SetStickyWorkflowCacheSize(n)
	}
}

// New creates the worker and registers every workflow and activity of datashare on it.
func New(d Deps) sdkworker.Worker {
	w := sdkworker.New(d.Client, d.TaskQueue, sdkworker.Options{
		WorkerStopTimeout: d.StopTimeout,
	})
	register(w, d)
	return w
}

// register is the one place that lists what the worker runs: the procedure workflows, the
// activities of the human-task step and those of the procedures.
func register(r sdkworker.Registry, d Deps) {
	// Registered under the contract's name, which the API starts it by.
	r.RegisterWorkflowWithOptions(workflows.ShareRequestWorkflow, workflow.RegisterOptions{Name: contract.ShareRequestWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.RectificationWorkflow, workflow.RegisterOptions{Name: contract.RectificationWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.RectificationConsequenceWorkflow, workflow.RegisterOptions{Name: contract.RectificationConsequenceWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.CatalogUpdateWorkflow, workflow.RegisterOptions{Name: contract.CatalogUpdateWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.CorrectionWorkflow, workflow.RegisterOptions{Name: contract.CorrectionWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.OpenCatalogCorrectionWorkflow, workflow.RegisterOptions{Name: contract.OpenCatalogCorrectionWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.InterfaceRequirementWorkflow, workflow.RegisterOptions{Name: contract.InterfaceRequirementWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.OpenDataRequestWorkflow, workflow.RegisterOptions{Name: contract.OpenDataRequestWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.AuditPurgeWorkflow, workflow.RegisterOptions{Name: contract.AuditPurgeWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.AnnualReportRoundWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportRoundWorkflowType})
	r.RegisterWorkflowWithOptions(workflows.AnnualReportWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportWorkflowType})
	store := models.NewStore(d.DB)
	rect := rectificationProjection{store: store}
	// The projections are registered one by one (executions from before the writer call them
	// so) and behind ApplyWrites, which applies a transition's writes through the same values.
	writes := &activities.WriteActivities{
		Tasks: &activities.Activities{
			Calendars:  d.Calendars,
			Policy:     d.Policy,
			Store:      projection{store: store, policy: d.Policy},
			TimeLimits: rect,
		},
		Share:         &activities.ShareActivities{Store: shareProjection{store: store}},
		Rectification: &activities.RectificationActivities{Store: rect},
		CatalogUpdate: &activities.CatalogUpdateActivities{Store: catalogUpdateProjection{store: store}},
		Correction:    &activities.CorrectionActivities{Store: correctionProjection{store: store}, Departments: correctionProjection{store: store}},
		OpenCatalog:   &activities.OpenCatalogActivities{Store: openCatalogProjection{store: store}},
		Interface:     &activities.InterfaceActivities{Store: interfaceProjection{store: store}},
		OpenData:      &activities.OpenDataActivities{Store: openDataProjection{store: store}},
		AnnualReport:  &activities.AnnualReportActivities{Store: annualReportProjection{store: store}, Calendars: d.Calendars, Policy: d.Policy},
	}
	r.RegisterActivity(writes.Tasks)
	r.RegisterActivity(writes.Share)
	r.RegisterActivity(writes.Rectification)
	r.RegisterActivity(writes.CatalogUpdate)
	r.RegisterActivity(writes.Correction)
	r.RegisterActivity(writes.OpenCatalog)
	r.RegisterActivity(writes.Interface)
	r.RegisterActivity(writes.OpenData)
	r.RegisterActivity(writes)
	r.RegisterActivity(&activities.AuditActivities{Store: store})
	r.RegisterActivity(writes.AnnualReport)
}

// Run starts the worker and blocks until ctx ends, then stops it; a task in flight is
// finished or, after StopTimeout, left for another worker to pick up (Temporal retries it).
func Run(ctx context.Context, d Deps) error {
	w := New(d)
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker on task queue %s: %w", d.TaskQueue, err)
	}
	d.Logger.Info("worker started", slog.String("task_queue", d.TaskQueue))
	if d.AuditRetentionMonths > 0 {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		// A namespace may not let this worker manage schedules; its operators can create them
		// (deploy/README.md), so a refusal is a warning, not a stop.
		annual := false
		if pr, ok := d.Policy.Procedure(policy.ProcAnnualReport); ok && pr.Applies {
			annual = true
		}
		if err := EnsureSchedules(sctx, d.Client, d.TaskQueue, d.AuditRetentionMonths, annual); err != nil {
			d.Logger.Warn("schedules not ensured", slog.Any("error", err))
		}
		cancel()
	}
	<-ctx.Done()
	w.Stop()
	d.Logger.Info("worker stopped")
	return nil
}
