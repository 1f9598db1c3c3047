package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/datashare/datashare/internal/auth"
)

// Which token becomes the console's bearer token.
//
// The API (internal/auth.OIDCVerifier) accepts a JWT signed with the issuer's published keys
// whose iss is DATASHARE_OIDC_ISSUER, whose aud contains DATASHARE_OIDC_AUDIENCE and whose exp
// lies ahead; it reads the subject from sub and the department and roles from the claims named
// by DATASHARE_OIDC_DEPT_CLAIM and DATASHARE_OIDC_ROLES_CLAIM (display name:
// DATASHARE_OIDC_NAME_CLAIM), unless DATASHARE_PRINCIPAL_SOURCE=users reads them from the users
// table. So:
//
//   - when the API's audience is the console's client id (the usual set-up: one client at the
//     provider), the ID token is that JWT: its aud is always the client id. The provider must
//     put the department and role claims into the ID token.
//   - when the API has an audience of its own, only an access token can carry it: the provider
//     must issue JWT access tokens (not opaque ones) with that audience and the department and
//     role claims.
//
// Finish checks the chosen token exactly as the API will (issuer, audience, signature, expiry)
// before handing it over, so a provider set up otherwise fails at sign-in with a message, not
// with a session every page of which is refused.

// oidcAttemptTTL bounds a sign-in at the provider: time enough to type a password and pass a
// second factor; an abandoned attempt's cookie is gone soon after.
const oidcAttemptTTL = 10 * time.Minute

// oidcAttemptCookie prefixes the cookie of one sign-in attempt. The attempt's state completes
// the name, so two tabs signing in at the same time do not overwrite each other's attempt.
const oidcAttemptCookie = "datashare_oidc_"

// oidcConsoleHome is where a sign-in returns when it was given no usable console path.
const oidcConsoleHome = "/console/"

// oidcMaxReturnTo keeps the attempt cookie well under browsers' 4 KiB limit.
const oidcMaxReturnTo = 1024

// oidcDiscoveryBackoff: after a failed discovery, sign-ins fail at once for this long instead
// of each waiting for an unreachable provider.
const oidcDiscoveryBackoff = 5 * time.Second

// oidcHTTPTimeout bounds each call to the provider when OIDCConfig.HTTPClient is nil.
const oidcHTTPTimeout = 10 * time.Second

// Messages for the sign-in page (the console prefixes them with 登录未完成). None repeats text
// from the provider or the callback URL: anyone can craft a callback link, and a page must
// not show a stranger's words as the system's.
const (
	oidcMsgUnreachable = "暂时无法连接统一身份认证平台，请稍后重试。"
	oidcMsgStale       = "登录请求已过期、已使用过或不是在本浏览器中发起的，请重新登录。"
	oidcMsgState       = "登录请求校验未通过（state 不一致），请重新登录。"
	oidcMsgNoCode      = "统一身份认证平台没有返回授权码，请重新登录。"
	oidcMsgExchange    = "无法向统一身份认证平台换取令牌，请重新登录；如仍失败，请联系系统管理员。"
	oidcMsgIDToken     = "统一身份认证平台返回的身份令牌未通过校验，请重新登录。"
	oidcMsgNotAccepted = "统一身份认证平台签发的令牌不被本系统接受，请联系系统管理员检查统一身份认证配置。"
	oidcMsgDenied      = "您取消了登录，或统一身份认证平台未授权您使用本系统。"
	oidcMsgAgain       = "统一身份认证平台要求重新登录，请再试一次。"
	oidcMsgBusy        = "统一身份认证平台暂时无法完成登录，请稍后重试。"
	oidcMsgRefused     = "统一身份认证平台拒绝了登录请求，请联系系统管理员。"
	oidcMsgUnknownUser = "统一身份认证已通过，但本系统不接受您的账号（未登记或已停用），请联系系统管理员。"
)

// OIDCConfig is the console's client at an OpenID provider (authorization code flow with
// PKCE). cmd fills it from DATASHARE_OIDC_*.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (DATASHARE_OIDC_ISSUER); discovery at
	// Issuer/.well-known/openid-configuration gives the endpoints and keys.
	Issuer string
	// ClientID identifies the console at the provider (DATASHARE_OIDC_CLIENT_ID).
	ClientID string
	// ClientSecret authenticates a confidential client (DATASHARE_OIDC_CLIENT_SECRET); empty
	// for a public client, which PKCE alone protects.
	ClientSecret string
	// RedirectURL is the callback as registered at the provider and as the browser reaches it
	// (DATASHARE_OIDC_REDIRECT_URL). Its scheme decides whether the attempt cookie is Secure;
	// its path scopes the cookie.
	RedirectURL string
	// Scopes requested (DATASHARE_OIDC_SCOPES); openid is added when missing. Empty: openid
	// profile email.
	Scopes []string
	// Audience is the aud the API's verifier expects (DATASHARE_OIDC_AUDIENCE); empty means
	// ClientID. Equal to ClientID, the ID token becomes the console's bearer token; otherwise
	// the access token does and must be a JWT from the issuer with this audience.
	Audience string
	// Verifier is the API's own verifier (cmd's, with the users table when
	// DATASHARE_PRINCIPAL_SOURCE=users). When set, Finish refuses a token it refuses, so that
	// a person the provider knows but datashare does not gets a message at sign-in instead of
	// a session whose every page sends them back to sign in. Nil: the token is checked for
	// issuer, audience, signature and expiry only.
	Verifier auth.Verifier
	// HTTPClient reaches the provider; nil: a client with a 10-second timeout.
	HTTPClient *http.Client
}

