package console

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/browsertest"
	"github.com/datashare/datashare/models"
)

// consoleCookies are the browser's cookies for the console's pages and its callback, as
// Chromium holds them (HttpOnly included, which the page cannot see).
func consoleCookies(t *testing.T, ctx context.Context, base string) []*network.Cookie {
	t.Helper()
	return browsertest.Get(t, ctx, "read the cookies", func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/console/", base + CallbackPath}})
		return res.Cookies, err
	})
}

func findCookie(cookies []*network.Cookie, name string) *network.Cookie {
	for _, c := range cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestOIDCSignInInBrowser signs in in headless Chromium through a real OpenID provider (the
// example OP of oidc_test.go): the console, over the real API router whose verifier is the
// OIDC verifier for that provider, as cmd wires it in oidc mode, sends the browser to the
// provider's login form; the user types a name and password there and comes back to 待办,
// signed in, with an HttpOnly session cookie; signing out leads back to the sign-in.
func TestOIDCSignInInBrowser(t *testing.T) {
	ctx := browsertest.New(t, browsertest.DesktopWidth, browsertest.DesktopHeight)
	var opp testOP
	s := newStackWith(t, "ningxia", true, func(base string) (auth.Verifier, Authenticator) {
		opp = startTestOP(t, base+CallbackPath, nil)
		v := auth.NewOIDCVerifier(auth.OIDCConfig{Issuer: opp.issuer, Audience: testClientID,
			DeptClaim: "dept", RolesClaim: "roles", NameClaim: "name"})
		a, err := NewOIDCAuthenticator(t.Context(), OIDCConfig{Issuer: opp.issuer, ClientID: testClientID,
			RedirectURL: base + CallbackPath, Verifier: v})
		if err != nil {
			t.Fatal(err)
		}
		return v, a
	})
	base := s.srv.URL
	atOPLogin := `location.origin === ` + js(opp.issuer) + ` && !!document.querySelector('form[action="/login/username"] input[name="username"]')`

	// Not signed in: the console sends the browser to the provider's login form.
	browsertest.Do(t, ctx, "open the console", chromedp.Navigate(base+"/console/"))
	waitFor(t, ctx, "at the provider's login form", atOPLogin)
	if c := findCookie(consoleCookies(t, ctx, base), sessionCookie); c != nil {
		t.Fatalf("a session cookie before any sign-in: %+v", c)
	}

	// The user signs in at the provider.
	browsertest.Do(t, ctx, "sign in at the provider",
		chromedp.SendKeys(chromedp.CSS(`#username`), opp.username),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login/username"] button[type="submit"]`)))
	waitFor(t, ctx, "back at the console, signed in",
		`location.href === `+js(base+"/console/")+` && !!document.querySelector('form[action="/console/logout"]')`)

	// 待办, with the provider's user in the header: the API accepted the token and read the
	// name and department from its claims.
	if h1 := browsertest.Get(t, ctx, "heading", chromedp.Evaluate[string](`document.querySelector("h1").innerText`)); !strings.Contains(h1, "待办") {
		t.Fatalf("heading %q, want 待办", h1)
	}
	var dept models.Department
	if err := s.db.First(&dept, "id = ?", "nx-rst").Error; err != nil {
		t.Fatal(err)
	}
	user := browsertest.Get(t, ctx, "the header's user", chromedp.Evaluate[string](`document.querySelector("header.site .user").innerText`))
	if !strings.Contains(user, "王丽") || !strings.Contains(user, dept.Name) {
		t.Fatalf("header shows %q, want the provider's user 王丽 of %s", user, dept.Name)
	}
	if status := responseStatus(t, ctx); status != 200 {
		t.Fatalf("待办 answered %d", status)
	}

	// The session cookie is HttpOnly: the page's scripts cannot read it. The sign-in
	// attempt's cookie is gone.
	cookies := consoleCookies(t, ctx, base)
	sess := findCookie(cookies, sessionCookie)
	if sess == nil || !sess.HTTPOnly || sess.Path != "/console" && sess.Path != "/console/" && sess.Path != "/" {
		t.Fatalf("session cookie = %+v", sess)
	}
	if sess.SameSite != network.CookieSameSiteLax && sess.SameSite != network.CookieSameSiteStrict {
		t.Fatalf("session cookie SameSite = %q", sess.SameSite)
	}
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, oidcAttemptCookie) {
			t.Fatalf("the sign-in attempt's cookie is left: %+v", c)
		}
	}
	if dc := browsertest.Get(t, ctx, "document.cookie", chromedp.Evaluate[string](`document.cookie`)); strings.Contains(dc, sessionCookie) {
		t.Fatalf("the page reads the session cookie: %q", dc)
	}

	// Sign-out: the session cookie is cleared and the browser is at the console's sign-in
	// page, signed out, whose link leads to the provider's login form again; the console no
	// longer lets it in.
	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/console/logout"] button[type="submit"]`)))
	waitFor(t, ctx, "signed out", `location.href === `+js(base+"/console/logout")+
		` && !document.querySelector('form[action="/console/logout"]') && !!document.querySelector('a[href="/console/login"]')`)
	if text := bodyText(t, ctx); !strings.Contains(text, "您已退出") || strings.Contains(text, "王丽") {
		t.Fatalf("the signed-out page:\n%s", text)
	}
	if c := findCookie(consoleCookies(t, ctx, base), sessionCookie); c != nil {
		t.Fatalf("session cookie after signing out: %+v", c)
	}
	browsertest.Do(t, ctx, "sign in again", chromedp.Click(chromedp.CSS(`a[href="/console/login"]`)))
	waitFor(t, ctx, "at the provider's login form again", atOPLogin)
	browsertest.Do(t, ctx, "open the console again", chromedp.Navigate(base+"/console/"))
	waitFor(t, ctx, "the console asks for a sign-in again", atOPLogin)
}
