package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLoadgenReportText(t *testing.T) {
	r := &Report{
		API: "http://127.0.0.1:8080", Resource: Resource{ID: 2, Code: "NX-SCJG-0002"}, Clients: 8, Approvers: 2,
		DurationSeconds: 20, WallSeconds: 20.512, Created: 310, CreatesPerSecond: 15.113,
		Create:   Latency{Count: 310, P50MS: 512.4, P90MS: 700, P99MS: 950.2, MaxMS: 1203, MeanMS: 530},
		Approve:  Latency{Count: 120, P50MS: 80, P90MS: 120, P99MS: 200, MaxMS: 210},
		Claim:    Latency{Count: 121, P50MS: 9.46, P99MS: 30},
		Approved: 120, LeftOpen: 190,
		Errors: Errors{Create: 1, Claim: 1, Samples: []string{"create: POST /api/v1/share-requests → 503 {\"error\":…}"}},
		Misses: Misses{AfterCreate: 2, TaskByID: 1, TaskByIDChecked: 31},
		Memory: Memory{Source: "/proc/42/status", RSSBytes: 355 << 20, HWMBytes: 360 << 20},
	}
	var b bytes.Buffer
	r.WriteText(&b)
	out := b.String()
	for _, want := range []string{
		"datashare bench: http://127.0.0.1:8080, resource 2 (NX-SCJG-0002), 8 clients, 2 approvers, 20.0 s\n",
		"created    310 in 20.5 s: 15.1 creates/s sustained\n",
		"create     p50 512 ms  p90 700 ms  p99 950 ms  max 1203 ms  (310 calls)\n",
		"approve    p50 80 ms  p90 120 ms  p99 200 ms  max 210 ms  (120 calls)\n",
		"claim      p50 9.5 ms  p99 30 ms  (121 calls)\n",
		"inbox      no calls\n",
		"approvals  120 approved, 190 left open\n",
		"errors     2 (create 1, read 0, claim 1, approve 0, inbox 0)\n",
		"misses     3 read-your-writes misses (after create 2 of 310, task by id 1 of 31, after approve 0 of 120)\n",
		"memory     RSS 355.0 MiB, peak (VmHWM) 360.0 MiB (from /proc/42/status)\n",
		"\nfirst errors:\n  create: POST /api/v1/share-requests → 503",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "first misses") {
		t.Errorf("a report without miss samples lists none:\n%s", out)
	}

	// Memory that could not be read says where and why, instead of a figure.
	r.Memory = Memory{Source: "http://127.0.0.1:8080/metrics process_resident_memory_bytes", Error: "GET /metrics → 401"}
	b.Reset()
	r.WriteText(&b)
	if !strings.Contains(b.String(), "memory     not read from http://127.0.0.1:8080/metrics process_resident_memory_bytes: GET /metrics → 401\n") {
		t.Errorf("memory error:\n%s", b.String())
	}

	// The JSON carries the same figures under stable names.
	b.Reset()
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	create := m["create"].(map[string]any)
	ryw := m["read_your_writes"].(map[string]any)
	if m["creates_per_second"] != 15.113 || create["p99_ms"] != 950.2 || ryw["after_create"] != 2.0 || m["errors"].(map[string]any)["create"] != 1.0 {
		t.Fatalf("JSON: %s", b.String())
	}
}

func TestLoadgenSeedAndRestartReportText(t *testing.T) {
	var b bytes.Buffer
	(&SeedReport{API: "http://x", Resource: Resource{ID: 2}, Clients: 8, N: 200, Created: 199, Errors: 1, WallSeconds: 13.2, CreatesPerSecond: 15.07,
		Create: Latency{Count: 199, P50MS: 500, P90MS: 600, P99MS: 700, MaxMS: 800}, ErrorSamples: []string{"create: boom"}}).WriteText(&b)
	for _, want := range []string{"created    199 of 200 in 13.2 s: 15.1 creates/s\n", "errors     1\n", "  create: boom\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("seed report lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	(&RestartReport{API: "http://x", OldPID: 10, NewPID: 11, Command: []string{"./bin/datashare-dev", "dev"}, LogFile: "bench-restart.log",
		StopSeconds: 1.25, ReadyzSeconds: 3.1, ReadySeconds: 3.2, DowntimeSeconds: 4.45, SettleSeconds: 10,
		Memory: Memory{Source: "/proc/11/status", RSSBytes: 200 << 20, HWMBytes: 210 << 20}}).WriteText(&b)
	for _, want := range []string{
		"stopped    pid 10 exited 1.2 s after SIGTERM\n",
		"started    pid 11: ./bin/datashare-dev dev (output in bench-restart.log, own process group)\n",
		"ready      /readyz 200 after 3.1 s, /readyz and the inbox 200 after 3.2 s from the start; the API was down 4.5 s\n",
		"memory     RSS 200.0 MiB, peak (VmHWM) 210.0 MiB (from /proc/11/status), 10.0 s after ready\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("restart report lacks %q:\n%s", want, b.String())
		}
	}
}
