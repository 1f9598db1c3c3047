package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/datashare/datashare/activities"
)

// onWrite mocks one read-model write activity of a workflow test with fn, as OnActivity does,
// and routes the same write to fn when it arrives inside an ApplyWrites batch (executions with
// changeBatchedWrites): a test sees every write, one by one and in order, whichever way the
// workflow sent it.
func onWrite(env *testsuite.TestWorkflowEnvironment, activity, fn any) {
	env.OnActivity(activity, mock.Anything, mock.Anything).Return(fn)
	w := writeMocksOf(env)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.byType[reflect.TypeOf(fn).In(1)] = reflect.ValueOf(fn)
}

type writeMocks struct {
	mu     sync.Mutex
	byType map[reflect.Type]reflect.Value
	// events are the timeline event ids applied, which the read model stores once: a batch
	// the test environment runs again (a retry under load) adds no second event.
	events map[string]bool
}

var (
	writeMocksMu  sync.Mutex
	writeMocksEnv = map[*testsuite.TestWorkflowEnvironment]*writeMocks{}
)

// writeMocksOf registers the batch activity on env once, dispatching to the mocks given.
func writeMocksOf(env *testsuite.TestWorkflowEnvironment) *writeMocks {
	writeMocksMu.Lock()
	defer writeMocksMu.Unlock()
	if w, ok := writeMocksEnv[env]; ok {
		return w
	}
	w := &writeMocks{byType: map[reflect.Type]reflect.Value{}, events: map[string]bool{}}
	writeMocksEnv[env] = w
	writer := &activities.WriteActivities{}
	env.RegisterActivity(writer)
	env.OnActivity(writer.ApplyWrites, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.ApplyWritesInput) (activities.ApplyWritesResult, error) {
			// The test environment hands a local activity its input as the workflow made it;
			// the worker gets it through the data converter. Decode it as the worker would
			// (times as text, numbers as float64 in maps).
			raw, err := json.Marshal(in)
			if err != nil {
				return activities.ApplyWritesResult{}, err
			}
			in = activities.ApplyWritesInput{}
			if err := json.Unmarshal(raw, &in); err != nil {
				return activities.ApplyWritesResult{}, err
			}
			for _, item := range in.Writes {
				if err := w.apply(ctx, item); err != nil {
					return activities.ApplyWritesResult{}, err
				}
			}
			return activities.ApplyWritesResult{}, nil
		})
	return w
}

// apply calls the mock of the one write item holds.
func (w *writeMocks) apply(ctx context.Context, item activities.Write) error {
	if e := item.Timeline; e != nil {
		w.mu.Lock()
		seen := w.events[e.EventID]
		w.events[e.EventID] = true
		w.mu.Unlock()
		if seen {
			return nil
		}
	}
	v := reflect.ValueOf(item)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsNil() {
			continue
		}
		w.mu.Lock()
		fn, ok := w.byType[f.Type().Elem()]
		w.mu.Unlock()
		if !ok {
			return fmt.Errorf("no mock for a write of %s", f.Type().Elem())
		}
		out := fn.Call([]reflect.Value{reflect.ValueOf(ctx), f.Elem()})
		if err, _ := out[len(out)-1].Interface().(error); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("an empty write")
}
