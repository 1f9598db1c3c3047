// Package devserver runs a Temporal server and the Temporal Web UI inside the
// current process, persisting to an SQLite file. It exists for the
// one-command embedded mode only: production binaries must not import it, so
// they never link the Temporal server.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/temporal"
)

// Defaults applied by Start to zero-valued Options fields.
const (
	DefaultHost         = "127.0.0.1"
	DefaultFrontendPort = 7233
	DefaultUIPort       = 8233
	DefaultNamespace    = "default"
	DefaultRetention    = 30 * 24 * time.Hour
)

const (
	// DBFileName is the server's SQLite file inside Options.DataDir.
	DBFileName = "temporal.db"

	loopback = "127.0.0.1"
	// minRetention is the server's floor for local namespaces
	// (system.namespaceMinRetentionLocal).
	minRetention = time.Hour
	// startTimeout bounds the wait for the frontend and UI to answer.
	startTimeout = time.Minute
	// silent is above every level the server logs at.
	silent = slog.LevelError + 100
)

// Options configures the embedded server. Zero values take the defaults above.
type Options struct {
	// DataDir is the folder holding the server's SQLite file (DBFileName);
	// it is created if missing. Required.
	DataDir string
	// Host is the IP the frontend and UI listen on; "localhost" means 127.0.0.1.
	Host string
	// FrontendPort is the gRPC frontend port; 7233 lets the temporal CLI work unconfigured.
	FrontendPort int
	// UIPort is the Temporal Web UI HTTP port; negative disables the UI.
	UIPort int
	// Namespace is created if missing.
	Namespace string
	// Retention keeps closed workflows of Namespace this long. An existing
	// namespace with a shorter retention is raised to it.
	Retention time.Duration
	// SearchAttributes are custom search attributes registered at start;
	// ones already registered with the same type are left alone.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's warnings and errors; nil means slog.Default().
	Logger *slog.Logger
}

// Server is a running embedded Temporal server with its optional UI.
type Server struct {
	frontend string
	uiURL    string

	temporal temporal.Server
	ui       *uiserver.Server
	uiDone   chan error
	logLevel *slog.LevelVar

	stopOnce sync.Once
	stopErr  error
}

// Start prepares the SQLite file, starts the server and the UI, and returns
// once the frontend answers for the namespace, with its retention and search
// attributes in place. ctx bounds that wait.
func Start(ctx context.Context, opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	// The server and the UI report a busy port by logging (the UI even exits
	// the process), so check ours before anything starts.
	if err := checkPortFree(o.Host, o.FrontendPort, "frontend"); err != nil {
		return nil, err
	}
	if o.UIPort > 0 {
		if err := checkPortFree(o.Host, o.UIPort, "UI"); err != nil {
			return nil, err
		}
	}
	ports, err := internalPorts(o)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("devserver: create data dir: %w", err)
	}
	dbPath := filepath.Join(o.DataDir, DBFileName)
	sql := sqlConfig(dbPath)
	if err := prepareDatabase(sql, dbPath, o); err != nil {
		return nil, err
	}

	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	quiet := slog.New(levelHandler{min: level, next: o.Logger.Handler()})
	s := &Server{
		frontend: net.JoinHostPort(dialHost(o.Host), strconv.Itoa(o.FrontendPort)),
		logLevel: level,
	}

	// The internal ports were free when picked, but another socket may take one before the
	// server binds it (an outgoing connection gets a port of the same range): pick again.
	for attempt := 1; ; attempt++ {
		s.temporal, err = startTemporal(o, ports, sql, serverLogger{log: quiet})
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") ||
			strings.Contains(err.Error(), ":"+strconv.Itoa(o.FrontendPort)+":") {
			return nil, err
		}
		if ports, err = internalPorts(o); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := s.setUp(ctx, o, quiet); err != nil {
		_ = s.Stop()
		return nil, err
	}
	// The UI starts last: its gRPC connection backs off for a while after a
	// refused first dial, and the first page would show a connection error.
	if o.UIPort > 0 {
		err := checkPortFree(o.Host, o.UIPort, "UI")
		if err == nil {
			err = s.startUI(o)
		}
		if err == nil {
			err = s.waitUI(ctx)
		}
		if err != nil {
			_ = s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// FrontendHostPort is the gRPC address for SDK clients, e.g. "127.0.0.1:7233".
func (s *Server) FrontendHostPort() string { return s.frontend }

// UIURL is the Web UI address, e.g. "http://127.0.0.1:8233", or "" when disabled.
func (s *Server) UIURL() string { return s.uiURL }

// Stop stops the UI, then the server. Later calls return the first result.
// The server keeps its SQLite connections open until the process exits.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// Services winding down log warnings and errors (closed task queues,
		// cancelled calls) that mean nothing once the caller chose to stop.
		s.logLevel.Set(silent)
		if s.ui != nil {
			s.ui.Stop()
			select {
			case <-s.uiDone:
			case <-time.After(5 * time.Second):
			}
		}
		if s.temporal != nil {
			if err := s.temporal.Stop(); err != nil {
				s.stopErr = fmt.Errorf("devserver: stop temporal server: %w", err)
			}
		}
	})
	return s.stopErr
}