// SignInError is why a sign-in did not complete. Error gives the message for the person on
// the sign-in page; Unwrap gives the cause, for the log.
type SignInError struct {
	// Message is fit for the sign-in page: it never repeats text from the provider.
	Message string
	// Err is the cause, with the provider's own words where there were any.
	Err error
}

// Error returns the message for the sign-in page.
func (e *SignInError) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *SignInError) Unwrap() error { return e.Err }

func signInError(message string, cause error) *SignInError {
	return &SignInError{Message: message, Err: cause}
}

// oidcAuthenticator is the Authenticator of an OpenID provider.
type oidcAuthenticator struct {
	cfg        OIDCConfig
	client     *http.Client
	baseCtx    context.Context // carries client; the provider's key set refreshes with it
	useIDToken bool
	cookiePath string
	secure     bool

	mu       sync.Mutex
	disc     *oidcDiscovered
	failedAt time.Time
	failErr  error
}

// oidcDiscovered is what discovery gives: the endpoints and the verifiers built on the keys.
type oidcDiscovered struct {
	oauth oauth2.Config
	// idToken checks the ID token: aud contains the client id.
	idToken *oidc.IDTokenVerifier
	// api checks a token as the API does: aud contains the API's audience.
	api *oidc.IDTokenVerifier
}

// oidcAttempt is what the browser keeps between Begin and Finish.
type oidcAttempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE code verifier
	ReturnTo string `json:"r"`
	Started  int64  `json:"t"` // Unix seconds
}

// NewOIDCAuthenticator returns the Authenticator of the issuer. It makes no network call:
// discovery happens at the first sign-in and is retried until it succeeds, so the API can
// start while the provider is down (as the API's own verifier does). ctx bounds the
// authenticator's background work (the provider's key set refreshes with it): cancel it at
// shutdown, not before.
func NewOIDCAuthenticator(ctx context.Context, cfg OIDCConfig) (Authenticator, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("console sign-in: no issuer (DATASHARE_OIDC_ISSUER)")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("console sign-in: no client id (DATASHARE_OIDC_CLIENT_ID)")
	}
	ru, err := url.Parse(cfg.RedirectURL)
	if err != nil || (ru.Scheme != "http" && ru.Scheme != "https") || ru.Host == "" || ru.Fragment != "" {
		return nil, fmt.Errorf("console sign-in: redirect URL must be an absolute http or https URL without fragment (DATASHARE_OIDC_REDIRECT_URL), got %q", cfg.RedirectURL)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if cfg.Audience == "" {
		cfg.Audience = cfg.ClientID
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: oidcHTTPTimeout}
	}
	cookiePath := ru.EscapedPath()
	if cookiePath == "" {
		cookiePath = "/"
	}
	return &oidcAuthenticator{
		cfg:        cfg,
		client:     client,
		baseCtx:    oidc.ClientContext(ctx, client),
		useIDToken: cfg.Audience == cfg.ClientID,
		// Only the callback needs the attempt: the API and the rest of the console never see it.
		cookiePath: cookiePath,
		secure:     ru.Scheme == "https",
	}, nil
}

// discover fetches the provider's metadata once; a failure is remembered briefly and then
// retried.
func (a *oidcAuthenticator) discover() (*oidcDiscovered, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.disc != nil {
		return a.disc, nil
	}
	if a.failErr != nil && time.Since(a.failedAt) < oidcDiscoveryBackoff {
		return nil, a.failErr
	}
	d, err := a.discoverNow()
	if err != nil {
		a.failedAt, a.failErr = time.Now(), err
		return nil, err
	}
	a.disc, a.failErr = d, nil
	return d, nil
}

