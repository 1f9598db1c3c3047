package console

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/datashare/datashare/api"
	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows/contract"
)

func init() { gin.SetMode(gin.TestMode) }

// stack is the console in front of the real API router over SQLite with a profile's demo
// data; with Temporal, also an embedded Temporal server and a worker with the production
// registration, as the API's *_temporal_test.go run it.
type stack struct {
	t      *testing.T
	ctx    context.Context
	con    *Console
	router http.Handler
	signer *auth.DevSigner
	store  *models.Store
	db     *gorm.DB
	srv    *httptest.Server

	mu  sync.Mutex
	now time.Time // the console's clock; zero: the real one
	// extra are principals beyond the users table (a second citizen), signed from their claims.
	extra map[string]auth.Principal
}

func newStack(t *testing.T, profileID string, withTemporal bool) *stack {
	t.Helper()
	return newStackWith(t, profileID, withTemporal, nil)
}

// signInWith is how a stack signs browsers in other than by the dev sign-in: given the
// console's base URL (known before anything is built, the listener being open), it returns the
// API's verifier and the console's Authenticator.
type signInWith func(base string) (auth.Verifier, Authenticator)

// newStackWith is newStack with the API's verifier and the console's Authenticator from
// signIn; nil signIn is the dev sign-in with the stack's signer.
func newStackWith(t *testing.T, profileID string, withTemporal bool, signIn signInWith) *stack {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	base := "http://" + ln.Addr().String()
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	db := modelstest.NewSQLite(t)
	if _, err := models.SeedDemoProfile(ctx, db, profileID); err != nil {
		t.Fatal(err)
	}
	store := models.NewStore(db)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, ctx: ctx, signer: auth.NewDevSigner(key), store: store, db: db, extra: map[string]auth.Principal{}}
	var verifier auth.Verifier = s.signer
	var authn Authenticator
	if signIn != nil {
		verifier, authn = signIn(base)
	}
	cal, err := calsource.New(store, 0, quiet, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	profiles, active := testPolicies(t, profileID)

	var tc client.Client
	if withTemporal {
		if testing.Short() {
			t.Skip("starts an embedded Temporal server")
		}
		srv, err := devserver.Start(ctx, devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1,
			Logger: quiet, SearchAttributes: contract.SearchAttributes()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Stop() })
		c, closer, err := temporalx.NewClient(temporalx.Config{Address: srv.FrontendHostPort(), Namespace: "default"}, quiet, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(); _ = closer.Close() })
		tc = c
		w := worker.New(worker.Deps{Client: tc, TaskQueue: contract.DefaultTaskQueue, DB: db, Logger: quiet,
			StopTimeout: time.Second, Calendars: cal, Policy: active})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Stop)
	}
	deps := api.Deps{
		Logger: quiet, Verifier: verifier, Catalog: store, Departments: store, Directory: store, Idempotency: store,
		Calendar: cal, CalendarData: store, Policies: profiles, ActivePolicy: profileID, Tasks: store,
		ShareRequests: store, Corrections: store, CatalogUpdates: store, Audit: store, AnnualReports: store,
		Notifications: store, Supervision: store, Rectifications: store, OpenCatalogCorrections: store, InterfaceRequirements: store,
		OpenData: store, Registry: prometheus.NewRegistry(),
	}
	if tc != nil {
		deps.Workflows, deps.Starter = tc, tc
	}
	router, err := api.NewRouter(deps)
	if err != nil {
		t.Fatal(err)
	}
	s.router = router
	consoleKey := make([]byte, KeySize)
	_, _ = rand.Read(consoleKey)
	cd := Deps{API: router, Key: consoleKey, Logger: quiet,
		TemporalUIURL: "http://temporal-ui.test", TemporalNamespace: "default",
		Now: s.clock, DevSign: s.devSign, DevUsers: s.devUsers}
	if authn != nil {
		cd.Authenticator, cd.DevSign, cd.DevUsers = authn, nil, nil
	}
	s.con, err = New(cd)
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewUnstartedServer(s.con)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

func testPolicies(t *testing.T, active string) ([]policy.Profile, policy.Profile) {
	t.Helper()
	embedded, err := policy.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]policy.Profile, len(embedded))
	var found policy.Profile
	for i, p := range embedded {
		if out[i], err = p.Resolve(policy.BuiltinLocalDefaults()); err != nil {
			t.Fatal(err)
		}
		if p.ID == active {
			found = out[i]
		}
	}
	if found.ID == "" {
		t.Fatalf("no profile %s", active)
	}
	return out, found
}

