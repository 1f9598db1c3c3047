package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestDevTokenRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	s, err := LoadOrCreateDevKey(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Principal{Subject: "u1", Name: "王丽", DepartmentID: "nx-rst", Roles: []Role{RoleApplicant, RoleApprover}}
	tok, err := s.Sign(want, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The key survives a restart: a second load verifies the first one's token.
	again, err := LoadOrCreateDevKey(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != want.Subject || got.Name != want.Name || got.DepartmentID != want.DepartmentID || len(got.Roles) != 2 || !got.Has(RoleApprover) {
		t.Fatalf("principal = %+v", got)
	}
}

func TestDevTokenRejections(t *testing.T) {
	_, k1, _ := ed25519.GenerateKey(rand.Reader)
	_, k2, _ := ed25519.GenerateKey(rand.Reader)
	s1, s2 := NewDevSigner(k1), NewDevSigner(k2)
	p := Principal{Subject: "u1", Roles: []Role{RoleApplicant}}

	other, _ := s2.Sign(p, time.Hour)
	expiredSigner := NewDevSigner(k1)
	expiredSigner.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := expiredSigner.Sign(p, time.Hour)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "u1", "iss": DevIssuer, "aud": DevAudience, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	wrongAud, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"sub": "u1", "iss": DevIssuer, "aud": "other", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(k1)
	noSub, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{"iss": DevIssuer, "aud": DevAudience, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(k1)

	for name, tok := range map[string]string{"other key": other, "expired": expired, "alg none": unsigned, "wrong audience": wrongAud, "no subject": noSub, "garbage": "abc.def.ghi"} {
		if _, err := s1.Verify(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
}

func TestClaimsKeepOnlyKnownRoles(t *testing.T) {
	p, err := principalFromClaims(map[string]any{"sub": "s", "org": "nx-rst", "grp": "approver, dept_head superuser"}, "org", "grp", "name")
	if err != nil {
		t.Fatal(err)
	}
	if p.DepartmentID != "nx-rst" || len(p.Roles) != 2 || p.Has(Role("superuser")) || p.Name != "s" {
		t.Fatalf("principal = %+v", p)
	}
}

// TestOIDCVerifier runs a real issuer over HTTP: discovery document and JWKS, RS256 tokens.
func TestOIDCVerifier(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var issuer string
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": issuer, "jwks_uri": issuer + "/jwks", "authorization_endpoint": issuer + "/auth",
			"token_endpoint": issuer + "/token", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer = srv.URL

	sign := func(claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	v := NewOIDCVerifier(OIDCConfig{Issuer: issuer, Audience: "datashare", DeptClaim: "dept", RolesClaim: "roles", NameClaim: "name"})
	good := sign(jwt.MapClaims{"iss": issuer, "aud": "datashare", "sub": "u42", "name": "李明", "dept": "nx-scjg", "roles": []string{"approver"}, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	p, err := v.Verify(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "u42" || p.DepartmentID != "nx-scjg" || !p.Has(RoleApprover) || p.Name != "李明" {
		t.Fatalf("principal = %+v", p)
	}
	for name, tok := range map[string]string{
		"wrong audience": sign(jwt.MapClaims{"iss": issuer, "aud": "other", "sub": "u42", "exp": time.Now().Add(time.Hour).Unix()}),
		"wrong issuer":   sign(jwt.MapClaims{"iss": "https://evil.example", "aud": "datashare", "sub": "u42", "exp": time.Now().Add(time.Hour).Unix()}),
		"expired":        sign(jwt.MapClaims{"iss": issuer, "aud": "datashare", "sub": "u42", "exp": time.Now().Add(-time.Hour).Unix()}),
	} {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

type fakeDirectory map[string]Principal

func (d fakeDirectory) LookupPrincipal(_ context.Context, sub string) (Principal, error) {
	p, ok := d[sub]
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

func TestDirectoryOverridesClaims(t *testing.T) {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	s := NewDevSigner(k)
	v := FromDirectory(s, fakeDirectory{"u1": {Subject: "u1", DepartmentID: "nx-scjg", Roles: []Role{RoleApprover}}})
	tok, _ := s.Sign(Principal{Subject: "u1", Name: "from token", DepartmentID: "nx-authority", Roles: []Role{RoleAuthority}}, time.Hour)
	p, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.DepartmentID != "nx-scjg" || p.Has(RoleAuthority) || p.Name != "from token" {
		t.Fatalf("principal = %+v: the users table must decide department and roles", p)
	}
	unknown, _ := s.Sign(Principal{Subject: "u2"}, time.Hour)
	if _, err := v.Verify(context.Background(), unknown); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("unknown user: %v", err)
	}
}
