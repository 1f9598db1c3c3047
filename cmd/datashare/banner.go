package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/config"
	"github.com/datashare/datashare/models"
)

// printBanner shows where everything is and a token per demo user, and writes the tokens to
// DATA_DIR/demo-tokens.env for scripts.
func printBanner(w io.Writer, cfg config.Config, profile string, demo bool, uiURL, temporalAddr string, signer *auth.DevSigner) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n datashare is running (embedded mode, jurisdiction profile %s)\n\n", profile)
	signIn := ""
	if signer != nil {
		signIn = "   (sign in as any user of the users table)"
	}
	fmt.Fprintf(&b, "   console      %s/console/%s\n", cfg.PublicURL, signIn)
	fmt.Fprintf(&b, "   API          %s/api/v1   (OpenAPI: %s/api/openapi.json)\n", cfg.PublicURL, cfg.PublicURL)
	fmt.Fprintf(&b, "   health       %s/healthz  %s/readyz  %s/metrics\n", cfg.PublicURL, cfg.PublicURL, cfg.PublicURL)
	if uiURL != "" {
		fmt.Fprintf(&b, "   Temporal UI  %s\n", uiURL)
	}
	fmt.Fprintf(&b, "   Temporal     %s  namespace %s\n", temporalAddr, cfg.TemporalNamespace)
	fmt.Fprintf(&b, "                %s\n", temporalCLIHint(temporalAddr, cfg.TemporalNamespace))
	fmt.Fprintf(&b, "   data         %s\n", cfg.DataDir)
	if signer == nil || !demo {
		b.WriteString("\n Stop with Ctrl-C; the next start resumes where this one stopped.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("\n Demo tokens (valid 30 days; also in " + filepath.Join(cfg.DataDir, "demo-tokens.env") + "):\n")
	var env strings.Builder
	for _, u := range models.DemoUsersFor(profile) {
		tok, err := signer.Sign(principalOfUser(u), 30*24*time.Hour)
		if err != nil {
			return err
		}
		dept := "-"
		if u.DepartmentID != nil {
			dept = *u.DepartmentID
		}
		fmt.Fprintf(&b, "\n   %-19s %-13s %s\n   %s\n", u.ID, dept, strings.Join(u.Roles, ","), tok)
		fmt.Fprintf(&env, "%s=%s\n", demoTokenVar(u.ID), tok)
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "demo-tokens.env"), []byte(env.String()), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n First call:\n   . %s && curl -H \"Authorization: Bearer $TOKEN_APPLICANT\" %s/api/v1/me\n",
		filepath.Join(cfg.DataDir, "demo-tokens.env"), cfg.PublicURL)
	b.WriteString("\n Stop with Ctrl-C; the next start resumes where this one stopped.\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// The temporal CLI's own defaults: the frontend it dials and the namespace it uses when given
// neither --address nor --namespace (nor TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE).
const (
	temporalCLIDefaultAddress   = "127.0.0.1:7233"
	temporalCLIDefaultNamespace = "default"
)

// temporalCLIHint says how the temporal CLI (optional, not installed by make run) reaches the
// embedded server at addr in namespace: unconfigured where both are the CLI's defaults, else
// with the --address and --namespace it needs.
func temporalCLIHint(addr, namespace string) string {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && (host == "" || host == "0.0.0.0" || host == "::" || host == "localhost") {
		// Listening on every interface, or by name: the CLI dials the loopback address.
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var flags []string
	if addr != temporalCLIDefaultAddress {
		flags = append(flags, "--address "+addr)
	}
	if namespace != temporalCLIDefaultNamespace {
		flags = append(flags, "--namespace "+namespace)
	}
	if len(flags) == 0 {
		return "temporal CLI (optional, see README): works unconfigured, e.g. temporal workflow list"
	}
	return "temporal CLI (optional, see README): temporal workflow list " + strings.Join(flags, " ")
}