func (a *oidcAuthenticator) discoverNow() (*oidcDiscovered, error) {
	p, err := oidc.NewProvider(a.baseCtx, a.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", a.cfg.Issuer, err)
	}
	var meta struct {
		Methods []string `json:"code_challenge_methods_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", a.cfg.Issuer, err)
	}
	// Many providers support PKCE without saying so; one that lists its methods without S256
	// would refuse every sign-in, and should be named at once.
	if len(meta.Methods) > 0 && !slices.Contains(meta.Methods, "S256") {
		return nil, fmt.Errorf("oidc provider %s does not offer PKCE with S256 (code_challenge_methods_supported: %v)", a.cfg.Issuer, meta.Methods)
	}
	endpoint := p.Endpoint()
	if a.cfg.ClientSecret == "" {
		// A public client names itself in the token request's body (RFC 6749 section 2.3.1);
		// probing with an empty Basic header first would cost a refused call.
		endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	d := &oidcDiscovered{
		oauth: oauth2.Config{
			ClientID:     a.cfg.ClientID,
			ClientSecret: a.cfg.ClientSecret,
			Endpoint:     endpoint,
			RedirectURL:  a.cfg.RedirectURL,
			Scopes:       a.cfg.Scopes,
		},
		idToken: p.Verifier(&oidc.Config{ClientID: a.cfg.ClientID}),
	}
	d.api = d.idToken
	if !a.useIDToken {
		d.api = p.Verifier(&oidc.Config{ClientID: a.cfg.Audience})
	}
	return d, nil
}

// Begin redirects the browser to the provider's authorization endpoint with a fresh state,
// nonce and PKCE challenge, keeping them in a cookie of this attempt. When the provider cannot
// be reached it answers 503 with a message instead.
func (a *oidcAuthenticator) Begin(c *gin.Context, returnTo string) {
	c.Header("Cache-Control", "no-store")
	d, err := a.discover()
	if err != nil {
		e := signInError(oidcMsgUnreachable, err)
		_ = c.Error(e)
		c.String(http.StatusServiceUnavailable, e.Message)
		c.Abort()
		return
	}
	at := oidcAttempt{
		State:    rand.Text(),
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: a.returnPath(returnTo),
		Started:  time.Now().Unix(),
	}
	raw, err := json.Marshal(at)
	if err != nil { // a struct of strings always marshals
		panic(err)
	}
	http.SetCookie(c.Writer, a.attemptCookie(at.State, base64.RawURLEncoding.EncodeToString(raw), int(oidcAttemptTTL/time.Second)))
	c.Redirect(http.StatusFound, d.oauth.AuthCodeURL(at.State, oauth2.S256ChallengeOption(at.Verifier), oidc.Nonce(at.Nonce)))
}

// Finish checks the callback against the attempt's cookie (which it clears), exchanges the
// code with the PKCE verifier, verifies the ID token (issuer, audience = client id, nonce,
// expiry) and returns the token the API accepts with its expiry. Every error is a
// *SignInError.
func (a *oidcAuthenticator) Finish(c *gin.Context) (string, time.Time, string, error) {
	c.Header("Cache-Control", "no-store")
	q := c.Request.URL.Query()
	at, attemptErr := a.takeAttempt(c, q.Get("state"))
	returnTo := ""
	if attemptErr == nil {
		returnTo = a.returnPath(at.ReturnTo)
	}
	// The provider's refusal is what the person needs to hear, whatever the state says.
	if code := q.Get("error"); code != "" {
		return "", time.Time{}, returnTo, providerRefusal(code, q.Get("error_description"))
	}
	if attemptErr != nil {
		return "", time.Time{}, "", attemptErr
	}
	code := q.Get("code")
	if code == "" {
		return "", time.Time{}, returnTo, signInError(oidcMsgNoCode, errors.New("callback without code"))
	}
	d, err := a.discover()
	if err != nil {
		return "", time.Time{}, returnTo, signInError(oidcMsgUnreachable, err)
	}
	ctx := oidc.ClientContext(c.Request.Context(), a.client)
	tok, err := d.oauth.Exchange(ctx, code, oauth2.VerifierOption(at.Verifier))
	if err != nil {
		return "", time.Time{}, returnTo, signInError(oidcMsgExchange, fmt.Errorf("code exchange: %w", err))
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return "", time.Time{}, returnTo, signInError(oidcMsgIDToken, errors.New("token response has no id_token"))
	}
	idt, err := d.idToken.Verify(ctx, rawID)
	if err != nil {
		return "", time.Time{}, returnTo, signInError(oidcMsgIDToken, fmt.Errorf("id token: %w", err))
	}
	// go-oidc leaves the nonce to the caller: it ties the ID token to this attempt.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(at.Nonce)) != 1 {
		return "", time.Time{}, returnTo, signInError(oidcMsgIDToken, errors.New("id token nonce does not match the attempt"))
	}
	if a.useIDToken {
		return a.accepted(ctx, rawID, idt.Expiry, returnTo)
	}
	if tok.AccessToken == "" {
		return "", time.Time{}, returnTo, signInError(oidcMsgNotAccepted, errors.New("token response has no access_token"))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return "", time.Time{}, returnTo, signInError(oidcMsgIDToken, fmt.Errorf("access token: %w", err))
		}
	}
	att, err := d.api.Verify(ctx, tok.AccessToken)
	if err != nil {
		return "", time.Time{}, returnTo, signInError(oidcMsgNotAccepted,
			fmt.Errorf("access token is not a JWT of %s with audience %q, as the API requires: %w", a.cfg.Issuer, a.cfg.Audience, err))
	}
	if att.Subject != idt.Subject {
		return "", time.Time{}, returnTo, signInError(oidcMsgNotAccepted, fmt.Errorf("access token subject %q differs from the id token's %q", att.Subject, idt.Subject))
	}
	return a.accepted(ctx, tok.AccessToken, att.Expiry, returnTo)
}

// accepted hands the token over once the API's own verifier, if there is one, accepts it.
func (a *oidcAuthenticator) accepted(ctx context.Context, token string, expiry time.Time, returnTo string) (string, time.Time, string, error) {
	if a.cfg.Verifier != nil {
		if _, err := a.cfg.Verifier.Verify(ctx, token); err != nil {
			return "", time.Time{}, returnTo, signInError(oidcMsgUnknownUser, fmt.Errorf("the API's verifier refuses the token: %w", err))
		}
	}
	return token, expiry, returnTo, nil
}

// takeAttempt reads the attempt named by the callback's state and clears its cookie: an
// attempt is used once.
func (a *oidcAuthenticator) takeAttempt(c *gin.Context, state string) (oidcAttempt, error) {
	if !validOIDCState(state) {
		return oidcAttempt{}, signInError(oidcMsgStale, fmt.Errorf("callback state %q is not one this console issues", state))
	}
	ck, err := c.Request.Cookie(oidcAttemptCookie + state)
	if err != nil {
		return oidcAttempt{}, signInError(oidcMsgStale, errors.New("no attempt cookie for the callback's state: expired, used, or begun in another browser"))
	}
	http.SetCookie(c.Writer, a.attemptCookie(state, "", -1))
	var at oidcAttempt
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err == nil {
		err = json.Unmarshal(raw, &at)
	}
	if err != nil {
		return oidcAttempt{}, signInError(oidcMsgStale, fmt.Errorf("attempt cookie unreadable: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(at.State), []byte(state)) != 1 {
		return oidcAttempt{}, signInError(oidcMsgState, errors.New("callback state does not match the attempt's"))
	}
	if time.Since(time.Unix(at.Started, 0)) > oidcAttemptTTL {
		return oidcAttempt{}, signInError(oidcMsgStale, errors.New("attempt expired"))
	}
	return at, nil
}

// attemptCookie is the cookie of one attempt: HttpOnly so page scripts never read the PKCE
// verifier, SameSite=Lax so that it comes along on the provider's top-level redirect back,
// Secure under https. maxAge < 0 deletes it.
func (a *oidcAuthenticator) attemptCookie(state, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     oidcAttemptCookie + state,
		Value:    value,
		Path:     a.cookiePath,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// validOIDCState accepts what rand.Text issues (26 characters of base32), which also keeps the
// cookie name valid.
func validOIDCState(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// returnPath keeps returnTo only when it is a console path on this host, so that a link to the
// sign-in cannot send the browser elsewhere afterwards (open redirect); anything else returns
// to the console's home.
func (a *oidcAuthenticator) returnPath(s string) string {
	if s == "" || len(s) > oidcMaxReturnTo || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return oidcConsoleHome
	}
	// Browsers read a backslash as a slash ("/\evil.example" is another host) and drop tabs
	// and newlines from URLs.
	if strings.IndexFunc(s, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) >= 0 {
		return oidcConsoleHome
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return oidcConsoleHome
	}
	// "/console/../api" is a console path in spelling only: browsers resolve the dots.
	clean := path.Clean(u.Path)
	if clean != strings.TrimSuffix(oidcConsoleHome, "/") && !strings.HasPrefix(clean, oidcConsoleHome) {
		return oidcConsoleHome
	}
	if strings.TrimSuffix(u.EscapedPath(), "/") == strings.TrimSuffix(a.cookiePath, "/") {
		return oidcConsoleHome // back to the callback would only fail
	}
	return u.RequestURI()
}

// providerRefusal turns an error the provider sent to the callback (RFC 6749 section 4.1.2.1)
// into a message for the sign-in page.
func providerRefusal(code, description string) *SignInError {
	cause := fmt.Errorf("identity provider returned error=%q error_description=%q", code, description)
	switch code {
	case "access_denied":
		return signInError(oidcMsgDenied, cause)
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		return signInError(oidcMsgAgain, cause)
	case "temporarily_unavailable", "server_error":
		return signInError(oidcMsgBusy, cause)
	}
	return signInError(oidcMsgRefused, cause)
}
