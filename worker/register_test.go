package worker

import (
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models/modelstest"
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

func (r *recordingRegistry) RegisterActivity(a any) { r.activities = append(r.activities, a) }

// The worker runs ShareRequestWorkflow and both activity structs, the share projections over
// the database.
func TestRegisterShareRequest(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	if !slices.Contains(r.workflows, "ShareRequestWorkflow") {
		t.Errorf("workflows = %v, want ShareRequestWorkflow", r.workflows)
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
