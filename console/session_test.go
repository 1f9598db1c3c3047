package console

import (
	"encoding/base64"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The dev sign-in sets a session cookie that scripts cannot read and other sites cannot send
// with a form post, scoped to the console; the browser lands on the page it asked for.
func TestDevSignInSetsSessionCookie(t *testing.T) {
	s := newStack(t, "ningxia", false)
	b := s.browser()

	// Without a session, a page sends the browser to sign in, to come back to it.
	p := b.get("/console/catalog?q=NX")
	want := "/console/login?return=" + url.QueryEscape("/console/catalog?q=NX")
	if p.Status != http.StatusSeeOther || p.Location != want {
		t.Fatalf("no session: %d %q, want 303 %q", p.Status, p.Location, want)
	}
	login := b.get(p.Location)
	if login.Status != 200 || !strings.Contains(login.Body, "demo-approver") || !strings.Contains(login.Body, `name="return" value="/console/catalog?q=NX"`) {
		t.Fatalf("login page: %d\n%s", login.Status, login.Body)
	}
	// The sign-in form needs its own token (login CSRF).
	if p := b.post("/console/login", url.Values{"user": {"demo-approver"}, "return": {"/console/catalog?q=NX"}}); p.Status != http.StatusForbidden {
		t.Fatalf("sign-in without token: %d", p.Status)
	}
	p = b.post("/console/login", url.Values{"csrf": {csrf(t, login)}, "user": {"demo-approver"}, "return": {"/console/catalog?q=NX"}})
	if p.Status != http.StatusSeeOther || p.Location != "/console/catalog?q=NX" {
		t.Fatalf("sign-in: %d %q\n%s", p.Status, p.Location, p.Body)
	}
	var session *http.Cookie
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie: %v", p.Header.Values("Set-Cookie"))
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/console/" || session.Secure {
		t.Fatalf("session cookie = %+v", session)
	}
	// The token is not readable in the cookie: it is encrypted.
	if strings.Contains(session.Value, "eyJ") {
		t.Fatalf("cookie carries the token in clear: %s", session.Value)
	}
	page := b.get("/console/catalog?q=NX")
	if page.Status != 200 || !strings.Contains(page.Body, "李明") || !strings.Contains(page.Body, "NX-SCJG-0002") {
		t.Fatalf("catalog after sign-in: %d\n%s", page.Status, page.Body)
	}

	// Signing out clears the cookie; the next page asks for a sign-in again.
	out := b.post("/console/logout", url.Values{"csrf": {csrf(t, page)}})
	if out.Status != http.StatusSeeOther || out.Location != "/console/login" {
		t.Fatalf("logout: %d %q", out.Status, out.Location)
	}
	if p := b.get("/console/"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/login?return=") {
		t.Fatalf("after logout: %d %q", p.Status, p.Location)
	}
}

// A session past its expiry, or a cookie that was altered, is no session.
func TestExpiredOrForgedSessionSignsInAgain(t *testing.T) {
	s := newStack(t, "ningxia", false)
	b := s.browser()
	b.signIn("demo-applicant")
	if p := b.get("/console/grants"); p.Status != 200 {
		t.Fatalf("grants: %d %s", p.Status, p.Body)
	}
	s.setClock(time.Now().Add(devSessionTTL + time.Minute))
	p := b.get("/console/grants?status=active")
	if p.Status != http.StatusSeeOther || p.Location != "/console/login?return="+url.QueryEscape("/console/grants?status=active") {
		t.Fatalf("expired: %d %q", p.Status, p.Location)
	}
	s.setClock(time.Time{})

	// A flipped byte in the cookie fails authentication.
	u, _ := url.Parse(s.srv.URL + "/console/")
	cookies := b.c.Jar.Cookies(u)
	for _, c := range cookies {
		if c.Name == sessionCookie {
			raw, _ := base64.RawURLEncoding.DecodeString(c.Value)
			raw[len(raw)-1] ^= 1
			c.Value = base64.RawURLEncoding.EncodeToString(raw)
			c.Path = "/console/"
			b.c.Jar.SetCookies(u, []*http.Cookie{c})
		}
	}
	if p := b.get("/console/grants"); p.Status != http.StatusSeeOther {
		t.Fatalf("forged cookie: %d", p.Status)
	}
}

