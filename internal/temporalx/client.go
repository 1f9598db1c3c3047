// Package temporalx connects datashare processes to Temporal: the client with TLS or an API
// key from the usual TEMPORAL_* settings, SDK metrics into the process's Prometheus registry,
// and the custom search attributes.
package temporalx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Config says how to reach Temporal.
type Config struct {
	Address    string
	Namespace  string
	TLS        bool
	CertFile   string
	KeyFile    string
	CAFile     string
	ServerName string
	APIKey     string
}

// NewClient builds a lazy client: it connects on first use, so an API process starts while
// Temporal is down and reports it on /readyz instead of crash-looping. SDK metrics go to reg.
// The returned closer flushes the metrics scope; call it after closing the client.
func NewClient(cfg Config, log *slog.Logger, reg prometheus.Registerer) (client.Client, io.Closer, error) {
	opts := client.Options{
		HostPort:  cfg.Address,
		Namespace: cfg.Namespace,
		Logger:    sdklog.NewStructuredLogger(log.With(slog.String("component", "temporal-sdk"))),
	}
	if cfg.TLS {
		tlsCfg, err := tlsConfig(cfg)
		if err != nil {
			return nil, nil, err
		}
		opts.ConnectionOptions.TLS = tlsCfg
	}
	if cfg.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.APIKey)
	}
	var closer io.Closer = io.NopCloser(nil)
	if reg != nil {
		scope, c, err := metricsScope(reg)
		if err != nil {
			return nil, nil, err
		}
		opts.MetricsHandler = sdktally.NewMetricsHandler(scope)
		closer = c
	}
	c, err := client.NewLazyClient(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("temporal client for %s: %w", cfg.Address, err)
	}
	return c, closer, nil
}

// metricsScope reports the SDK's metrics (workflow task latency, activity failures, poller
// counts…) through a tally scope into the Prometheus registry that /metrics serves.
func metricsScope(reg prometheus.Registerer) (tally.Scope, io.Closer, error) {
	var regErr error
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:      reg,
		OnRegisterError: func(err error) { regErr = errors.Join(regErr, err) },
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	if regErr != nil {
		return nil, nil, fmt.Errorf("register temporal metrics: %w", regErr)
	}
	return sdktally.NewPrometheusNamingScope(scope), closer, nil
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if cfg.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: no certificate in %s", cfg.CAFile)
		}
		t.RootCAs = pool
	}
	return t, nil
}

// CheckHealth asks the frontend whether it serves; /readyz uses it.
func CheckHealth(ctx context.Context, c client.Client) error {
	_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// EnsureSearchAttributes registers the custom search attributes that are missing in the
// namespace. Existing ones are left alone; a different type for an existing name is an error,
// because Temporal cannot change it and filters in the UI would silently break.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string, attrs map[string]enumspb.IndexedValueType) error {
	op := c.OperatorService()
	have, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes of %s: %w", namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range attrs {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("search attribute %s exists in %s as %s, datashare needs %s", name, namespace, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes to %s: %w", namespace, err)
	}
	return nil
}

// EnsureNamespace registers the namespace with the given retention of closed workflows, or
// raises the retention of an existing one that keeps them for less. It never lowers a
// retention an operator chose: closed procedures stay inspectable at least that long.
func EnsureNamespace(ctx context.Context, c client.Client, namespace string, retention time.Duration) error {
	wf := c.WorkflowService()
	desc, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		_, err = wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			Description:                      "datashare: data-sharing procedures",
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("register namespace %s: %w", namespace, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	case desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() >= retention:
		return nil
	}
	_, err = wf.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: namespace,
		Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
	})
	if err != nil {
		return fmt.Errorf("raise retention of namespace %s to %s: %w", namespace, retention, err)
	}
	return nil
}
