package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/config"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/datashare/datashare/internal/temporalx"
)

// readinessProbe names a workflow and a task queue nobody uses: asking
// history and matching about them proves the frontend reaches both roles.
const readinessProbe = "devserver-readiness-probe"

// prepareDatabase creates the schema in a new file and the namespace if it
// is missing, before the server starts, so the server never sees a missing
// namespace.
func prepareDatabase(sql *config.SQL, dbPath string, o Options) error {
	info, err := os.Stat(dbPath)
	switch {
	case errors.Is(err, os.ErrNotExist) || (err == nil && info.Size() == 0):
		if err := sqliteschema.SetupSchema(sql); err != nil {
			return fmt.Errorf("devserver: create Temporal schema in %s (remove the file to start over): %w", dbPath, err)
		}
	case err != nil:
		return fmt.Errorf("devserver: %w", err)
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, nil)
	if err != nil {
		return fmt.Errorf("devserver: namespace %q: %w", o.Namespace, err)
	}
	// The helper hard-codes 24 hours; the read model outlives that, but
	// operators still look closed procedures up in the UI.
	ns.Detail.Config.Retention = durationpb.New(o.Retention)
	if err := sqliteschema.CreateNamespaces(sql, ns); err != nil {
		return fmt.Errorf("devserver: create namespace %q: %w", o.Namespace, err)
	}
	return nil
}

// setUp waits for the frontend, then raises the namespace retention and
// registers the search attributes through the public APIs.
func (s *Server) setUp(ctx context.Context, o Options, logger *slog.Logger) error {
	c, err := s.waitFrontend(ctx, o.Namespace, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := temporalx.EnsureNamespace(ctx, c, o.Namespace, o.Retention); err != nil {
		return fmt.Errorf("devserver: %w", err)
	}
	return ensureSearchAttributes(ctx, c.OperatorService(), o.Namespace, o.SearchAttributes)
}

// waitFrontend dials until the namespace can be described and history and
// matching answer, returning the connected client.
func (s *Server) waitFrontend(ctx context.Context, namespace string, logger *slog.Logger) (client.Client, error) {
	var lastErr error
	for {
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  s.frontend,
			Namespace: namespace,
			Logger:    sdklog.NewStructuredLogger(logger),
		})
		if err == nil {
			if err = probe(ctx, c.WorkflowService(), namespace); err == nil {
				return c, nil
			}
			c.Close()
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("devserver: frontend %s not ready: %w (last error: %v)", s.frontend, ctx.Err(), lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func probe(ctx context.Context, wf workflowservice.WorkflowServiceClient, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		return fmt.Errorf("describe namespace: %w", err)
	}
	_, err := wf.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: namespace,
		Execution: &common.WorkflowExecution{WorkflowId: readinessProbe},
	})
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("reach history: %w", err)
	}
	_, err = wf.DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
		Namespace:     namespace,
		TaskQueue:     &taskqueue.TaskQueue{Name: readinessProbe, Kind: enums.TASK_QUEUE_KIND_NORMAL},
		TaskQueueType: enums.TASK_QUEUE_TYPE_WORKFLOW,
	})
	if err != nil {
		return fmt.Errorf("reach matching: %w", err)
	}
	return nil
}

// ensureSearchAttributes adds the missing custom search attributes. It adds
// only missing ones because the server logs a warning for each existing one.
func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enums.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	list, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("devserver: list search attributes: %w", err)
	}
	missing := make(map[string]enums.IndexedValueType)
	for name, typ := range want {
		if _, ok := list.GetSystemAttributes()[name]; ok {
			return fmt.Errorf("devserver: search attribute %q is a system attribute", name)
		}
		have, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return fmt.Errorf("devserver: search attribute %q is registered as %s, want %s", name, have, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("devserver: add search attributes: %w", err)
	}
	return nil
}