// A post without the session's CSRF token, or with another one, is refused before anything
// reaches the API.
func TestPostWithoutCSRFIsForbidden(t *testing.T) {
	s := newStack(t, "ningxia", false)
	b := s.browser()
	b.signIn("demo-applicant")
	if p := b.post("/console/logout", url.Values{}); p.Status != http.StatusForbidden {
		t.Fatalf("sign-out without token: %d", p.Status)
	}
	if p := b.get("/console/"); p.Status != 200 {
		t.Fatalf("a refused sign-out signed out: %d", p.Status)
	}
	for name, form := range map[string]url.Values{
		"none":  {},
		"wrong": {"csrf": {csrfToken([]byte("another session's secret"))}},
	} {
		p := b.post("/console/share-requests", url.Values(form))
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "CSRF") {
			t.Errorf("%s token: %d\n%s", name, p.Status, p.Body)
		}
	}
	// Nothing was created.
	var list struct {
		Items []any `json:"items"`
	}
	s.apiCall("GET", "/api/v1/share-requests", s.token("demo-applicant"), nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("created despite the missing token: %+v", list.Items)
	}
}

// The return path after sign-in is always a console page of this site.
func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"":                                         "/console/",
		"/console/tasks/a%2Fb%2F1?x=1":             "/console/tasks/a%2Fb%2F1?x=1",
		"/console/done":                            "/console/done",
		"//evil.example/console/":                  "/console/",
		"https://evil.example/console/":            "/console/",
		"/\\evil.example":                          "/console/",
		"/api/v1/me":                               "/console/",
		"/console/login?return=/console/":          "/console/",
		"javascript:alert(1)":                      "/console/",
		"/console/../api/v1/me":                    "/console/",
		"/console/%2e%2e/api/v1/me":                "/console/",
		"/console/notifications?unread=true&x=%0a": "/console/notifications?unread=true&x=%0a",
	} {
		if got := safeReturn(in); got != want {
			t.Errorf("safeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

// The key file is created once with owner-only permissions and read back.
func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "console-session-key")
	k1, err := LoadOrCreateKey(path)
	if err != nil || len(k1) != KeySize {
		t.Fatalf("create: %v %d", err, len(k1))
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", st.Mode(), err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || string(k1) != string(k2) {
		t.Fatalf("reload gave another key: %v", err)
	}
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a malformed key file is accepted: %v", err)
	}
}

// Cookies are sealed to their name and key: another name or key cannot open them.
func TestSealedCookie(t *testing.T) {
	key := make([]byte, KeySize)
	s, err := newSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.seal(sessionCookie, session{Token: "t", Expiry: 1, Secret: []byte("s")})
	if err != nil {
		t.Fatal(err)
	}
	var got session
	if err := s.open(sessionCookie, v, &got); err != nil || got.Token != "t" {
		t.Fatalf("open: %v %+v", err, got)
	}
	if err := s.open(loginCookie, v, &got); err == nil {
		t.Fatal("opened under another name")
	}
	other := make([]byte, KeySize)
	other[0] = 1
	s2, _ := newSealer(other)
	if err := s2.open(sessionCookie, v, &got); err == nil {
		t.Fatal("opened with another key")
	}
	if _, err := newSealer(key[:16]); err == nil {
		t.Fatal("a 16-byte key is accepted")
	}
}

// A Secure deployment marks its cookies Secure.
func TestSecureCookie(t *testing.T) {
	c := &Console{secure: true}
	if ck := c.cookie(sessionCookie, "v", time.Now().Add(time.Hour)); !ck.Secure || !ck.HttpOnly || ck.MaxAge < 3590 {
		t.Fatalf("cookie = %+v", ck)
	}
}

// The console is a client of the API: it imports the api package for DTOs, never the read
// model, the workflows, the activities or the Temporal server.
func TestConsoleImportsNoServerSide(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"/models", "/activities", "/workflows", "/worker", "go.temporal.io/server", "gorm.io/"}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if strings.Contains(path, bad) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
}

