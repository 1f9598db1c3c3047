package loadgen

import (
	"strings"
	"testing"
)

func TestLoadgenParseProcStatus(t *testing.T) {
	status := "Name:\tdatashare-dev\nState:\tS (sleeping)\nVmPeak:\t 2000000 kB\nVmHWM:\t  360448 kB\nVmRSS:\t  355328 kB\nThreads:\t40\n"
	st := ParseProcStatus(status)
	if st.State != 'S' || st.RSSBytes != 355328*1024 || st.HWMBytes != 360448*1024 {
		t.Fatalf("ParseProcStatus = %+v", st)
	}
	if st := ParseProcStatus("Name:\tx\nState:\tZ (zombie)\n"); st.State != 'Z' || st.RSSBytes != 0 {
		t.Fatalf("zombie: %+v", st)
	}
}

func TestLoadgenScrapeRSS(t *testing.T) {
	metrics := "# HELP process_resident_memory_bytes Resident memory size in bytes.\n" +
		"# TYPE process_resident_memory_bytes gauge\n" +
		"process_resident_memory_bytes_total_fake 1\n" +
		"process_resident_memory_bytes 3.47480064e+08\n" +
		"process_virtual_memory_bytes 2.1e+09\n"
	if got, err := ScrapeRSS(metrics); err != nil || got != 347480064 {
		t.Fatalf("ScrapeRSS = %d, %v", got, err)
	}
	if got, err := ScrapeRSS("process_resident_memory_bytes{instance=\"a\"} 1024 1700000000000\n"); err != nil || got != 1024 {
		t.Fatalf("with labels and a timestamp: %d, %v", got, err)
	}
	if _, err := ScrapeRSS("go_goroutines 12\n"); err == nil || !strings.Contains(err.Error(), "process_resident_memory_bytes") {
		t.Fatalf("absent: %v", err)
	}
}
