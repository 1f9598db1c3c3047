package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Config is a run of the default mode.
type Config struct {
	API    string // base URL of the API, e.g. http://127.0.0.1:8080
	Tokens Tokens
	// ResourceID is the catalog resource requested; 0 finds one (see findResource).
	ResourceID int64
	// Clients create share requests concurrently, each as fast as it is answered.
	Clients int
	// Approvers claim and approve the created requests' reply tasks concurrently; 0 approves
	// none.
	Approvers int
	Duration  time.Duration
	// InboxRate is how many inbox reads per second the reader makes, as clerks refreshing
	// their lists would; 0 reads one call after the other (it then takes a real share of a
	// small machine's CPU from the creates it measures).
	InboxRate float64
	// SampleEvery: every SampleEvery-th created request's task is also read by its id as the
	// approver (GET /api/v1/tasks/{id}); 0 or 1 reads every one.
	SampleEvery int
	// PID, when set, is the server's process on this machine: the memory is read from
	// /proc/PID/status. Otherwise from the API's /metrics, with MetricsToken as bearer token
	// when /metrics requires one.
	PID          int
	MetricsToken string
	// Progress receives a line when the run starts; nil discards it.
	Progress io.Writer
}

// Report is what a run measured.
type Report struct {
	API       string   `json:"api"`
	Resource  Resource `json:"resource"`
	Clients   int      `json:"clients"`
	Approvers int      `json:"approvers"`
	// DurationSeconds is the time creates were started in; WallSeconds runs until the last
	// of them was answered.
	DurationSeconds float64 `json:"duration_seconds"`
	WallSeconds     float64 `json:"wall_seconds"`
	// Created counts the 201 answers; CreatesPerSecond is Created / WallSeconds.
	Created          int     `json:"created"`
	CreatesPerSecond float64 `json:"creates_per_second"`
	// Create, Claim, Approve (the complete call) and Inbox are the latencies of the calls
	// that succeeded; failed calls are counted in Errors.
	Create   Latency `json:"create"`
	Claim    Latency `json:"claim"`
	Approve  Latency `json:"approve"`
	Inbox    Latency `json:"inbox"`
	Approved int     `json:"approved"`
	// LeftOpen counts created requests whose task the approvers did not reach in time.
	LeftOpen int    `json:"left_open"`
	Errors   Errors `json:"errors"`
	Misses   Misses `json:"read_your_writes"`
	Memory   Memory `json:"memory"`
}

// Errors counts calls answered with an unexpected status, or not answered.
type Errors struct {
	Create  int `json:"create"`
	Read    int `json:"read"` // reads of a share request or a task after a write
	Claim   int `json:"claim"`
	Approve int `json:"approve"`
	Inbox   int `json:"inbox"`
	// Samples are the first few failures, each with the start of its answer.
	Samples []string `json:"samples,omitempty"`
}

// Total is the number of failed calls of every kind.
func (e Errors) Total() int { return e.Create + e.Read + e.Claim + e.Approve + e.Inbox }

// Misses counts reads, right after a write was answered, that did not see the write.
type Misses struct {
	// AfterCreate: the applicant's read of a request it was just told was created did not list
	// its open task, or showed another status than the create answered (or 404).
	AfterCreate int `json:"after_create"`
	// TaskByID: the approver's read of the new request's task by its id answered 404, of
	// TaskByIDChecked reads made.
	TaskByID        int `json:"task_by_id"`
	TaskByIDChecked int `json:"task_by_id_checked"`
	// AfterApprove: the approver's read of a request it just approved did not show granted.
	AfterApprove int `json:"after_approve"`
	// Samples are the first few misses.
	Samples []string `json:"samples,omitempty"`
}

// Total is the number of misses of every kind.
func (m Misses) Total() int { return m.AfterCreate + m.TaskByID + m.AfterApprove }

// approval is a created request handed to the approvers: its reply task, "" when the read
// after the create did not show it (the approver looks again).
type approval struct {
	requestID, taskID, step string
}

// run is the state of one default-mode run shared by its goroutines.
type run struct {
	cfg      Config
	c        *client
	resource Resource
	deadline time.Time
	queue    chan approval

	seq                           atomic.Int64 // numbers the creates
	created, approved             atomic.Int64
	create, claim, approve, inbox recorder
	failures                      tally // kinds: create, read, claim, approve, inbox
	misses                        tally // kinds: after_create, task_by_id, after_approve
	taskByIDChecked               atomic.Int64
}

