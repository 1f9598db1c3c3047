// Package console is datashare's web console (控制台): server-rendered pages in Chinese for the
// people of the procedures — their inbox (待办), the task page with its decision form, what
// they decided (已办), notifications, the catalog, share requests and grants, a citizen's
// open-data requests, the other procedures' lists and forms (cases.go), and the audit log.
//
// The console is a client of the JSON API in the same process: every page calls the API's
// http.Handler with the session's bearer token and renders the answer. Authorization,
// validation and error messages thus stay the API's; the console adds sessions (an encrypted
// cookie), CSRF tokens on every form, and the rendering. It imports the api package for its
// DTO types only, and never the models, the workflows or the Temporal server.
package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/api"
)

//go:embed templates static
var assets embed.FS

// Prefix is where the console is served; every other path goes to the API.
const Prefix = "/console/"

// devSessionTTL is how long a dev sign-in lasts: a working day.
const devSessionTTL = 8 * time.Hour

// maxFormBytes bounds a form post; the API's own limit applies to what the console sends on.
const maxFormBytes = 1 << 20

// Deps is what the console needs, wired once by the binary.
type Deps struct {
	// API is the JSON API (api.NewRouter's engine); the console calls it in process.
	API API
	// Key encrypts and authenticates the session cookie (AES-256-GCM, KeySize bytes; see
	// LoadOrCreateKey).
	Key []byte
	// Secure marks the cookies Secure: the console is reached over https (DATASHARE_PUBLIC_URL).
	Secure bool

	// Authenticator signs browsers in against an identity provider; when set, /console/login
	// starts its sign-in and /console/auth/callback finishes it.
	Authenticator Authenticator
	// DevSign mints a bearer token for a user (DATASHARE_AUTH_MODE=dev) valid for ttl; with
	// DevUsers it offers the dev sign-in page when no Authenticator is set. Nil: no dev sign-in.
	DevSign func(ctx context.Context, userID string, ttl time.Duration) (string, error)
	// DevUsers lists the users the dev sign-in page offers.
	DevUsers func(ctx context.Context) ([]DevUser, error)

	// TemporalUIURL is the Temporal Web UI's base URL; admins get a link from each request to
	// its workflow there. Empty hides the links.
	TemporalUIURL string
	// TemporalNamespace is the namespace of the workflows, for those links.
	TemporalNamespace string

	Logger *slog.Logger
	// Now is the clock of session expiry; time.Now when nil.
	Now func() time.Time
}

// DevUser is a user the dev sign-in page offers.
type DevUser struct {
	ID           string
	Name         string
	DepartmentID string
	Roles        []string
}

// Console serves /console/ and hands every other path to the API.
type Console struct {
	d      Deps
	sealer sealer
	secure bool
	now    func() time.Time
	log    *slog.Logger
	pages  map[string]*template.Template
	engine *gin.Engine

	// The jurisdiction profile in force gives procedure and step names; it cannot change
	// while the process runs, so the first page that reads it keeps it.
	policyMu sync.Mutex
	policy   *api.PolicyView

	// Departments change only by an admin's hand; a minute's staleness in names is harmless.
	deptMu    sync.Mutex
	depts     map[string]string
	deptsList []api.DepartmentView
	deptsAt   time.Time
}

// New builds the console over the API. The returned handler serves /console/… and passes
// every other request to d.API unchanged, so the binary serves both on one listener.
func New(d Deps) (*Console, error) {
	if d.API == nil {
		return nil, errors.New("console: no API")
	}
	s, err := newSealer(d.Key)
	if err != nil {
		return nil, err
	}
	c := &Console{d: d, sealer: s, secure: d.Secure, now: d.Now, log: d.Logger}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.d.TemporalNamespace == "" {
		c.d.TemporalNamespace = "default"
	}
	c.d.TemporalUIURL = strings.TrimRight(c.d.TemporalUIURL, "/")
	if c.pages, err = c.parseTemplates(); err != nil {
		return nil, err
	}
	c.engine = c.routes()
	return c, nil
}

// ServeHTTP serves the console's paths and passes the rest to the API. The site's root, opened
// in a browser, goes to the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		http.Redirect(w, r, Prefix, http.StatusFound)
	case r.URL.Path == "/console":
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	case strings.HasPrefix(r.URL.Path, Prefix):
		c.engine.ServeHTTP(w, r)
	default:
		c.d.API.ServeHTTP(w, r)
	}
}

