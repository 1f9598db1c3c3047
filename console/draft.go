package console

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// A form sent after the session ended is not lost: the console keeps what was typed in a
// sealed cookie (a draft), sends the browser to sign in, and when the same person comes back
// to the page the form was on, the page fills the form again (console/static/draft.js) and
// says so; without JavaScript it lists the values to copy. Nothing is sent to the API until the
// person submits again.
//
// A draft is kept only when the post proves it came from that browser's own session: the
// session cookie still opens (it has merely expired, or the API no longer accepts its token)
// and the form's CSRF token matches it. A cross-site post carries neither, so no other site
// can plant values in a form. It is given back only to the same subject, on the same page,
// within draftTTL, once.

const (
	draftCookie = "ds_draft"
	draftTTL    = 30 * time.Minute
	// maxDraftBytes bounds the sealed cookie below the 4 KB browsers keep; a larger form is
	// not kept (the sign-in still happens, the values are lost as before).
	maxDraftBytes = 3800
)

// draft is a form post kept across a sign-in.
type draft struct {
	Subject string `json:"u"`
	// Page is the page the form was on (where the sign-in returns); Action the path it posted to.
	Page   string            `json:"p"`
	Action string            `json:"a"`
	Values map[string]string `json:"v"`
	Expiry int64             `json:"e"`
}

// openStale opens the session cookie whatever its expiry: a post from a session that has
// just ended still proves which browser and which person it came from.
func (c *Console) openStale(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if c.sealer.open(sessionCookie, ck.Value, &s) != nil || s.Token == "" || len(s.Secret) == 0 {
		return session{}, false
	}
	return s, true
}

// keepDraft stores the form of a post that could not be sent for want of a session, when the
// post carries the stale session's CSRF token; back is the page the sign-in returns to.
func (c *Console) keepDraft(g *gin.Context, back string) {
	s, ok := c.openStale(g.Request)
	if !ok {
		return
	}
	g.Request.Body = http.MaxBytesReader(g.Writer, g.Request.Body, maxFormBytes)
	if g.Request.ParseForm() != nil || !validCSRF(s.Secret, g.Request.PostForm.Get("csrf")) {
		return
	}
	sub := tokenSubject(s.Token)
	if sub == "" {
		return
	}
	d := draft{Subject: sub, Page: safeReturn(back), Action: g.Request.URL.EscapedPath(),
		Values: map[string]string{}, Expiry: c.now().Add(draftTTL).Unix()}
	for k, v := range g.Request.PostForm {
		if k != "csrf" && len(v) > 0 {
			d.Values[k] = v[0]
		}
	}
	if len(d.Values) == 0 {
		return
	}
	v, err := c.sealer.seal(draftCookie, d)
	if err != nil || len(v) > maxDraftBytes {
		return
	}
	http.SetCookie(g.Writer, c.cookie(draftCookie, v, time.Unix(d.Expiry, 0)))
}

// takeDraft gives back the draft of this page to the person who typed it, and clears it.
func (c *Console) takeDraft(g *gin.Context, s session) *draft {
	ck, err := g.Request.Cookie(draftCookie)
	if err != nil {
		return nil
	}
	var d draft
	if c.sealer.open(draftCookie, ck.Value, &d) != nil || !c.now().Before(time.Unix(d.Expiry, 0)) {
		http.SetCookie(g.Writer, c.cookie(draftCookie, "", time.Time{}))
		return nil
	}
	if d.Page != g.Request.URL.RequestURI() {
		return nil // kept for its page
	}
	http.SetCookie(g.Writer, c.cookie(draftCookie, "", time.Time{}))
	if d.Subject == "" || tokenSubject(s.Token) != d.Subject {
		return nil
	}
	return &d
}

// tokenSubject is the sub claim of a JWT bearer token, read without verifying it: the token
// comes from the console's own sealed cookie, and the API verifies it on every call. "" for
// a token that is not a JWT.
func tokenSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.Sub
}

// draftView is what the layout shows of a draft given back.
type draftView struct {
	Action string
	Fields []draftField
	// Data is written into the page as JSON (html/template encodes it in a script element)
	// for draft.js to fill the form with.
	Data map[string]any
}

type draftField struct{ Name, Value string }

func (d *draft) view() *draftView {
	if d == nil {
		return nil
	}
	v := &draftView{Action: d.Action, Data: map[string]any{"action": d.Action, "values": d.Values}}
	for k, val := range d.Values {
		if k == "idem" || strings.TrimSpace(val) == "" {
			continue
		}
		v.Fields = append(v.Fields, draftField{Name: label(fieldNames, k), Value: val})
	}
	slices.SortFunc(v.Fields, func(a, b draftField) int { return strings.Compare(a.Name, b.Name) })
	return v
}