func (s *stack) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.now.IsZero() {
		return time.Now()
	}
	return s.now
}

func (s *stack) setClock(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

// devSign is cmd's dev sign-in: a user of the users table, or one of the extra principals.
func (s *stack) devSign(ctx context.Context, id string, ttl time.Duration) (string, error) {
	if p, ok := s.extra[id]; ok {
		return s.signer.Sign(p, ttl)
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return "", err
	}
	return s.signer.Sign(principalOf(*u), ttl)
}

func (s *stack) devUsers(ctx context.Context) ([]DevUser, error) {
	users, err := s.store.ListUsers(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []DevUser
	for _, u := range users {
		du := DevUser{ID: u.ID, Name: u.Name, Roles: []string(u.Roles)}
		if u.DepartmentID != nil {
			du.DepartmentID = *u.DepartmentID
		}
		out = append(out, du)
	}
	for id, p := range s.extra {
		du := DevUser{ID: id, Name: p.Name, DepartmentID: p.DepartmentID}
		for _, r := range p.Roles {
			du.Roles = append(du.Roles, string(r))
		}
		out = append(out, du)
	}
	return out, nil
}

func principalOf(u models.User) auth.Principal {
	p := auth.Principal{Subject: u.ID, Name: u.Name}
	if u.DepartmentID != nil {
		p.DepartmentID = *u.DepartmentID
	}
	for _, r := range u.Roles {
		p.Roles = append(p.Roles, auth.Role(r))
	}
	return p
}

// token signs a bearer token for a user of the users table, for calls straight to the API.
func (s *stack) token(id string) string {
	s.t.Helper()
	tok, err := s.devSign(context.Background(), id, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// apiCall calls the API router directly, as a client with a bearer token would.
func (s *stack) apiCall(method, path, token string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	if out != nil && rec.Code < 300 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body.String())
		}
	}
	return rec.Code
}

// eventually polls until ok, as projections follow the workflows asynchronously.
func (s *stack) eventually(what string, ok func() bool) {
	s.t.Helper()
	for !ok() {
		if s.ctx.Err() != nil {
			s.t.Fatalf("%s never happened", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// resourceID looks a demo resource up by code.
func (s *stack) resourceID(code string) int64 {
	s.t.Helper()
	var list api.CatalogResourceList
	s.apiCall("GET", "/api/v1/catalog/resources?q="+code, s.token("demo-authority"), nil, &list)
	for _, r := range list.Items {
		if r.Code == code {
			return r.ID
		}
	}
	s.t.Fatalf("no resource %s", code)
	return 0
}

// browser is a user agent with a cookie jar that does not follow redirects, so tests see them.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

// page is one answer: status, body, and where it redirects.
type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (s *stack) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{t: s.t, base: s.srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token of a page.
func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token in page (%d):\n%s", p.Status, p.Body)
	}
	return m[1]
}

// signIn signs the browser in as a user through the dev sign-in page.
func (b *browser) signIn(user string) {
	b.t.Helper()
	login := b.get("/console/login")
	if login.Status != 200 {
		b.t.Fatalf("login page: %d %s", login.Status, login.Body)
	}
	p := b.post("/console/login", url.Values{"csrf": {csrf(b.t, login)}, "user": {user}})
	if p.Status != http.StatusSeeOther || p.Location != "/console/" {
		b.t.Fatalf("sign in as %s: %d %s %s", user, p.Status, p.Location, p.Body)
	}
}

// form posts a form of the page at path with its CSRF token.
func (b *browser) form(path, action string, form url.Values) page {
	b.t.Helper()
	at := b.get(path)
	if at.Status != 200 {
		b.t.Fatalf("GET %s: %d %s", path, at.Status, at.Body)
	}
	form.Set("csrf", csrf(b.t, at))
	// A new-case form carries its Idempotency-Key, as a browser would send it.
	if m := idemField.FindStringSubmatch(at.Body); m != nil && form.Get("idem") == "" {
		form.Set("idem", m[1])
	}
	return b.post(action, form)
}

// idemField is the Idempotency-Key a new-case form carries.
var idemField = regexp.MustCompile(`name="idem" value="([^"]+)"`)
