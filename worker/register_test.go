package worker

import (
	"context"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// recordingRegistry notes what register puts on the worker; every other method is the nil
// embedded interface's and would panic if called.
type recordingRegistry struct {
	sdkworker.Registry
	workflows  []string
	activities []any
}

func (r *recordingRegistry) RegisterWorkflow(w any) {
	name := runtime.FuncForPC(reflect.ValueOf(w).Pointer()).Name()
	r.workflows = append(r.workflows, name[strings.LastIndex(name, ".")+1:])
}

func (r *recordingRegistry) RegisterWorkflowWithOptions(w any, o workflow.RegisterOptions) {
	r.workflows = append(r.workflows, o.Name)
}

func (r *recordingRegistry) RegisterActivity(a any) { r.activities = append(r.activities, a) }

// The worker runs ShareRequestWorkflow and both activity structs, the share projections over
// the database.
func TestRegisterShareRequest(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	// The API starts it by this name; the recorded histories carry it too.
	if !slices.Contains(r.workflows, contract.ShareRequestWorkflowType) || contract.ShareRequestWorkflowType != "ShareRequestWorkflow" {
		t.Errorf("workflows = %v, want %s", r.workflows, contract.ShareRequestWorkflowType)
	}
	var share *activities.ShareActivities
	for _, a := range r.activities {
		if s, ok := a.(*activities.ShareActivities); ok {
			share = s
		}
	}
	if share == nil {
		t.Fatalf("activities = %v, want *activities.ShareActivities", r.activities)
	}
	if _, ok := share.Store.(shareProjection); !ok {
		t.Errorf("share store = %T, want shareProjection", share.Store)
	}
}

// The worker runs RectificationWorkflow and its consequence child under the contract's names,
// the rectification projection over the database, and gives the deadline activity the
// notices' time limits.
func TestRegisterRectification(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	for _, name := range []string{contract.RectificationWorkflowType, contract.RectificationConsequenceWorkflowType} {
		if !slices.Contains(r.workflows, name) {
			t.Errorf("workflows = %v, want %s", r.workflows, name)
		}
	}
	var rect *activities.RectificationActivities
	var acts *activities.Activities
	for _, a := range r.activities {
		switch x := a.(type) {
		case *activities.RectificationActivities:
			rect = x
		case *activities.Activities:
			acts = x
		}
	}
	if rect == nil || acts == nil {
		t.Fatalf("activities = %v", r.activities)
	}
	if _, ok := rect.Store.(rectificationProjection); !ok {
		t.Errorf("rectification store = %T, want rectificationProjection", rect.Store)
	}
	if _, ok := acts.TimeLimits.(rectificationProjection); !ok {
		t.Errorf("time limits = %T, want rectificationProjection", acts.TimeLimits)
	}
}

// The worker runs CatalogUpdateWorkflow under its contract name and its activities over the
// database.
func TestRegisterCatalogUpdate(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	if !slices.Contains(r.workflows, contract.CatalogUpdateWorkflowType) || contract.CatalogUpdateWorkflowType != "CatalogUpdateWorkflow" {
		t.Errorf("workflows = %v, want %s", r.workflows, contract.CatalogUpdateWorkflowType)
	}
	var found bool
	for _, a := range r.activities {
		if c, ok := a.(*activities.CatalogUpdateActivities); ok {
			_, found = c.Store.(catalogUpdateProjection)
		}
	}
	if !found {
		t.Errorf("activities = %v, want *activities.CatalogUpdateActivities over catalogUpdateProjection", r.activities)
	}
}

// The worker runs CorrectionWorkflow under the contract's name, with its projection over the
// database.
func TestRegisterCorrection(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	if !slices.Contains(r.workflows, contract.CorrectionWorkflowType) || contract.CorrectionWorkflowType != "CorrectionWorkflow" {
		t.Errorf("workflows = %v, want %s", r.workflows, contract.CorrectionWorkflowType)
	}
	var corr *activities.CorrectionActivities
	for _, a := range r.activities {
		if c, ok := a.(*activities.CorrectionActivities); ok {
			corr = c
		}
	}
	if corr == nil {
		t.Fatalf("activities = %v, want *activities.CorrectionActivities", r.activities)
	}
	if _, ok := corr.Store.(correctionProjection); !ok {
		t.Errorf("correction store = %T, want correctionProjection", corr.Store)
	}
	if _, ok := corr.Departments.(correctionProjection); !ok {
		t.Errorf("department lookup = %T, want correctionProjection", corr.Departments)
	}
}

// The dispatch check reads the department table.
func TestCorrectionDepartmentKind(t *testing.T) {
	db := modelstest.NewSQLite(t)
	if _, err := models.SeedDemo(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	p := correctionProjection{store: models.NewStore(db)}
	for id, want := range map[string]string{models.DemoProvidingDeptID: "department", models.DemoTechServiceID: "tech_service", "nx-nobody": ""} {
		kind, found, err := p.DepartmentKind(context.Background(), id)
		if err != nil || kind != want || found != (want != "") {
			t.Errorf("%s: kind %q found %v err %v, want %q", id, kind, found, err, want)
		}
	}
}

// The worker runs both workflows of issue 6 items 3 and 4 under their contract names, with
// their projections over the database.
func TestRegisterOpenCatalogAndInterface(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	for _, name := range []string{contract.OpenCatalogCorrectionWorkflowType, contract.InterfaceRequirementWorkflowType} {
		if !slices.Contains(r.workflows, name) {
			t.Errorf("workflows = %v, want %s", r.workflows, name)
		}
	}
	var oc, ir bool
	for _, a := range r.activities {
		if s, ok := a.(*activities.OpenCatalogActivities); ok {
			_, oc = s.Store.(openCatalogProjection)
		}
		if s, ok := a.(*activities.InterfaceActivities); ok {
			_, ir = s.Store.(interfaceProjection)
		}
	}
	if !oc || !ir {
		t.Errorf("activities = %v, want the open-catalog and interface projections", r.activities)
	}
}