// Run creates share requests with cfg.Clients clients for cfg.Duration while cfg.Approvers
// approve them and one reader lists the approver's inbox, and reports what it measured. Calls
// under way at the end are answered and counted; ctx cancelled stops the run early with
// ctx's error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Clients < 1 || cfg.Approvers < 0 || cfg.Duration <= 0 {
		return nil, errors.New("need at least one client, no negative approvers and a positive duration")
	}
	if cfg.SampleEvery < 1 {
		cfg.SampleEvery = 1
	}
	c := newClient(cfg.API, cfg.Clients+cfg.Approvers+1)
	res := Resource{ID: cfg.ResourceID}
	if res.ID == 0 {
		var err error
		if res, err = findResource(ctx, c, cfg.Tokens); err != nil {
			return nil, err
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "bench: %s for %s: %d clients create share requests for resource %d %s, %d approvers approve them, one reader lists the inbox\n",
			c.base, cfg.Duration, cfg.Clients, res.ID, res.Code, cfg.Approvers)
	}
	start := time.Now()
	r := &run{cfg: cfg, c: c, resource: res, deadline: start.Add(cfg.Duration), queue: make(chan approval, 1<<16)}
	// stop ends the approvers and the inbox reader at the deadline, or at once when ctx ends.
	stop, cancelStop := context.WithDeadline(ctx, r.deadline)
	defer cancelStop()

	var creators, others sync.WaitGroup
	for range cfg.Clients {
		creators.Go(func() {
			for ctx.Err() == nil && time.Now().Before(r.deadline) {
				r.createAndReadBack(ctx)
			}
		})
	}
	for range cfg.Approvers {
		others.Go(func() { r.approveLoop(ctx, stop) })
	}
	others.Go(func() { r.inboxLoop(ctx, stop) })
	creators.Wait()
	wall := time.Since(start)
	others.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rep := &Report{
		API: c.base, Resource: res, Clients: cfg.Clients, Approvers: cfg.Approvers,
		DurationSeconds: cfg.Duration.Seconds(), WallSeconds: round3(wall.Seconds()),
		Created: int(r.created.Load()), Approved: int(r.approved.Load()), LeftOpen: len(r.queue),
		Create: r.create.summary(), Claim: r.claim.summary(), Approve: r.approve.summary(), Inbox: r.inbox.summary(),
		Errors: Errors{
			Create: r.failures.count("create"), Read: r.failures.count("read"), Claim: r.failures.count("claim"),
			Approve: r.failures.count("approve"), Inbox: r.failures.count("inbox"), Samples: r.failures.firstSamples(),
		},
		Misses: Misses{
			AfterCreate: r.misses.count("after_create"), TaskByID: r.misses.count("task_by_id"),
			TaskByIDChecked: int(r.taskByIDChecked.Load()), AfterApprove: r.misses.count("after_approve"),
			Samples: r.misses.firstSamples(),
		},
	}
	rep.CreatesPerSecond = round3(float64(rep.Created) / wall.Seconds())
	if cfg.PID > 0 {
		rep.Memory = procMemory(cfg.PID)
	} else {
		rep.Memory = metricsMemory(ctx, c, cfg.MetricsToken)
	}
	return rep, nil
}

// createAndReadBack creates one request and reads it back at once as the applicant: the
// answer of the create said it is pending at its reply step, so the read must say so too and
// list that step's open task. Every SampleEvery-th task is also read by its id as the approver.
// The request then goes to the approvers.
func (r *run) createAndReadBack(ctx context.Context) {
	n := r.seq.Add(1)
	res, st, ok := create(ctx, r.c, r.cfg.Tokens, r.resource.ID, n, &r.failures)
	if !ok {
		pause(res)
		return
	}
	r.create.add(res.latency)
	r.created.Add(1)

	detail, status := r.readRequest(ctx, st.ID, r.cfg.Tokens.Applicant)
	taskID := detail.openTask(st.CurrentStep)
	switch {
	case status == http.StatusNotFound:
		r.misses.add("after_create", fmt.Sprintf("%s: created (%s), then 404", st.ID, st.Status))
	case status == http.StatusOK && (detail.Status != st.Status || taskID == ""):
		r.misses.add("after_create", fmt.Sprintf("%s: created %s at step %s, read back %s with %d open tasks, that step's %q",
			st.ID, st.Status, st.CurrentStep, detail.Status, len(detail.OpenTasks), taskID))
	}
	if taskID != "" && n%int64(r.cfg.SampleEvery) == 0 {
		r.taskByIDChecked.Add(1)
		t, err := r.c.do(ctx, http.MethodGet, "/api/v1/tasks/"+pathEscape(taskID), r.cfg.Tokens.Approver, nil)
		switch {
		case err != nil:
			r.failures.add("read", err.Error())
		case t.status == http.StatusNotFound:
			r.misses.add("task_by_id", t.String())
		case t.status != http.StatusOK:
			r.failures.add("read", t.String())
		}
	}
	if r.cfg.Approvers > 0 {
		select {
		case r.queue <- approval{requestID: st.ID, taskID: taskID, step: st.CurrentStep}:
		default: // the approvers are far behind; the request stays open
		}
	}
}