// A form sent after the session ended is kept: the person signs in again and finds the form
// on its page as typed, once; nobody else gets it, and a post without the session's CSRF
// token (another site's) leaves nothing to restore.
func TestExpiredSessionKeepsTheForm(t *testing.T) {
	s := newStack(t, "ningxia", false)
	rid := strconv.FormatInt(s.resourceID("NX-SCJG-0002"), 10)
	formPage := "/console/share-requests/new?resource_id=" + rid
	typed := url.Values{"resource_id": {rid}, "purpose": {"社会保险待遇资格认证"}, "scope": {"法定代表人姓名"},
		"duty_basis": {"《社会保险法》第八十一条"}, "requested_validity_days": {"30"}, "idem": {"console-draft-test"}}

	// sendLate opens the form, lets the session expire, then sends it from the page.
	sendLate := func(b *browser, withToken bool) page {
		t.Helper()
		s.setClock(time.Time{})
		b.signIn("demo-applicant")
		at := b.get(formPage)
		if at.Status != 200 {
			t.Fatalf("form page: %d %s", at.Status, at.Body)
		}
		s.setClock(time.Now().Add(devSessionTTL + time.Minute))
		form := url.Values{}
		for k, v := range typed {
			form[k] = v
		}
		if withToken {
			form.Set("csrf", csrf(t, at))
		}
		req, _ := http.NewRequest("POST", b.base+"/console/share-requests", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", b.base+formPage)
		p := b.do(req)
		if p.Status != http.StatusSeeOther || p.Location != "/console/login?return="+url.QueryEscape(formPage) {
			t.Fatalf("late post: %d %q, want the sign-in returning to the form", p.Status, p.Location)
		}
		return p
	}
	hasDraftCookie := func(p page) bool {
		for _, c := range (&http.Response{Header: p.Header}).Cookies() {
			if c.Name == draftCookie && c.Value != "" {
				return true
			}
		}
		return false
	}

	b := s.browser()
	if p := sendLate(b, true); !hasDraftCookie(p) {
		t.Fatalf("no draft kept: %v", p.Header.Values("Set-Cookie"))
	}
	b.signIn("demo-applicant")
	back := b.get(formPage)
	if back.Status != 200 || !strings.Contains(back.Body, "登录已过期") || !strings.Contains(back.Body, "draft.js") ||
		!strings.Contains(back.Body, "社会保险待遇资格认证") || !strings.Contains(back.Body, "《社会保险法》第八十一条") ||
		!strings.Contains(back.Body, `"action":"/console/share-requests"`) {
		t.Fatalf("the form page after signing in again does not give the draft back: %d\n%s", back.Status, back.Body)
	}
	if again := b.get(formPage); strings.Contains(again.Body, "登录已过期") {
		t.Errorf("the draft is given back twice")
	}
	// Nothing reached the API.
	var list struct {
		Items []any `json:"items"`
	}
	s.apiCall("GET", "/api/v1/share-requests", s.token("demo-applicant"), nil, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the late post created a request: %+v", list.Items)
	}

	// Another person signing in on the same browser does not get it.
	b3 := s.browser()
	sendLate(b3, true)
	b3.signIn("demo-approver")
	if p := b3.get(formPage); strings.Contains(p.Body, "登录已过期") || strings.Contains(p.Body, "社会保险待遇资格认证") {
		t.Errorf("another user got the draft:\n%s", p.Body)
	}

	// A post without the session's token keeps nothing.
	b2 := s.browser()
	if p := sendLate(b2, false); hasDraftCookie(p) {
		t.Errorf("a post without the CSRF token left a draft")
	}
}

func TestTokenSubject(t *testing.T) {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"demo-applicant","exp":1}`))
	for token, want := range map[string]string{
		"h." + claims + ".sig": "demo-applicant",
		"opaque-token":         "",
		"h.!!.sig":             "",
		"h." + base64.RawURLEncoding.EncodeToString([]byte(`[1]`)) + ".s": "",
	} {
		if got := tokenSubject(token); got != want {
			t.Errorf("tokenSubject(%q) = %q, want %q", token, got, want)
		}
	}
}