func (c *Console) routes() *gin.Engine {
	r := gin.New()
	// Task ids in their older form contain slashes, which links carry escaped (%2F), as the
	// API's routes do; the ids the API lists now are URL-safe (/ written ~).
	r.UseRawPath = true
	r.UnescapePathValues = true
	r.RedirectTrailingSlash = false
	r.Use(c.recoverer(), securityHeaders())
	static, _ := fs.Sub(assets, "static")
	r.StaticFS("/console/static", http.FS(static))

	r.GET("/console/login", c.loginPage)
	r.POST("/console/login", c.devLogin)
	r.GET("/console/auth/callback", c.authCallback)
	r.POST("/console/logout", c.page(c.logout))

	r.GET("/console/", c.page(c.inbox))
	r.GET("/console/done", c.page(c.done))
	r.GET("/console/tasks/*id", c.page(c.taskPage))
	r.POST("/console/tasks/*id", c.page(c.taskAction))
	r.GET("/console/notifications", c.page(c.notifications))
	r.GET("/console/board", c.page(c.board))
	r.GET("/console/board/export", c.page(c.boardExport))
	r.POST("/console/notifications/:id/read", c.page(c.readNotification))

	r.GET("/console/catalog", c.page(c.catalog))
	r.GET("/console/share-requests", c.page(c.shareRequests))
	r.GET("/console/share-requests/new", c.page(c.newShareRequest))
	r.POST("/console/share-requests", c.page(c.createShareRequest))
	r.GET("/console/grants", c.page(c.grants))
	r.GET("/console/open-data", c.page(c.openDataRequests))
	r.GET("/console/open-data/new", c.page(c.newOpenDataRequest))
	r.POST("/console/open-data", c.page(c.createOpenDataRequest))
	r.GET("/console/requests/:procedure/:id", c.page(c.requestPage))
	r.POST("/console/requests/:procedure/:id/:action", c.page(c.requestAction))
	c.caseRoutes(r)

	r.NoRoute(func(g *gin.Context) { c.plainError(g, http.StatusNotFound, "没有这个页面。") })
	r.NoMethod(func(g *gin.Context) { c.plainError(g, http.StatusMethodNotAllowed, "不支持此操作。") })
	return r
}

// securityHeaders keep the pages out of frames and other sites' scripts and caches: they show
// personal data and carry CSRF tokens.
func securityHeaders() gin.HandlerFunc {
	return func(g *gin.Context) {
		h := g.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(g.Request.URL.Path, "/console/static/") {
			h.Set("Cache-Control", "no-store")
		}
		g.Next()
	}
}

func (c *Console) recoverer() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(g *gin.Context, rec any) {
		c.log.Error("panic in console handler", slog.Any("panic", rec), slog.String("path", g.Request.URL.Path))
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
	})
}

// req is one signed-in browser request: the gin context, the session and the API client.
type req struct {
	*gin.Context
	con  *Console
	sess session
	api  apiClient
	me   *api.MeView
	// draft is a form this person sent from this page when the session had ended, to fill in
	// again.
	draft *draft
}

// page wraps a handler that needs a session: without one the browser goes to sign in and comes
// back; a POST must carry the session's CSRF token (403 otherwise).
func (c *Console) page(h func(*req)) gin.HandlerFunc {
	return func(g *gin.Context) {
		s, err := c.readSession(g.Request)
		if err != nil {
			c.toLogin(g)
			return
		}
		r := &req{Context: g, con: c, sess: s, api: apiClient{api: c.d.API, ctx: g.Request.Context(),
			token: s.Token, requestID: newRequestID(), remote: g.Request.RemoteAddr}}
		if g.Request.Method == http.MethodGet {
			r.draft = c.takeDraft(g, s)
		}
		if g.Request.Method == http.MethodPost {
			g.Request.Body = http.MaxBytesReader(g.Writer, g.Request.Body, maxFormBytes)
			if err := g.Request.ParseForm(); err != nil {
				c.plainError(g, http.StatusBadRequest, "表单无法读取。")
				return
			}
			if !validCSRF(s.Secret, g.Request.PostForm.Get("csrf")) {
				c.plainError(g, http.StatusForbidden, "表单已失效或来源不明（CSRF 校验未通过）。请返回页面刷新后重试。")
				return
			}
		}
		h(r)
	}
}

