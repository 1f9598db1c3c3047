package console

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// fakeAPI answers the few routes a page reads with canned JSON, for what the real API does not
// produce yet (the inbox's optional facts) or on purpose (a revoked token).
type fakeAPI struct {
	tasks string // the body of GET /api/v1/tasks
}

func (f fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") == "Bearer revoked" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"unauthenticated","message":"token revoked"}}`))
		return
	}
	switch r.URL.Path {
	case "/api/v1/me":
		_, _ = w.Write([]byte(`{"subject":"u1","name":"测试审批人","department_id":"d1","department_name":"甲部门","roles":["approver"]}`))
	case "/api/v1/notifications":
		_, _ = w.Write([]byte(`{"items":[],"unread":3}`))
	case "/api/v1/departments":
		_, _ = w.Write([]byte(`{"items":[{"id":"d1","name":"甲部门"}]}`))
	case "/api/v1/tasks":
		_, _ = w.Write([]byte(f.tasks))
	case "/healthz":
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"route_not_found","message":"no route"}}`))
	}
}

func newFakeConsole(t *testing.T, f fakeAPI, token string, auth Authenticator) (*httptest.Server, *http.Client) {
	t.Helper()
	d := Deps{API: f, Key: make([]byte, KeySize), Authenticator: auth,
		DevSign:  func(context.Context, string, time.Duration) (string, error) { return token, nil },
		DevUsers: func(context.Context) ([]DevUser, error) { return []DevUser{{ID: "u1", Name: "测试审批人"}}, nil }}
	c, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// The inbox shows the facts a task carries when the API gives them — title, resource,
// applicant, purpose, the working days left and the traffic light — and falls back on the
// request id and the due date when it does not; a value of an unexpected type is ignored.
func TestInboxRendersOptionalFacts(t *testing.T) {
	tasks := `{"total":3,"items":[
	 {"id":"share-request-SR-1/reply/1","kind":"supervision","request_id":"SR-1","procedure":"share","step":"reply",
	  "candidate_department_id":"d1","candidate_role":"approver","status":"open","received_at":"2026-02-13T10:00:00+08:00",
	  "due_at":"2027-02-27T23:59:59+08:00","provisional":true,"legal_basis":[],"local_default":false,"overdue":false,"long_overdue":false,
	  "urge_count":2,"decisions":[],"updated_at":"2026-02-13T10:00:00+08:00",
	  "title":"企业年报信息共享申请","resource_name":"企业年报信息","applicant_department_name":"人社厅","purpose":"社保资格认证",
	  "remaining_workdays":3,"light":"yellow"},
	 {"id":"correction-DC-2/verify/1","kind":"step","request_id":"DC-2","procedure":"correction","step":"verify",
	  "candidate_department_id":"d1","candidate_role":"approver","status":"open","received_at":"2026-02-13T10:00:00+08:00",
	  "due_at":"2026-02-27T23:59:59+08:00","provisional":false,"legal_basis":[],"local_default":true,"overdue":true,"long_overdue":false,
	  "urge_count":0,"decisions":[],"updated_at":"2026-02-13T10:00:00+08:00","remaining_workdays":-2,"light":"red"},
	 {"id":"rectification-RN-3/rectify/1","kind":"step","request_id":"RN-3","procedure":"rectification","step":"rectify",
	  "candidate_department_id":"d1","candidate_role":"approver","status":"open","received_at":"2026-02-13T10:00:00+08:00",
	  "due_at":null,"provisional":false,"legal_basis":[],"local_default":false,"overdue":false,"long_overdue":false,
	  "urge_count":0,"decisions":[],"updated_at":"2026-02-13T10:00:00+08:00","remaining_workdays":"soon","light":{"color":"red"}}
	]}`
	srv, cl := newFakeConsole(t, fakeAPI{tasks: tasks}, "tok", nil)
	signInFake(t, srv, cl)
	resp, err := cl.Get(srv.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("inbox: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"企业年报信息共享申请", "企业年报信息", "申请部门：人社厅", "用途：社保资格认证",
		"剩余 3 个工作日", `<span class="badge yellow">黄灯</span>`, `<span class="badge sup">督办</span>`, "催办 2 次", "暂定",
		"已超期 2 个工作日", `<span class="badge red">红灯</span>`, "已逾期", "本地默认期限",
		"RN-3", "无期限", `<span class="count" id="unread-count">3</span>`,
		// Procedure names fall back on the product's when the profile cannot be read.
		"数据校核纠错", "限期整改",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("inbox lacks %s", want)
		}
	}
	if strings.Count(body, "红灯") != 1 {
		t.Errorf("the light given as an object is shown:\n%s", body)
	}
}

// When the API stops accepting the session's token, the session ends and the browser signs in
// again, coming back to the page.
func TestRevokedTokenSignsInAgain(t *testing.T) {
	srv, cl := newFakeConsole(t, fakeAPI{tasks: `{"items":[],"total":0}`}, "revoked", nil)
	signInFake(t, srv, cl)
	resp, err := cl.Get(srv.URL + "/console/done")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/login?return=%2Fconsole%2Fdone" {
		t.Fatalf("revoked token: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == sessionCookie && c.MaxAge < 0)
	}
	if !cleared {
		t.Fatal("the session cookie is not cleared")
	}
}

// Every path outside /console/ is the API's, untouched.
func TestOtherPathsGoToTheAPI(t *testing.T) {
	srv, cl := newFakeConsole(t, fakeAPI{}, "tok", nil)
	resp, err := cl.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz: %d %s", resp.StatusCode, body)
	}
	resp, err = cl.Get(srv.URL + "/console")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("/console: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The root, opened in a browser, is the console's; anything else sent there, the API's.
	resp, err = cl.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = cl.Post(srv.URL+"/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		t.Fatalf("POST /: redirected to %q, want the API's answer", resp.Header.Get("Location"))
	}
}

// fakeIdP is an Authenticator that "signs in" at once, as an OIDC implementation will after
// the identity provider's redirect.
type fakeIdP struct{}

func (fakeIdP) Begin(c *gin.Context, returnTo string) {
	c.Redirect(http.StatusFound, "https://idp.example/authorize?state="+url.QueryEscape(returnTo))
}

func (fakeIdP) Finish(c *gin.Context) (string, time.Time, string, error) {
	if c.Query("code") != "good" {
		return "", time.Time{}, "", errors.New("invalid code")
	}
	return "tok", time.Now().Add(time.Hour), c.Query("state"), nil
}

// With an Authenticator, /console/login starts its sign-in and the callback starts the
// session; the dev sign-in is off.
func TestLoginThroughAuthenticator(t *testing.T) {
	srv, cl := newFakeConsole(t, fakeAPI{tasks: `{"items":[],"total":0}`}, "unused", fakeIdP{})
	resp, err := cl.Get(srv.URL + "/console/login?return=" + url.QueryEscape("/console/done"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://idp.example/authorize?state=%2Fconsole%2Fdone" {
		t.Fatalf("begin: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = cl.PostForm(srv.URL+"/console/login", url.Values{"user": {"u1"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("dev sign-in with an Authenticator: %d", resp.StatusCode)
	}
	resp, _ = cl.Get(srv.URL + CallbackPath + "?code=bad&state=%2Fconsole%2Fdone")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad callback: %d", resp.StatusCode)
	}
	resp, _ = cl.Get(srv.URL + CallbackPath + "?code=good&state=%2F%2Fevil.example")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("callback with a foreign return: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = cl.Get(srv.URL + "/console/done")
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "测试审批人") {
		t.Fatalf("after the callback: %d\n%s", resp.StatusCode, body)
	}
}

func signInFake(t *testing.T, srv *httptest.Server, cl *http.Client) {
	t.Helper()
	resp, err := cl.Get(srv.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	login := page{Status: resp.StatusCode, Body: readBody(t, resp)}
	resp, err = cl.PostForm(srv.URL+"/console/login", url.Values{"csrf": {csrf(t, login)}, "user": {"u1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decisionBody sends numbers as numbers, JSON fields as JSON, and leaves blank fields out so
// the API names them as missing.
func TestDecisionBody(t *testing.T) {
	got := decisionBody(url.Values{"csrf": {"x"}, "decision": {"approve"}, "validity_days": {"180"}, "workdays": {"five"},
		"resource_versions": {`[{"resource_id":1,"version":5}]`}, "reason": {"  "}, "scope": {" 姓名 "}})
	b, _ := json.Marshal(got)
	want := `{"decision":"approve","resource_versions":[{"resource_id":1,"version":5}],"scope":"姓名","validity_days":180,"workdays":"five"}`
	if string(b) != want {
		t.Fatalf("body = %s, want %s", b, want)
	}
	// A supplement notice's missing items are typed one a line and sent as a list.
	got = decisionBody(url.Values{"decision": {"request_supplement"}, "missing": {"营业执照副本\r\n\r\n  数据安全保障承诺书 \n"}})
	b, _ = json.Marshal(got)
	if want := `{"decision":"request_supplement","missing":["营业执照副本","数据安全保障承诺书"]}`; string(b) != want {
		t.Fatalf("body = %s, want %s", b, want)
	}
}
