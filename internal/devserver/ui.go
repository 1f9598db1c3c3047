package devserver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// startUI starts the Web UI in the background. ui-server's Start blocks and
// exits the process on a listen error, hence the port check in Start.
func (s *Server) startUI(o Options) (err error) {
	// NewServer panics on a bad configuration instead of returning an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("devserver: create UI server: %v", r)
		}
	}()
	host := o.Host
	if ip := net.ParseIP(host); ip.To4() == nil {
		host = "[" + host + "]" // ui-server joins host and port with "%s:%d"
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                o.UIPort,
		TemporalGRPCAddress: s.frontend,
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		// Plain HTTP on localhost: a Secure CSRF cookie would never be sent
		// back, and every write from the UI would fail the CSRF check.
		CORS:             uiconfig.CORS{CookieInsecure: true},
		HideLogs:         true,
		DisableNewsFetch: true, // no network in the embedded mode
	}))
	s.uiURL = "http://" + net.JoinHostPort(dialHost(o.Host), strconv.Itoa(o.UIPort))
	s.uiDone = make(chan error, 1)
	go func() { s.uiDone <- s.ui.Start() }()
	return nil
}

// waitUI returns once the UI answers its health check.
func (s *Server) waitUI(ctx context.Context) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.uiURL+"/healthz", nil)
		if err != nil {
			return fmt.Errorf("devserver: UI health request: %w", err)
		}
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: UI at %s not ready: %w", s.uiURL, ctx.Err())
		case err := <-s.uiDone:
			s.uiDone <- err // let Stop see it too
			return fmt.Errorf("devserver: UI at %s stopped: %v", s.uiURL, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
