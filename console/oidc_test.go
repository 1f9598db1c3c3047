package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"

	"github.com/datashare/datashare/internal/auth"
)

// These tests run a real OpenID provider, zitadel/oidc's example OP (a certified
// implementation), on loopback, and drive a browser against it and the console's callback.

const (
	testClientID = "datashare-console"
	testPassword = "verysecure" // the example user store's
	testUserID   = "id1"
)

// testOPStorage is the example OP's in-memory storage with what the API needs in the tokens:
// department, roles and name claims, and optionally JWT access tokens for an API audience.
type testOPStorage struct {
	*storage.Storage
	claims map[string]map[string]any // user id → extra claims
	// jwtAccess makes the OP issue JWT access tokens instead of opaque ones.
	jwtAccess bool
	// audience is added to every token's aud.
	audience []string
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *testOPStorage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	for k, v := range s.claims[req.GetSubject()] {
		ui.AppendClaims(k, v)
	}
	return nil
}

// GetPrivateClaimsFromScopes fills a JWT access token's claims.
func (s *testOPStorage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	claims, err := s.Storage.GetPrivateClaimsFromScopes(ctx, userID, clientID, scopes)
	if err != nil {
		return nil, err
	}
	for k, v := range s.claims[userID] {
		if claims == nil {
			claims = map[string]any{}
		}
		claims[k] = v
	}
	return claims, nil
}

func (s *testOPStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || !s.jwtAccess {
		return c, err
	}
	return jwtAccessClient{c}, nil
}

func (s *testOPStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil || len(s.audience) == 0 {
		return r, err
	}
	return audienceRequest{r, s.audience}, nil
}

type jwtAccessClient struct{ op.Client }

func (jwtAccessClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

type audienceRequest struct {
	op.AuthRequest
	extra []string
}

func (r audienceRequest) GetAudience() []string {
	return append(slices.Clone(r.AuthRequest.GetAudience()), r.extra...)
}

type testOP struct {
	issuer   string
	username string
}

// startTestOP serves the example OP on loopback with one public client (auth method none,
// PKCE) whose only redirect URI is redirectURL.
func startTestOP(t *testing.T, redirectURL string, configure func(*testOPStorage)) testOP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	users := storage.NewUserStore(issuer)
	st := &testOPStorage{
		Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{
			testClientID: storage.NativeClient(testClientID, redirectURL),
		}),
		claims: map[string]map[string]any{
			testUserID: {"dept": "nx-rst", "roles": []string{"approver", "dept_head"}, "name": "王丽"},
		},
	}
	if configure != nil {
		configure(st)
	}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, st, nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return testOP{issuer: issuer, username: users.GetUserByID(testUserID).Username}
}

// finishResult is what Finish returned on the test console's callback.
type finishResult struct {
	token    string
	expiry   time.Time
	returnTo string
	err      error
}

// testRP is the console's side: /console/login begins, /console/auth/callback finishes.
type testRP struct {
	base        string
	redirectURL string
	auth        Authenticator
	mu          sync.Mutex
	results     []finishResult
}

func (rp *testRP) last(t *testing.T) finishResult {
	t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if len(rp.results) == 0 {
		t.Fatal("the callback was never reached")
	}
	return rp.results[len(rp.results)-1]
}

// startTestRP listens first, because the OP must know the redirect URI before the
// authenticator can be built; cfg gets Issuer, ClientID and RedirectURL filled in.
func startTestRP(t *testing.T, cfg OIDCConfig, configureOP func(*testOPStorage)) (*testRP, testOP) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := &testRP{base: "http://" + ln.Addr().String()}
	rp.redirectURL = rp.base + "/console/auth/callback"
	opp := startTestOP(t, rp.redirectURL, configureOP)
	cfg.Issuer, cfg.ClientID, cfg.RedirectURL = opp.issuer, testClientID, rp.redirectURL
	rp.auth, err = NewOIDCAuthenticator(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/console/login", func(c *gin.Context) { rp.auth.Begin(c, c.Query("return")) })
	r.GET("/console/auth/callback", func(c *gin.Context) {
		tok, exp, ret, err := rp.auth.Finish(c)
		rp.mu.Lock()
		rp.results = append(rp.results, finishResult{tok, exp, ret, err})
		rp.mu.Unlock()
		if err != nil {
			c.String(http.StatusUnauthorized, "登录未完成："+err.Error())
			return
		}
		c.String(http.StatusOK, "signed in")
	})
	srv := httptest.NewUnstartedServer(r)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return rp, opp
}