// toLogin sends the browser to sign in, to come back to the page it asked for (for a form
// post, to the page the form was on, which then gets the form back as it was typed).
func (c *Console) toLogin(g *gin.Context) {
	back := g.Request.URL.RequestURI()
	if g.Request.Method != http.MethodGet {
		back = Prefix
		if ref := g.Request.Referer(); ref != "" {
			back = refererPath(ref)
		}
		if g.Request.Method == http.MethodPost {
			c.keepDraft(g, back)
		}
	}
	g.Redirect(http.StatusSeeOther, loginURL(back))
	g.Abort()
}

// refererPath keeps the path and query of a Referer; safeReturn then decides whether it may
// be returned to.
func refererPath(ref string) string {
	if i := strings.Index(ref, "://"); i >= 0 {
		rest := ref[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return Prefix
	}
	return ref
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "console-" + hex.EncodeToString(b[:])
}

// view is what every page's layout reads; Data is the page's own.
type view struct {
	Title   string
	Me      *api.MeView
	Unread  int64
	CSRF    string
	Nav     []navItem
	Path    string
	Flash   string
	Err     *apiError
	Region  string
	DevMode bool
	// Draft is a form given back after a sign-in, to fill in again.
	Draft *draftView
	Data  any
}

type navItem struct {
	Href, Label string
	Current     bool
}

// render writes a page inside the layout. The header's caller and unread count come from the
// API like everything else; a 401 there ends the session.
func (r *req) render(status int, name, title string, data any) {
	me, err := r.whoami()
	if err != nil {
		r.fail(err)
		return
	}
	v := view{Title: title, Me: me, CSRF: csrfToken(r.sess.Secret), Path: r.Request.URL.Path, Data: data,
		Flash: flashText(r.Query("done")), Draft: r.draft.view()}
	var notes api.NotificationList
	if err := r.api.get("/api/v1/notifications?unread=true&limit=1", &notes); err == nil {
		v.Unread = notes.Unread
	} else if errors.Is(err, errSignedOut) {
		r.fail(err)
		return
	}
	pol := r.con.profile(r.api)
	if pol != nil {
		v.Region = pol.Jurisdiction
	}
	v.Nav = navFor(me, pol, v.Path)
	r.con.write(r.Context, status, name, v)
}

// renderError shows an API refusal (or another failure) as a page of its own.
func (r *req) renderError(e *apiError) {
	me, err := r.whoami()
	if err != nil {
		r.con.plainError(r.Context, e.Status, e.Message)
		return
	}
	v := view{Title: errorTitle(e.Status), Me: me, CSRF: csrfToken(r.sess.Secret), Path: r.Request.URL.Path, Err: e}
	v.Nav = navFor(me, r.con.profile(r.api), v.Path)
	r.con.write(r.Context, e.Status, "error", v)
}

// fail answers a failed API call: a 401 ends the session and signs in again; an API error is
// shown with its status; anything else is logged and shown as a 502 (the console could not
// get an answer it understands).
func (r *req) fail(err error) {
	if errors.Is(err, errSignedOut) {
		r.con.endSession(r.Writer)
		r.con.toLogin(r.Context)
		return
	}
	if e, ok := asAPIError(err); ok {
		r.renderError(e)
		return
	}
	r.con.log.Error("console page", slog.String("path", r.Request.URL.Path), slog.String("request_id", r.api.requestID), slog.Any("error", err))
	r.con.plainError(r.Context, http.StatusBadGateway, "控制台未能从接口得到可用的答复，请稍后重试。")
}

// whoami is the caller as the API sees it, read once per request.
func (r *req) whoami() (*api.MeView, error) {
	if r.me != nil {
		return r.me, nil
	}
	var me api.MeView
	if err := r.api.get("/api/v1/me", &me); err != nil {
		return nil, err
	}
	r.me = &me
	return r.me, nil
}

// redirect answers a successful form post: back to a page, with what was done.
func (r *req) redirect(to, done string) {
	if u, err := url.Parse(to); err == nil && done != "" {
		q := u.Query()
		q.Set("done", done)
		u.RawQuery = q.Encode()
		to = u.RequestURI()
	}
	r.Redirect(http.StatusSeeOther, to)
}

// write executes a page template into a buffer first, so a template fault is a clean 500.
func (c *Console) write(g *gin.Context, status int, name string, v view) {
	t, ok := c.pages[name]
	if !ok {
		c.log.Error("console template missing", slog.String("name", name))
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		c.log.Error("console template", slog.String("name", name), slog.Any("error", err))
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
		return
	}
	g.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// plainError is a page without the signed-in header: for failures before a session exists,
// and for refusals (403 CSRF) where nothing else should be fetched.
func (c *Console) plainError(g *gin.Context, status int, message string) {
	v := view{Title: errorTitle(status), Err: &apiError{Status: status, Message: message}, Path: g.Request.URL.Path}
	t := c.pages["error"]
	var b bytes.Buffer
	if t == nil || t.ExecuteTemplate(&b, "layout", v) != nil {
		g.String(status, message)
		g.Abort()
		return
	}
	g.Data(status, "text/html; charset=utf-8", b.Bytes())
	g.Abort()
}

func errorTitle(status int) string {
	switch status {
	case http.StatusForbidden:
		return "无权操作"
	case http.StatusNotFound:
		return "未找到"
	case http.StatusConflict:
		return "状态已变化"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "提交的内容有误"
	}
	if status >= 500 {
		return "服务暂不可用"
	}
	return "出错了"
}

// profile is the jurisdiction profile in force, read through the API once.
func (c *Console) profile(cl apiClient) *api.PolicyView {
	c.policyMu.Lock()
	defer c.policyMu.Unlock()
	if c.policy != nil {
		return c.policy
	}
	var list api.PolicyList
	if err := cl.get("/api/v1/policies", &list); err != nil || list.Active == "" {
		return nil
	}
	var p api.PolicyView
	if err := cl.get("/api/v1/policies/"+list.Active, &p); err != nil {
		return nil
	}
	c.policy = &p
	return c.policy
}

// departments are the departments' names by id, and the list, read through the API at most
// once a minute.
func (c *Console) departments(cl apiClient) (map[string]string, []api.DepartmentView) {
	c.deptMu.Lock()
	defer c.deptMu.Unlock()
	if c.depts != nil && c.now().Sub(c.deptsAt) < time.Minute {
		return c.depts, c.deptsList
	}
	var list api.DepartmentList
	if err := cl.get("/api/v1/departments", &list); err != nil {
		return c.depts, c.deptsList
	}
	m := make(map[string]string, len(list.Items))
	for _, d := range list.Items {
		m[d.ID] = d.Name
	}
	c.depts, c.deptsList, c.deptsAt = m, list.Items, c.now()
	return m, list.Items
}

func (c *Console) parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(c.funcs()).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	names, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/pages/"), ".html")] = t
	}
	return pages, nil
}

