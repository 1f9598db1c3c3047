package auth

import (
	"context"
	"fmt"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
)

// OIDCConfig says how to verify tokens of an OIDC issuer.
type OIDCConfig struct {
	Issuer     string // issuer URL; discovery at Issuer/.well-known/openid-configuration
	Audience   string // expected aud (client id)
	JWKSURL    string // optional: key set URL, skipping discovery
	DeptClaim  string
	RolesClaim string
	NameClaim  string
}

// OIDCVerifier verifies bearer JWTs against an issuer's published keys. Discovery happens on
// first use and is retried until it succeeds, so an API process can start before the identity
// provider answers.
type OIDCVerifier struct {
	cfg      OIDCConfig
	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

// NewOIDCVerifier builds a verifier; it does no network call.
func NewOIDCVerifier(cfg OIDCConfig) *OIDCVerifier {
	return &OIDCVerifier{cfg: cfg}
}

func (v *OIDCVerifier) tokenVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	conf := &oidc.Config{ClientID: v.cfg.Audience}
	if v.cfg.JWKSURL != "" {
		// The key set outlives this request: it refreshes keys in the background context.
		keys := oidc.NewRemoteKeySet(context.WithoutCancel(ctx), v.cfg.JWKSURL)
		if v.cfg.Issuer == "" {
			conf.SkipIssuerCheck = true
		}
		v.verifier = oidc.NewVerifier(v.cfg.Issuer, keys, conf)
		return v.verifier, nil
	}
	provider, err := oidc.NewProvider(context.WithoutCancel(ctx), v.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", v.cfg.Issuer, err)
	}
	v.verifier = provider.Verifier(conf)
	return v.verifier, nil
}

// Verify checks the token's signature, issuer, audience and expiry.
func (v *OIDCVerifier) Verify(ctx context.Context, raw string) (Principal, error) {
	tv, err := v.tokenVerifier(ctx)
	if err != nil {
		return Principal{}, err
	}
	tok, err := tv.Verify(ctx, raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Principal{}, fmt.Errorf("%w: claims: %v", ErrUnauthenticated, err)
	}
	return principalFromClaims(claims, v.cfg.DeptClaim, v.cfg.RolesClaim, v.cfg.NameClaim)
}