// browser is an HTTP client with a cookie jar that follows redirects itself, so that a test
// sees every answer (and its Set-Cookie) and can stop before the callback.
type oidcBrowser struct {
	t      *testing.T
	jar    *cookiejar.Jar
	client *http.Client
}

func newOIDCBrowser(t *testing.T) *oidcBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &oidcBrowser{t: t, jar: jar, client: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// hop is one answer the browser received.
type hop struct {
	resp *http.Response
	body string
}

// do sends req and follows redirects; it stops before requesting a URL for which stop is true
// and returns that URL.
func (b *oidcBrowser) do(req *http.Request, stop func(*url.URL) bool) (hops []hop, stoppedAt *url.URL) {
	b.t.Helper()
	for range 20 {
		resp, err := b.client.Do(req)
		if err != nil {
			b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		hops = append(hops, hop{resp, string(body)})
		if resp.StatusCode < 300 || resp.StatusCode > 399 {
			return hops, nil
		}
		loc, err := resp.Location()
		if err != nil {
			b.t.Fatalf("redirect without location from %s: %v", req.URL, err)
		}
		if stop != nil && stop(loc) {
			return hops, loc
		}
		req, _ = http.NewRequest(http.MethodGet, loc.String(), nil)
	}
	b.t.Fatal("too many redirects")
	return nil, nil
}

func (b *oidcBrowser) get(u string, stop func(*url.URL) bool) ([]hop, *url.URL) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req, stop)
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signInUntilCallback begins a sign-in at the console, signs in at the OP's login form and
// stops where the OP sends the browser back to the console. It returns the console's answer to
// the sign-in (the redirect to the OP) and the callback URL, not yet requested.
func signInUntilCallback(t *testing.T, b *oidcBrowser, rp *testRP, opp testOP, returnTo string) (*http.Response, *url.URL) {
	t.Helper()
	atCallback := func(u *url.URL) bool { return strings.HasPrefix(u.String(), rp.redirectURL) }
	hops, stopped := b.get(rp.base+"/console/login?return="+url.QueryEscape(returnTo), atCallback)
	if stopped != nil {
		t.Fatalf("the OP returned to the console before any sign-in: %s", stopped)
	}
	begin, page := hops[0].resp, hops[len(hops)-1]
	m := loginFormID.FindStringSubmatch(page.body)
	if page.resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("no login form at the OP: %d %s", page.resp.StatusCode, page.body)
	}
	form := url.Values{"id": {m[1]}, "username": {opp.username}, "password": {testPassword}}
	req, _ := http.NewRequest(http.MethodPost, opp.issuer+"/login/username", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hops, stopped = b.do(req, atCallback)
	if stopped == nil {
		last := hops[len(hops)-1]
		t.Fatalf("the OP did not send the oidcBrowser back: %d %s", last.resp.StatusCode, last.body)
	}
	return begin, stopped
}

func attemptCookies(cookies []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, oidcAttemptCookie) {
			out = append(out, c)
		}
	}
	return out
}

func decodeAttempt(t *testing.T, value string) oidcAttempt {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	var at oidcAttempt
	if err := json.Unmarshal(raw, &at); err != nil {
		t.Fatal(err)
	}
	return at
}

func signInMessage(t *testing.T, err error) string {
	t.Helper()
	var se *SignInError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *SignInError", err, err)
	}
	return se.Message
}

// tokenEndpoint reads the OP's discovery document.
func tokenEndpoint(t *testing.T, issuer string) string {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.TokenEndpoint == "" {
		t.Fatalf("discovery: %v %+v", err, doc)
	}
	return doc.TokenEndpoint
}

