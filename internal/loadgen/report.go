package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes a report (Report, SeedReport or RestartReport) as indented JSON.
func WriteJSON(w io.Writer, report any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(report)
}

// WriteText writes the report of a run as plain lines, one figure a line.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "datashare bench: %s, resource %s, %d clients, %d approvers, %s\n\n",
		r.API, resourceName(r.Resource), r.Clients, r.Approvers, seconds(r.DurationSeconds))
	fmt.Fprintf(w, "%-10s %d in %s: %.1f creates/s sustained\n", "created", r.Created, seconds(r.WallSeconds), r.CreatesPerSecond)
	fmt.Fprintf(w, "%-10s %s\n", "create", latencyLine(r.Create, true))
	fmt.Fprintf(w, "%-10s %s\n", "approve", latencyLine(r.Approve, true))
	fmt.Fprintf(w, "%-10s %s\n", "claim", latencyLine(r.Claim, false))
	fmt.Fprintf(w, "%-10s %s\n", "inbox", latencyLine(r.Inbox, false))
	fmt.Fprintf(w, "%-10s %d approved, %d left open\n", "approvals", r.Approved, r.LeftOpen)
	e := r.Errors
	fmt.Fprintf(w, "%-10s %d (create %d, read %d, claim %d, approve %d, inbox %d)\n", "errors", e.Total(), e.Create, e.Read, e.Claim, e.Approve, e.Inbox)
	m := r.Misses
	fmt.Fprintf(w, "%-10s %d read-your-writes misses (after create %d of %d, task by id %d of %d, after approve %d of %d)\n",
		"misses", m.Total(), m.AfterCreate, r.Created, m.TaskByID, m.TaskByIDChecked, m.AfterApprove, r.Approved)
	fmt.Fprintf(w, "%-10s %s\n", "memory", memoryLine(r.Memory))
	writeSamples(w, "first errors", e.Samples)
	writeSamples(w, "first misses", m.Samples)
}

// WriteText writes the report of a seed as plain lines.
func (r *SeedReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "datashare bench seed: %s, resource %s, %d clients\n\n", r.API, resourceName(r.Resource), r.Clients)
	fmt.Fprintf(w, "%-10s %d of %d in %s: %.1f creates/s\n", "created", r.Created, r.N, seconds(r.WallSeconds), r.CreatesPerSecond)
	fmt.Fprintf(w, "%-10s %s\n", "create", latencyLine(r.Create, true))
	fmt.Fprintf(w, "%-10s %d\n", "errors", r.Errors)
	writeSamples(w, "first errors", r.ErrorSamples)
}

// WriteText writes the report of a restart as plain lines.
func (r *RestartReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "datashare bench restart: %s\n\n", r.API)
	fmt.Fprintf(w, "%-10s pid %d exited %s after SIGTERM\n", "stopped", r.OldPID, seconds(r.StopSeconds))
	fmt.Fprintf(w, "%-10s pid %d: %s (output in %s, own process group)\n", "started", r.NewPID, strings.Join(r.Command, " "), r.LogFile)
	fmt.Fprintf(w, "%-10s /readyz 200 after %s, /readyz and the inbox 200 after %s from the start; the API was down %s\n",
		"ready", seconds(r.ReadyzSeconds), seconds(r.ReadySeconds), seconds(r.DowntimeSeconds))
	fmt.Fprintf(w, "%-10s %s, %s after ready\n", "memory", memoryLine(r.Memory), seconds(r.SettleSeconds))
}

func resourceName(r Resource) string {
	if r.Code == "" {
		return fmt.Sprint(r.ID)
	}
	return fmt.Sprintf("%d (%s)", r.ID, r.Code)
}

// latencyLine is "p50 … p90 … p99 … max … (n calls)", or p50 and p99 only for the calls
// whose tail matters less.
func latencyLine(l Latency, full bool) string {
	if l.Count == 0 {
		return "no calls"
	}
	if !full {
		return fmt.Sprintf("p50 %s  p99 %s  (%d calls)", millis(l.P50MS), millis(l.P99MS), l.Count)
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (%d calls)", millis(l.P50MS), millis(l.P90MS), millis(l.P99MS), millis(l.MaxMS), l.Count)
}

// millis shows a latency to a tenth of a millisecond under 10 ms, to the millisecond above.
func millis(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func seconds(v float64) string { return fmt.Sprintf("%.1f s", v) }

func memoryLine(m Memory) string {
	if m.Error != "" {
		return "not read from " + m.Source + ": " + m.Error
	}
	s := "RSS " + mib(m.RSSBytes)
	if m.HWMBytes > 0 {
		s += ", peak (VmHWM) " + mib(m.HWMBytes)
	}
	return s + " (from " + m.Source + ")"
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func writeSamples(w io.Writer, title string, samples []string) {
	if len(samples) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, s := range samples {
		fmt.Fprintf(w, "  %s\n", s)
	}
}
