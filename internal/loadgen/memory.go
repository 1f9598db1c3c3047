package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Memory is the server's resident memory at the end of a run, and where it was read.
type Memory struct {
	// Source is /proc/<pid>/status (VmRSS and VmHWM of that process) or the API's /metrics
	// (process_resident_memory_bytes of the process serving it).
	Source   string `json:"source"`
	RSSBytes int64  `json:"rss_bytes"`
	// HWMBytes is the peak resident memory of the process since it started; /proc only.
	HWMBytes int64 `json:"hwm_bytes,omitempty"`
	// Error says why no figure was read; the run's other figures stand.
	Error string `json:"error,omitempty"`
}

// procMemory reads VmRSS and VmHWM of a local process.
func procMemory(pid int) Memory {
	path := fmt.Sprintf("/proc/%d/status", pid)
	m := Memory{Source: path}
	raw, err := os.ReadFile(path)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	st := ParseProcStatus(string(raw))
	m.RSSBytes, m.HWMBytes = st.RSSBytes, st.HWMBytes
	if m.RSSBytes == 0 {
		m.Error = "no VmRSS (a kernel thread, or a process that has exited)"
	}
	return m
}

// ProcStatus is what a run reads of /proc/<pid>/status.
type ProcStatus struct {
	State    byte // R, S, D, Z (zombie: exited, not yet reaped), …
	RSSBytes int64
	HWMBytes int64
}

// ParseProcStatus reads the State, VmRSS and VmHWM lines of /proc/<pid>/status; the kernel
// gives the sizes in kB (KiB).
func ParseProcStatus(text string) ProcStatus {
	var st ProcStatus
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch name {
		case "State":
			if value != "" {
				st.State = value[0]
			}
		case "VmRSS":
			st.RSSBytes = kib(value)
		case "VmHWM":
			st.HWMBytes = kib(value)
		}
	}
	return st
}

// kib reads "123456 kB" as bytes; 0 when it is not that.
func kib(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSuffix(s, " kB"), 10, 64)
	if err != nil {
		return 0
	}
	return n * 1024
}

// metricsMemory reads the server's process_resident_memory_bytes from GET /metrics, with the
// bearer token /metrics requires when it is configured to (token "" sends none).
func metricsMemory(ctx context.Context, c *client, token string) Memory {
	m := Memory{Source: c.base + "/metrics process_resident_memory_bytes"}
	r, err := c.do(ctx, http.MethodGet, "/metrics", token, nil)
	switch {
	case err != nil:
		m.Error = err.Error()
	case r.status != http.StatusOK:
		m.Error = r.String()
	default:
		m.RSSBytes, err = ScrapeRSS(string(r.body))
		if err != nil {
			m.Error = err.Error()
		}
	}
	return m
}

// ScrapeRSS finds process_resident_memory_bytes in a Prometheus text exposition.
func ScrapeRSS(text string) (int64, error) {
	const name = "process_resident_memory_bytes"
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '{') {
			continue // a comment, or another metric whose name starts alike
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		// The value follows the labels, if any; a timestamp may follow it.
		value := fields[0]
		if strings.HasPrefix(rest, "{") {
			_, after, _ := strings.Cut(rest, "}")
			if f := strings.Fields(after); len(f) > 0 {
				value = f[0]
			}
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not a number", name, value)
		}
		return int64(v), nil
	}
	return 0, errors.New("no " + name + " in /metrics (a server without the process collector?)")
}