// redeem posts the code to the OP's token endpoint as an attacker who intercepted it would.
func redeem(t *testing.T, endpoint, redirectURL, code, verifier string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURL}, "client_id": {testClientID}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestOIDCSignIn runs the whole authorization code flow with PKCE against the OP and checks
// that the API's own verifier accepts the token Finish returns.
func TestOIDCSignIn(t *testing.T) {
	rp, opp := startTestRP(t, OIDCConfig{}, nil)
	b := newOIDCBrowser(t)
	const returnTo = "/console/requests/42?tab=timeline"
	begin, callback := signInUntilCallback(t, b, rp, opp, returnTo)

	// The authorization request: code flow, PKCE with S256, a nonce, our redirect URI.
	if begin.StatusCode != http.StatusFound {
		t.Fatalf("begin: status %d", begin.StatusCode)
	}
	authz, _ := begin.Location()
	q := authz.Query()
	if !strings.HasPrefix(authz.String(), opp.issuer+"/") || q.Get("response_type") != "code" || q.Get("client_id") != testClientID ||
		q.Get("redirect_uri") != rp.redirectURL || !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		t.Fatalf("authorization request = %s", authz)
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization request lacks PKCE S256, nonce or state: %s", authz)
	}

	// The attempt's cookie: HttpOnly, SameSite=Lax, not Secure over http, scoped to the callback,
	// short-lived, named by the state; it holds the verifier of the challenge sent.
	cookies := attemptCookies(begin.Cookies())
	if len(cookies) != 1 {
		t.Fatalf("begin set %d attempt cookies: %v", len(cookies), begin.Header.Values("Set-Cookie"))
	}
	ck := cookies[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/console/auth/callback" ||
		ck.MaxAge <= 0 || ck.MaxAge > 600 || ck.Name != oidcAttemptCookie+q.Get("state") {
		t.Fatalf("attempt cookie = %+v", ck)
	}
	at := decodeAttempt(t, ck.Value)
	sum := sha256.Sum256([]byte(at.Verifier))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != q.Get("code_challenge") || at.Nonce != q.Get("nonce") {
		t.Fatal("the challenge sent is not the S256 of the verifier kept, or the nonce differs")
	}

	// PKCE is enforced: the intercepted code is worth nothing without the verifier.
	code := callback.Query().Get("code")
	if code == "" || callback.Query().Get("state") != q.Get("state") {
		t.Fatalf("callback = %s", callback)
	}
	endpoint := tokenEndpoint(t, opp.issuer)
	if status, body := redeem(t, endpoint, rp.redirectURL, code, ""); status == http.StatusOK || strings.Contains(body, "access_token") {
		t.Fatalf("the OP redeemed the code without the verifier: %d %s", status, body)
	}
	if status, body := redeem(t, endpoint, rp.redirectURL, code, oauth2.GenerateVerifier()); status == http.StatusOK || !strings.Contains(body, "invalid_grant") {
		t.Fatalf("the OP redeemed the code with another verifier: %d %s", status, body)
	}

	// The console's callback completes the sign-in.
	hops, _ := b.get(callback.String(), nil)
	if hops[0].resp.StatusCode != http.StatusOK {
		t.Fatalf("callback: %d %s", hops[0].resp.StatusCode, hops[0].body)
	}
	res := rp.last(t)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.returnTo != returnTo {
		t.Fatalf("returnTo = %q", res.returnTo)
	}
	if now := time.Now(); !res.expiry.After(now) || res.expiry.After(now.Add(time.Hour+time.Minute)) {
		t.Fatalf("expiry = %s", res.expiry)
	}

	// The attempt cookie is cleared: deleted on the callback's answer, gone from the jar.
	cleared := attemptCookies(hops[0].resp.Cookies())
	if len(cleared) != 1 || cleared[0].Name != ck.Name || cleared[0].MaxAge >= 0 || !cleared[0].HttpOnly || cleared[0].Path != ck.Path {
		t.Fatalf("callback's Set-Cookie = %v", hops[0].resp.Header.Values("Set-Cookie"))
	}
	cbURL, _ := url.Parse(rp.redirectURL)
	if left := attemptCookies(b.jar.Cookies(cbURL)); len(left) != 0 {
		t.Fatalf("attempt cookie left in the browser: %v", left)
	}

	// The API's verifier, configured as the API is, accepts the token and reads the principal.
	v := auth.NewOIDCVerifier(auth.OIDCConfig{Issuer: opp.issuer, Audience: testClientID, DeptClaim: "dept", RolesClaim: "roles", NameClaim: "name"})
	p, err := v.Verify(t.Context(), res.token)
	if err != nil {
		t.Fatalf("the API refuses the console's token: %v", err)
	}
	if p.Subject != testUserID || p.DepartmentID != "nx-rst" || p.Name != "王丽" || !p.Has(auth.RoleApprover) || !p.Has(auth.RoleDeptHead) {
		t.Fatalf("principal = %+v", p)
	}
	// Another audience is refused: the token is the one for this API's client, nothing wider.
	other := auth.NewOIDCVerifier(auth.OIDCConfig{Issuer: opp.issuer, Audience: "some-other-api"})
	if _, err := other.Verify(t.Context(), res.token); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("verifier for another audience: err = %v", err)
	}

	// The callback replayed (browser history, a shared link) is refused: the attempt is used.
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != oidcMsgStale || res.token != "" {
		t.Fatalf("replayed callback: %+v", res)
	}
}

