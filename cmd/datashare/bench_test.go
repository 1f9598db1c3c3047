package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestBenchUsageAndFlagErrors(t *testing.T) {
	if !strings.Contains(commands["bench"].summary, "bench seed") {
		t.Fatalf("the usage text does not list bench: %q", commands["bench"].summary)
	}
	var stdout, stderr bytes.Buffer
	for _, h := range [][]string{{"--help"}, {"seed", "-h"}, {"restart", "--help"}} {
		stderr.Reset()
		if err := benchCommand(context.Background(), h, &stdout, &stderr, noEnv); err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		for _, want := range []string{"datashare bench seed", "datashare bench restart", "-- CMD ARGS", "-clients", "-duration", "-approvers", "-tokens"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%v: help lacks %q:\n%s", h, want, stderr.String())
			}
		}
	}
	tokens := filepath.Join(t.TempDir(), "tokens.env")
	if err := os.WriteFile(tokens, []byte("TOKEN_APPLICANT=a\nTOKEN_APPROVER=b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--frobnicate"},
		{"--duration", "soon"},
		{"--clients", "0", "--tokens", tokens},
		{"extra", "--tokens", tokens},
		{"--api", "127.0.0.1:8080", "--tokens", tokens},
		{"seed", "--n", "0", "--tokens", tokens},
		{"restart", "--tokens", tokens, "--", "./bin/datashare-dev", "dev"}, // no --pid
		{"restart", "--tokens", tokens, "--pid", "1234"},                    // no command
	} {
		err := benchCommand(context.Background(), args, &stdout, &stderr, noEnv)
		var ec exitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != 2 {
			t.Errorf("%v: %v, want a usage error (exit 2)", args, err)
		}
	}
	// No tokens: the error says where they were looked for.
	err := benchCommand(context.Background(), []string{"--tokens", filepath.Join(t.TempDir(), "none.env")}, &stdout, &stderr, noEnv)
	if err == nil || !strings.Contains(err.Error(), "TOKEN_APPLICANT") || !strings.Contains(err.Error(), "none.env") {
		t.Fatalf("without tokens: %v", err)
	}
}

func noEnv(string) string { return "" }

// TestBenchSeedThroughTheCommand: flags reach the load generator and --json prints its report;
// the mode may follow flags, as make bench passes --api first; tokens come from the
// environment when it has them.
func TestBenchSeedThroughTheCommand(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/share-requests" || r.Header.Get("Authorization") != "Bearer env-applicant" {
			http.Error(w, r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		n := posts.Add(1)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"SR-%d","status":"pending","current_step":"reply"}`, n)
	}))
	defer srv.Close()
	env := map[string]string{"TOKEN_APPLICANT": "env-applicant", "TOKEN_APPROVER": "env-approver"}
	var stdout, stderr bytes.Buffer
	err := benchCommand(context.Background(), []string{"--api", srv.URL, "seed", "--tokens", filepath.Join(t.TempDir(), "none.env"), "--resource", "2", "--n", "7", "--clients", "3", "--json"},
		&stdout, &stderr, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		N, Created, Errors int
		Resource           struct{ ID int64 }
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if rep.N != 7 || rep.Created != 7 || rep.Errors != 0 || rep.Resource.ID != 2 || posts.Load() != 7 {
		t.Fatalf("report %s; %d posts", stdout.String(), posts.Load())
	}
}