// readRequest reads a share request as the holder of token and returns it with the answer's
// status: 200 and the request, 404 (the caller judges whether that is a miss), or another
// status (0: no answer, or a body that is not a request), which it has counted as a read
// error, so that a failed read is not also counted as a miss of what a write did.
func (r *run) readRequest(ctx context.Context, id, token string) (shareRequestDetail, int) {
	var detail shareRequestDetail
	res, err := r.c.do(ctx, http.MethodGet, "/api/v1/share-requests/"+pathEscape(id), token, nil)
	switch {
	case err != nil:
		r.failures.add("read", err.Error())
		return detail, 0
	case res.status == http.StatusNotFound:
		return detail, res.status
	case res.status != http.StatusOK:
		r.failures.add("read", res.String())
		return detail, res.status
	}
	if err := json.Unmarshal(res.body, &detail); err != nil {
		r.failures.add("read", "decode: "+err.Error())
		return detail, 0
	}
	return detail, res.status
}

// approveLoop takes created requests off the queue until stop ends: claims the reply task,
// approves it, and reads the request back, which must now be granted.
func (r *run) approveLoop(ctx, stop context.Context) {
	tok := r.cfg.Tokens.Approver
	for {
		var a approval
		select {
		case a = <-r.queue:
		case <-stop.Done():
			return
		}
		if stop.Err() != nil {
			return // both were ready at the deadline
		}
		if a.taskID == "" {
			// The read after the create missed it; by now the task should be there.
			d, status := r.readRequest(ctx, a.requestID, tok)
			if a.taskID = d.openTask(a.step); a.taskID == "" {
				if status == http.StatusOK || status == http.StatusNotFound {
					r.failures.add("read", fmt.Sprintf("%s: no open task to approve (%d)", a.requestID, status))
				}
				continue
			}
		}
		path := "/api/v1/tasks/" + pathEscape(a.taskID)
		res, err := r.c.do(ctx, http.MethodPost, path+"/claim", tok, nil)
		if err != nil || res.status != http.StatusOK {
			r.failures.add("claim", failure(res, err))
			continue
		}
		r.claim.add(res.latency)
		res, err = r.c.do(ctx, http.MethodPost, path+"/complete", tok, approveBody)
		if err != nil || res.status != http.StatusOK {
			r.failures.add("approve", failure(res, err))
			continue
		}
		r.approve.add(res.latency)
		r.approved.Add(1)
		switch d, status := r.readRequest(ctx, a.requestID, tok); {
		case status == http.StatusNotFound:
			r.misses.add("after_approve", a.requestID+": approved, then 404")
		case status == http.StatusOK && d.Status != "granted":
			r.misses.add("after_approve", fmt.Sprintf("%s: approved, read back %s", a.requestID, d.Status))
		}
	}
}

// inboxLoop lists the approver's first page of open tasks, InboxRate times a second (or one
// call after the other), until stop ends.
func (r *run) inboxLoop(ctx, stop context.Context) {
	var tick <-chan time.Time
	if r.cfg.InboxRate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / r.cfg.InboxRate))
		defer t.Stop()
		tick = t.C
	}
	for stop.Err() == nil {
		if tick != nil {
			select {
			case <-tick:
			case <-stop.Done():
				return
			}
		}
		res, err := r.c.do(ctx, http.MethodGet, "/api/v1/tasks?status=open&limit=20", r.cfg.Tokens.Approver, nil)
		if err != nil || res.status != http.StatusOK {
			r.failures.add("inbox", failure(res, err))
			pause(res)
			continue
		}
		r.inbox.add(res.latency)
	}
}

// pause waits a moment after a call that got no answer (the server is down or restarting),
// so that a caller does not spin counting refused connections.
func pause(r result) {
	if r.status == 0 {
		time.Sleep(100 * time.Millisecond)
	}
}

// failure describes a call that failed: the error when no answer came, else the answer.
func failure(r result, err error) string {
	if err != nil {
		return err.Error()
	}
	return r.String()
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