// refusingDirectory knows nobody, as the users table does not know a person the provider knows.
type refusingDirectory struct{}

func (refusingDirectory) LookupPrincipal(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, auth.ErrUnauthenticated
}

// TestOIDCTheAPIsVerifierDecides: given the API's own verifier, Finish hands over only what it
// accepts, so someone missing from the users table learns it at sign-in.
func TestOIDCTheAPIsVerifierDecides(t *testing.T) {
	var issuer string
	lazy := verifierFunc(func(ctx context.Context, raw string) (auth.Principal, error) {
		return auth.NewOIDCVerifier(auth.OIDCConfig{Issuer: issuer, Audience: testClientID}).Verify(ctx, raw)
	})
	rp, opp := startTestRP(t, OIDCConfig{Verifier: lazy}, nil)
	issuer = opp.issuer
	b := newOIDCBrowser(t)
	_, callback := signInUntilCallback(t, b, rp, opp, "/console/")
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err != nil || res.token == "" {
		t.Fatalf("accepted by the API's verifier: %+v", res)
	}

	rp, opp = startTestRP(t, OIDCConfig{Verifier: auth.FromDirectory(lazy, refusingDirectory{})}, nil)
	issuer = opp.issuer
	b = newOIDCBrowser(t)
	_, callback = signInUntilCallback(t, b, rp, opp, "/console/")
	b.get(callback.String(), nil)
	res := rp.last(t)
	if res.err == nil || res.token != "" || signInMessage(t, res.err) != oidcMsgUnknownUser || !errors.Is(res.err, auth.ErrUnauthenticated) {
		t.Fatalf("refused by the users table: %+v", res)
	}
}

type verifierFunc func(ctx context.Context, raw string) (auth.Principal, error)

func (f verifierFunc) Verify(ctx context.Context, raw string) (auth.Principal, error) {
	return f(ctx, raw)
}