// navFor is the navigation of the caller's roles: a citizen has the open catalog and its own
// requests, a department's people their inbox and lists.
func navFor(me *api.MeView, p *api.PolicyView, path string) []navItem {
	var items []navItem
	add := func(href, label string) {
		// A page under the entry is current too, not a sibling that shares its start
		// (/console/catalog-updates is not the catalog).
		cur := path == href || (href != Prefix && strings.HasPrefix(path, href+"/"))
		items = append(items, navItem{Href: href, Label: label, Current: cur})
	}
	if me == nil {
		return nil
	}
	if citizenOnly(me) {
		add("/console/catalog", "开放目录")
		add("/console/open-data", "我的开放申请")
		for _, it := range caseNav(me, p) {
			add(it.Href, it.Label)
		}
		return items
	}
	add(Prefix, "待办")
	add("/console/done", "已办")
	add("/console/catalog", "数据目录")
	add("/console/share-requests", "共享申请")
	add("/console/grants", "共享授权")
	if applies(p, "open_data") && hasRole(me, "approver", "dept_head", "authority", "admin") {
		add("/console/open-data", "开放申请")
	}
	for _, it := range caseNav(me, p) {
		add(it.Href, it.Label)
	}
	if hasRole(me, "authority") {
		add("/console/board", "督办看板")
	}
	if hasRole(me, "authority", "admin") {
		add("/console/audit", "审计日志")
	}
	return items
}
