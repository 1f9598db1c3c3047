//go:build record || recordcatalog

package workflows_test

import "github.com/datashare/datashare/activities"

// writesOver is the batch writer over the given activity structs, as the worker builds it:
// executions with the writer send their projections through it.
func writesOver(structs ...any) *activities.WriteActivities {
	w := &activities.WriteActivities{}
	for _, s := range structs {
		switch a := s.(type) {
		case *activities.Activities:
			w.Tasks = a
		case *activities.ShareActivities:
			w.Share = a
		case *activities.CatalogUpdateActivities:
			w.CatalogUpdate = a
		case *activities.CorrectionActivities:
			w.Correction = a
		case *activities.InterfaceActivities:
			w.Interface = a
		case *activities.OpenCatalogActivities:
			w.OpenCatalog = a
		case *activities.OpenDataActivities:
			w.OpenData = a
		case *activities.RectificationActivities:
			w.Rectification = a
		case *activities.AnnualReportActivities:
			w.AnnualReport = a
		}
	}
	return w
}