// TestOIDCStateIsChecked: a callback whose state is not the browser's own attempt is refused
// before any code exchange, and a callback carried to another browser is refused too.
func TestOIDCStateIsChecked(t *testing.T) {
	rp, opp := startTestRP(t, OIDCConfig{}, nil)
	b := newOIDCBrowser(t)
	begin, callback := signInUntilCallback(t, b, rp, opp, "/console/")
	genuine := attemptCookies(begin.Cookies())[0]
	withState := func(state string) string {
		u := *callback
		q := u.Query()
		if state == "" {
			q.Del("state")
		} else {
			q.Set("state", state)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	cbURL, _ := url.Parse(rp.redirectURL)

	forged := rand.Text()
	for name, target := range map[string]string{
		"another state":  withState(forged),
		"no state":       withState(""),
		"malformed":      withState("x/../" + forged),
		"not our format": withState(strings.ToLower(forged)),
	} {
		b.get(target, nil)
		if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != oidcMsgStale {
			t.Errorf("%s: %+v", name, res)
		}
	}

	// The attempt's content under another state's name: the value's state does not match.
	b.jar.SetCookies(cbURL, []*http.Cookie{{Name: oidcAttemptCookie + forged, Value: genuine.Value, Path: genuine.Path}})
	b.get(withState(forged), nil)
	if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != oidcMsgState {
		t.Fatalf("mismatched state: %+v", res)
	}

	// A callback link opened in another browser (login CSRF) finds no attempt there.
	newOIDCBrowser(t).get(callback.String(), nil)
	if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != oidcMsgStale {
		t.Fatalf("callback in another browser: %+v", res)
	}

	// None of that consumed the code or the attempt: the genuine callback still signs in.
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err != nil || res.token == "" {
		t.Fatalf("genuine callback after the forgeries: %+v", res)
	}
}

// rewriteAttempt changes the attempt cookie Begin set in the browser, as a forger would.
func rewriteAttempt(t *testing.T, b *oidcBrowser, rp *testRP, begin *http.Response, change func(*oidcAttempt)) {
	t.Helper()
	ck := attemptCookies(begin.Cookies())[0]
	at := decodeAttempt(t, ck.Value)
	change(&at)
	raw, err := json.Marshal(at)
	if err != nil {
		t.Fatal(err)
	}
	cbURL, _ := url.Parse(rp.redirectURL)
	b.jar.SetCookies(cbURL, []*http.Cookie{{Name: ck.Name, Value: base64.RawURLEncoding.EncodeToString(raw), Path: ck.Path}})
}

// TestOIDCAttemptIsBound: the ID token must carry the attempt's nonce, and an attempt older
// than its lifetime is refused even if the browser still sends its cookie.
func TestOIDCAttemptIsBound(t *testing.T) {
	rp, opp := startTestRP(t, OIDCConfig{}, nil)

	b := newOIDCBrowser(t)
	begin, callback := signInUntilCallback(t, b, rp, opp, "/console/")
	rewriteAttempt(t, b, rp, begin, func(at *oidcAttempt) { at.Nonce = rand.Text() })
	b.get(callback.String(), nil)
	res := rp.last(t)
	if res.err == nil || res.token != "" || signInMessage(t, res.err) != oidcMsgIDToken || !strings.Contains(errors.Unwrap(res.err).Error(), "nonce") {
		t.Fatalf("ID token for another nonce: %+v", res)
	}

	b = newOIDCBrowser(t)
	begin, callback = signInUntilCallback(t, b, rp, opp, "/console/")
	rewriteAttempt(t, b, rp, begin, func(at *oidcAttempt) { at.Started = time.Now().Add(-oidcAttemptTTL - time.Minute).Unix() })
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err == nil || res.token != "" || signInMessage(t, res.err) != oidcMsgStale {
		t.Fatalf("expired attempt: %+v", res)
	}
}

// TestOIDCReturnToStaysInTheConsole: returnTo is a console path on this host or the console's
// home, whatever Begin was given and whatever the attempt cookie says.
func TestOIDCReturnToStaysInTheConsole(t *testing.T) {
	a := &oidcAuthenticator{cookiePath: "/console/auth/callback"}
	for in, want := range map[string]string{
		"/console/tasks/7?x=1":                  "/console/tasks/7?x=1",
		"/console/":                             "/console/",
		"/console":                              "/console",
		"":                                      oidcConsoleHome,
		"https://evil.example/console/":         oidcConsoleHome,
		"//evil.example/console/":               oidcConsoleHome,
		"/\\evil.example/console/":              oidcConsoleHome,
		"\\\\evil.example":                      oidcConsoleHome,
		"/console/\nx":                          oidcConsoleHome,
		"/console/\tx":                          oidcConsoleHome,
		"javascript:alert(1)":                   oidcConsoleHome,
		"http:/evil.example":                    oidcConsoleHome,
		"console/tasks":                         oidcConsoleHome,
		"/api/v1/tasks":                         oidcConsoleHome,
		"/consolex":                             oidcConsoleHome,
		"/console/../api/v1/tasks":              oidcConsoleHome,
		"/console/%2e%2e/api/v1/tasks":          oidcConsoleHome,
		"/console/auth/callback?code=x&state=y": oidcConsoleHome,
		"/" + strings.Repeat("console/", 200):   oidcConsoleHome,
	} {
		if got := a.returnPath(in); got != want {
			t.Errorf("returnPath(%q) = %q, want %q", in, got, want)
		}
	}

	rp, opp := startTestRP(t, OIDCConfig{}, nil)

	// An absolute URL given to Begin: the sign-in goes to the OP and comes back to the console.
	b := newOIDCBrowser(t)
	begin, callback := signInUntilCallback(t, b, rp, opp, "https://evil.example/steal")
	if loc, _ := begin.Location(); !strings.HasPrefix(loc.String(), opp.issuer+"/") {
		t.Fatalf("begin redirected to %s", loc)
	}
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err != nil || res.returnTo != oidcConsoleHome {
		t.Fatalf("open redirect through Begin: %+v", res)
	}

	// A forged attempt cookie naming another host: Finish does not take its word.
	b = newOIDCBrowser(t)
	begin, callback = signInUntilCallback(t, b, rp, opp, "/console/ok")
	rewriteAttempt(t, b, rp, begin, func(at *oidcAttempt) { at.ReturnTo = "//evil.example/steal" })
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err != nil || res.returnTo != oidcConsoleHome {
		t.Fatalf("open redirect through the cookie: %+v", res)
	}
}

// TestOIDCProviderRefusal: an error the provider sends to the callback becomes a message for
// the sign-in page that never repeats the provider's (or a forger's) words, and the attempt's
// cookie is cleared.
func TestOIDCProviderRefusal(t *testing.T) {
	rp, _ := startTestRP(t, OIDCConfig{}, nil)
	b := newOIDCBrowser(t)
	hops, _ := b.get(rp.base+"/console/login?return=/console/", func(*url.URL) bool { return true })
	loc, _ := hops[0].resp.Location()
	state := loc.Query().Get("state")
	cbURL, _ := url.Parse(rp.redirectURL)
	if len(attemptCookies(b.jar.Cookies(cbURL))) != 1 {
		t.Fatal("no attempt cookie after Begin")
	}

	q := url.Values{"error": {"access_denied"}, "error_description": {"Call 400-000-0000 to unlock your account"}, "state": {state}}
	hops, _ = b.get(rp.redirectURL+"?"+q.Encode(), nil)
	res := rp.last(t)
	if res.err == nil || res.token != "" || signInMessage(t, res.err) != oidcMsgDenied {
		t.Fatalf("access_denied: %+v", res)
	}
	if strings.Contains(res.err.Error(), "400-000") || strings.Contains(hops[0].body, "400-000") {
		t.Fatalf("the provider's text reached the page: %q", res.err.Error())
	}
	if cause := errors.Unwrap(res.err); cause == nil || !strings.Contains(cause.Error(), "access_denied") || !strings.Contains(cause.Error(), "400-000") {
		t.Fatalf("the cause for the log lacks the provider's words: %v", cause)
	}
	if res.returnTo != "/console/" {
		t.Fatalf("returnTo = %q", res.returnTo)
	}
	if left := attemptCookies(b.jar.Cookies(cbURL)); len(left) != 0 {
		t.Fatalf("attempt cookie left after the refusal: %v", left)
	}

	for code, want := range map[string]string{"temporarily_unavailable": oidcMsgBusy, "login_required": oidcMsgAgain, "invalid_scope": oidcMsgRefused, "<b>x</b>": oidcMsgRefused} {
		b.get(rp.redirectURL+"?"+url.Values{"error": {code}}.Encode(), nil)
		if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != want {
			t.Errorf("error=%s: %+v", code, res)
		}
	}
}

// TestOIDCAccessTokenForTheAPIsAudience: when the API has an audience of its own, the console
// hands over the access token, a JWT for that audience, and refuses a provider whose tokens
// the API would refuse.
func TestOIDCAccessTokenForTheAPIsAudience(t *testing.T) {
	jwtForAPI := func(s *testOPStorage) { s.jwtAccess, s.audience = true, []string{"datashare-api"} }

	rp, opp := startTestRP(t, OIDCConfig{Audience: "datashare-api"}, jwtForAPI)
	b := newOIDCBrowser(t)
	_, callback := signInUntilCallback(t, b, rp, opp, "/console/")
	b.get(callback.String(), nil)
	res := rp.last(t)
	if res.err != nil {
		t.Fatal(res.err)
	}
	claims := jwtClaims(t, res.token)
	if _, isIDToken := claims["nonce"]; isIDToken {
		t.Fatal("Finish returned the ID token, not the access token")
	}
	v := auth.NewOIDCVerifier(auth.OIDCConfig{Issuer: opp.issuer, Audience: "datashare-api", DeptClaim: "dept", RolesClaim: "roles", NameClaim: "name"})
	p, err := v.Verify(t.Context(), res.token)
	if err != nil {
		t.Fatalf("the API refuses the access token: %v", err)
	}
	if p.Subject != testUserID || p.DepartmentID != "nx-rst" || !p.Has(auth.RoleApprover) {
		t.Fatalf("principal = %+v", p)
	}
	if exp := time.Unix(int64(claims["exp"].(float64)), 0); !res.expiry.Equal(exp) {
		t.Fatalf("expiry %s, token's exp %s", res.expiry, exp)
	}

	// The API expects an audience the provider does not put in its tokens: sign-in fails with
	// a message for the administrator rather than giving a session the API would refuse.
	rp, opp = startTestRP(t, OIDCConfig{Audience: "another-api"}, jwtForAPI)
	b = newOIDCBrowser(t)
	_, callback = signInUntilCallback(t, b, rp, opp, "/console/")
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err == nil || res.token != "" || signInMessage(t, res.err) != oidcMsgNotAccepted {
		t.Fatalf("token for the wrong audience: %+v", res)
	}

	// Opaque access tokens cannot be the API's bearer token either.
	rp, opp = startTestRP(t, OIDCConfig{Audience: "datashare-api"}, nil)
	b = newOIDCBrowser(t)
	_, callback = signInUntilCallback(t, b, rp, opp, "/console/")
	b.get(callback.String(), nil)
	if res := rp.last(t); res.err == nil || signInMessage(t, res.err) != oidcMsgNotAccepted {
		t.Fatalf("opaque access token: %+v", res)
	}
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestOIDCProviderUnreachable: Begin answers 503 with a message and sets no cookie, on the
// first click and on the next (which the remembered failure answers at once).
func TestOIDCProviderUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	ln.Close()
	a, err := NewOIDCAuthenticator(t.Context(), OIDCConfig{Issuer: issuer, ClientID: testClientID, RedirectURL: "https://datashare.example.gov.cn/console/auth/callback"})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/console/login", func(c *gin.Context) { a.Begin(c, "/console/") })
	for range 2 {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/console/login", nil))
		if w.Code != http.StatusServiceUnavailable || w.Body.String() != oidcMsgUnreachable || w.Header().Get("Set-Cookie") != "" {
			t.Fatalf("begin with the provider down: %d %q %v", w.Code, w.Body.String(), w.Header())
		}
	}
}

// TestOIDCSecureCookieUnderHTTPS: with an https redirect URL the attempt cookie is Secure.
func TestOIDCSecureCookieUnderHTTPS(t *testing.T) {
	a := &oidcAuthenticator{cookiePath: "/console/auth/callback", secure: true}
	ck := a.attemptCookie(rand.Text(), "v", 600)
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie = %+v", ck)
	}
	got, err := NewOIDCAuthenticator(t.Context(), OIDCConfig{Issuer: "https://sso.example.gov.cn", ClientID: "c", RedirectURL: "https://ds.example.gov.cn/console/auth/callback"})
	if err != nil {
		t.Fatal(err)
	}
	if oa := got.(*oidcAuthenticator); !oa.secure || oa.cookiePath != "/console/auth/callback" || !oa.useIDToken ||
		strings.Join(oa.cfg.Scopes, " ") != "openid profile email" {
		t.Fatalf("authenticator = %+v", oa)
	}
}

func TestNewOIDCAuthenticatorRefusesIncompleteConfig(t *testing.T) {
	good := OIDCConfig{Issuer: "https://sso.example.gov.cn", ClientID: "c", RedirectURL: "https://ds.example.gov.cn/console/auth/callback"}
	for name, mutate := range map[string]func(*OIDCConfig){
		"DATASHARE_OIDC_ISSUER":       func(c *OIDCConfig) { c.Issuer = "" },
		"DATASHARE_OIDC_CLIENT_ID":    func(c *OIDCConfig) { c.ClientID = "" },
		"DATASHARE_OIDC_REDIRECT_URL": func(c *OIDCConfig) { c.RedirectURL = "/console/auth/callback" },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := NewOIDCAuthenticator(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	cfg := good
	cfg.Scopes = []string{"profile"}
	a, err := NewOIDCAuthenticator(t.Context(), cfg)
	if err != nil || !slices.Contains(a.(*oidcAuthenticator).cfg.Scopes, "openid") {
		t.Fatalf("openid not added: %v", err)
	}
}
