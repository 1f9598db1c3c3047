package activities

import (
	"context"
	"fmt"
)

// Write is one read-model write of a workflow: exactly one field is set. A workflow gathers
// the writes of one transition (a request projected, its task opened, both recorded on the
// timeline) and sends them in one ApplyWrites call instead of one activity each, which is
// most of what a workflow used to spend per transition.
type Write struct {
	Task                  *ProjectTaskInput                  `json:"task,omitempty"`
	Timeline              *AppendTimelineInput               `json:"timeline,omitempty"`
	ShareRequest          *ProjectShareRequestInput          `json:"share_request,omitempty"`
	Grant                 *ProjectGrantInput                 `json:"grant,omitempty"`
	CatalogUpdate         *ProjectCatalogUpdateInput         `json:"catalog_update,omitempty"`
	Correction            *ProjectCorrectionInput            `json:"correction,omitempty"`
	InterfaceRequirement  *ProjectInterfaceRequirementInput  `json:"interface_requirement,omitempty"`
	OpenCatalogCorrection *ProjectOpenCatalogCorrectionInput `json:"open_catalog_correction,omitempty"`
	OpenDataRequest       *ProjectOpenDataRequestInput       `json:"open_data_request,omitempty"`
	Rectification         *ProjectRectificationInput         `json:"rectification,omitempty"`
	AnnualReport          *ProjectAnnualReportInput          `json:"annual_report,omitempty"`
}

// ApplyWritesInput is the writes of one transition, in the order the workflow made them.
type ApplyWritesInput struct {
	Writes []Write `json:"writes"`
}

// ApplyWritesResult is empty: the rows are the effect.
type ApplyWritesResult struct{}

// WriteActivities applies a batch of writes through the same projections the single-write
// activities use; the worker builds it from the structs it registers.
type WriteActivities struct {
	Tasks         *Activities
	Share         *ShareActivities
	CatalogUpdate *CatalogUpdateActivities
	Correction    *CorrectionActivities
	Interface     *InterfaceActivities
	OpenCatalog   *OpenCatalogActivities
	OpenData      *OpenDataActivities
	Rectification *RectificationActivities
	AnnualReport  *AnnualReportActivities
}

// ApplyWrites applies the writes in order. Every projection is guarded by its revision and
// every timeline event by its id, so a retried batch — after an outage part-way — applies
// what is missing and leaves the rest as it was. A write the read model rejects stops the
// batch with a non-retryable "invalid" error, as the single write would.
func (a *WriteActivities) ApplyWrites(ctx context.Context, in ApplyWritesInput) (ApplyWritesResult, error) {
	for i, w := range in.Writes {
		if err := a.apply(ctx, w); err != nil {
			return ApplyWritesResult{}, fmt.Errorf("write %d of %d: %w", i+1, len(in.Writes), err)
		}
	}
	return ApplyWritesResult{}, nil
}

func (a *WriteActivities) apply(ctx context.Context, w Write) error {
	var err error
	switch {
	case w.Task != nil:
		_, err = a.Tasks.ProjectTask(ctx, *w.Task)
	case w.Timeline != nil:
		_, err = a.Tasks.AppendTimeline(ctx, *w.Timeline)
	case w.ShareRequest != nil:
		_, err = a.Share.ProjectShareRequest(ctx, *w.ShareRequest)
	case w.Grant != nil:
		_, err = a.Share.ProjectGrant(ctx, *w.Grant)
	case w.CatalogUpdate != nil:
		_, err = a.CatalogUpdate.ProjectCatalogUpdate(ctx, *w.CatalogUpdate)
	case w.Correction != nil:
		_, err = a.Correction.ProjectCorrection(ctx, *w.Correction)
	case w.InterfaceRequirement != nil:
		err = a.Interface.ProjectInterfaceRequirement(ctx, *w.InterfaceRequirement)
	case w.OpenCatalogCorrection != nil:
		err = a.OpenCatalog.ProjectOpenCatalogCorrection(ctx, *w.OpenCatalogCorrection)
	case w.OpenDataRequest != nil:
		_, err = a.OpenData.ProjectOpenDataRequest(ctx, *w.OpenDataRequest)
	case w.Rectification != nil:
		_, err = a.Rectification.ProjectRectification(ctx, *w.Rectification)
	case w.AnnualReport != nil:
		err = a.AnnualReport.ProjectAnnualReport(ctx, *w.AnnualReport)
	default:
		err = invalid("a write with nothing to write")
	}
	return err
}