// startTemporal builds and starts the server, turning a panic raised while
// wiring its services into an error.
func startTemporal(o Options, ports servicePorts, sql *config.SQL, logger serverLogger) (srv temporal.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("devserver: start temporal server: panic: %v", r)
		}
	}()
	srv, err = temporal.NewServer(serverOptions(o, ports, sql, logger)...)
	if err != nil {
		return nil, fmt.Errorf("devserver: create temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("devserver: start temporal server: %w", err)
	}
	return srv, nil
}

// withDefaults validates opts and fills in the defaults.
func (opts Options) withDefaults() (Options, error) {
	o := opts
	if o.DataDir == "" {
		return o, errors.New("devserver: Options.DataDir is required")
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return o, fmt.Errorf("devserver: Options.DataDir: %w", err)
	}
	// The file name goes into an SQLite URI, where these characters mean something.
	if strings.ContainsAny(dir, "?#%") {
		return o, fmt.Errorf("devserver: Options.DataDir %q must not contain '?', '#' or '%%'", dir)
	}
	o.DataDir = dir
	switch o.Host {
	case "":
		o.Host = DefaultHost
	case "localhost":
		o.Host = loopback
	}
	if net.ParseIP(o.Host) == nil {
		return o, fmt.Errorf("devserver: Options.Host %q must be an IP address", o.Host)
	}
	if o.FrontendPort == 0 {
		o.FrontendPort = DefaultFrontendPort
	}
	if o.UIPort == 0 {
		o.UIPort = DefaultUIPort
	}
	if o.FrontendPort < 0 || o.FrontendPort > 65535 || o.UIPort > 65535 {
		return o, fmt.Errorf("devserver: ports out of range (frontend %d, UI %d)", o.FrontendPort, o.UIPort)
	}
	if o.UIPort == o.FrontendPort {
		return o, fmt.Errorf("devserver: frontend and UI both set to port %d", o.FrontendPort)
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Retention < minRetention {
		return o, fmt.Errorf("devserver: Options.Retention %s is below the server minimum of %s", o.Retention, minRetention)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// checkPortFree reports, naming the port, whether host:port is already taken.
func checkPortFree(host string, port int, role string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("devserver: %s port %d on %s is not available (is another Temporal server running?): %w",
			role, port, host, err)
	}
	return ln.Close()
}

// freePort asks the kernel for an unused port on host.
// internalPorts picks the ports of the frontend's HTTP API and of the history, matching and
// worker services; only the frontend's gRPC port is the caller's.
func internalPorts(o Options) (servicePorts, error) {
	ports := servicePorts{frontend: o.FrontendPort}
	var err error
	if ports.frontendHTTP, err = freePort(o.Host); err != nil {
		return ports, err
	}
	for _, p := range []*int{&ports.history, &ports.matching, &ports.worker} {
		if *p, err = freePort(loopback); err != nil {
			return ports, err
		}
	}
	return ports, nil
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: pick a free port on %s: %w", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// dialHost is the address clients use to reach a listener bound to host.
func dialHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return loopback
	}
	return host
}
