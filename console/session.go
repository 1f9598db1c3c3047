package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// KeySize is the length of the session key in bytes (AES-256).
const KeySize = 32

// Cookie names. The session cookie is scoped to /console/ so the JSON API never sees it: the
// API authenticates bearer tokens only, and a cookie it ignored would invite CSRF if it ever
// started reading one.
const (
	sessionCookie = "datashare_console"
	loginCookie   = "datashare_console_login"
	cookiePath    = "/console/"
)

// loginStateTTL bounds how long a sign-in form stays usable.
const loginStateTTL = 15 * time.Minute

// errNoSession is any reason a cookie does not give a usable session: absent, forged, from
// another key, or expired. The browser is sent to sign in again whichever it was.
var errNoSession = errors.New("no valid console session")

// LoadOrCreateKey reads the console's session key (base64 of 32 bytes) at path, generating it
// (mode 0600) when missing, so sessions survive a restart. API processes behind one load
// balancer must share the file: a cookie sealed by one is opened by the other.
func LoadOrCreateKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("console session key %s: want base64 of %d bytes", path, KeySize)
		}
		return key, nil
	case errors.Is(err, os.ErrNotExist):
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("generate console session key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("console session key folder: %w", err)
		}
		// O_EXCL: two processes starting on one data folder must not each write a key and
		// leave one of them with sessions nobody else can open.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("write console session key: %w", err)
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("write console session key: %w", werr)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("read console session key: %w", err)
	}
}

// session is what the browser holds, sealed: the bearer token the API accepts, when the
// session ends, and the secret its forms' CSRF tokens derive from.
type session struct {
	Token  string `json:"t"`
	Expiry int64  `json:"e"` // Unix seconds
	Secret []byte `json:"s"`
}

// loginState is the sealed secret of a sign-in form, before any session exists, so that a
// foreign site cannot sign a browser in as someone else (login CSRF).
type loginState struct {
	Expiry int64  `json:"e"`
	Secret []byte `json:"s"`
}

// sealer encrypts and authenticates cookie values with AES-256-GCM; the cookie's name is the
// additional data, so a value cannot be replayed under another name.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (sealer, error) {
	if len(key) != KeySize {
		return sealer{}, fmt.Errorf("console session key: %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

func (s sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(name))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (s sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errNoSession
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errNoSession
	}
	if json.Unmarshal(plain, v) != nil {
		return errNoSession
	}
	return nil
}

// newSecret is a fresh CSRF secret.
func newSecret() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported platforms; a session without a secret
		// would accept any form, so refuse to go on.
		panic("console: no randomness for a CSRF secret: " + err.Error())
	}
	return b
}

// csrfToken is the hidden form value a POST must echo: an HMAC of the secret, so the secret
// itself never appears in a page.
func csrfToken(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("datashare console form"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF compares in constant time; an empty secret never validates.
func validCSRF(secret []byte, got string) bool {
	if len(secret) == 0 || got == "" {
		return false
	}
	return hmac.Equal([]byte(csrfToken(secret)), []byte(got))
}

// cookie builds one of the console's cookies: HttpOnly, SameSite=Lax (a top-level link from
// elsewhere still arrives signed in; a cross-site POST does not carry it), Secure when the
// console is served over https.
func (c *Console) cookie(name, value string, expires time.Time) *http.Cookie {
	ck := &http.Cookie{
		Name: name, Value: value, Path: cookiePath,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.secure,
	}
	if expires.IsZero() {
		ck.MaxAge = -1
		ck.Expires = time.Unix(0, 0)
	} else {
		ck.Expires = expires
		ck.MaxAge = int(time.Until(expires).Seconds())
		if ck.MaxAge < 1 {
			ck.MaxAge = 1
		}
	}
	return ck
}

// readSession opens the session cookie of r; errNoSession when there is none usable.
func (c *Console) readSession(r *http.Request) (session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, errNoSession
	}
	var s session
	if err := c.sealer.open(sessionCookie, ck.Value, &s); err != nil {
		return session{}, err
	}
	if s.Token == "" || len(s.Secret) == 0 || !c.now().Before(time.Unix(s.Expiry, 0)) {
		return session{}, errNoSession
	}
	return s, nil
}

// startSession sets the session cookie for a token the API accepts.
func (c *Console) startSession(w http.ResponseWriter, token string, expiry time.Time) error {
	v, err := c.sealer.seal(sessionCookie, session{Token: token, Expiry: expiry.Unix(), Secret: newSecret()})
	if err != nil {
		return err
	}
	http.SetCookie(w, c.cookie(sessionCookie, v, expiry))
	return nil
}

// endSession clears the session cookie.
func (c *Console) endSession(w http.ResponseWriter) {
	http.SetCookie(w, c.cookie(sessionCookie, "", time.Time{}))
}

// safeReturn keeps a return path only when it is a page of the console on this site; anything
// else (another host, a scheme, "//host", a backslash some browsers read as a slash, the
// sign-in pages themselves) returns to the inbox. It is never an open redirect.
func safeReturn(s string) string {
	const home = "/console/"
	if s == "" || strings.ContainsAny(s, "\\\r\n") || strings.HasPrefix(s, "//") {
		return home
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	// Cleaned, so that "/console/../api/…" does not leave the console.
	if clean := path.Clean(u.Path); !strings.HasPrefix(clean+"/", home) || clean == "/" {
		return home
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "/console/login", "/console/logout", "/console/auth/callback":
		return home
	}
	return u.RequestURI()
}

// loginURL is the sign-in page that comes back to returnTo.
func loginURL(returnTo string) string {
	return "/console/login?return=" + url.QueryEscape(safeReturn(returnTo))
}
