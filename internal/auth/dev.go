package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DevIssuer and DevAudience are the iss and aud of tokens signed in embedded mode.
const (
	DevIssuer   = "datashare-dev"
	DevAudience = "datashare"
)

// DevSigner signs and verifies tokens with a locally generated Ed25519 key. It exists so the
// embedded mode works with nothing installed; production verifies OIDC tokens instead.
type DevSigner struct {
	key ed25519.PrivateKey
	now func() time.Time
}

// LoadOrCreateDevKey reads the PEM key at path, generating it (mode 0600) when missing, so that
// tokens printed at one start keep working after a restart.
func LoadOrCreateDevKey(path string) (*DevSigner, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		block, _ := pem.Decode(b)
		if block == nil {
			return nil, fmt.Errorf("dev signing key %s: not PEM", path)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("dev signing key %s: %w", path, err)
		}
		ek, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("dev signing key %s: not an Ed25519 key", path)
		}
		return &DevSigner{key: ek, now: time.Now}, nil
	case errors.Is(err, os.ErrNotExist):
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate dev signing key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, fmt.Errorf("encode dev signing key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("dev signing key folder: %w", err)
		}
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
			return nil, fmt.Errorf("write dev signing key: %w", err)
		}
		return &DevSigner{key: priv, now: time.Now}, nil
	default:
		return nil, fmt.Errorf("read dev signing key: %w", err)
	}
}

// NewDevSigner wraps an existing key (tests).
func NewDevSigner(key ed25519.PrivateKey) *DevSigner {
	return &DevSigner{key: key, now: time.Now}
}

type devClaims struct {
	Name  string   `json:"name,omitempty"`
	Dept  string   `json:"dept,omitempty"`
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

// Sign mints a token for the principal, valid for ttl.
func (s *DevSigner) Sign(p Principal, ttl time.Duration) (string, error) {
	now := s.now()
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	claims := devClaims{
		Name:  p.Name,
		Dept:  p.DepartmentID,
		Roles: roles,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    DevIssuer,
			Subject:   p.Subject,
			Audience:  jwt.ClaimStrings{DevAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(s.key)
}

// Verify checks signature, issuer, audience and lifetime, and reads the principal from the
// claims dept, roles and name.
func (s *DevSigner) Verify(_ context.Context, raw string) (Principal, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		return s.key.Public(), nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(DevIssuer),
		jwt.WithAudience(DevAudience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return principalFromClaims(claims, "dept", "roles", "name")
}
