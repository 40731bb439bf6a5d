package web

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"imbot/core"
	"imbot/core/catalog"
)

// Limits on what a web identity token may carry.
const (
	maxTokenBytes  = 8 << 10
	maxSubjectLen  = 128
	maxNameLen     = 128
	tokenLeeway    = 30 * time.Second
	minSecretBytes = 32
)

// identity is who a request speaks for. A zero identity means the session
// stands for the user, as without identity tokens.
type identity struct {
	user core.UserID
	name string
}

// identityClaims are the claims an identity token must carry: sub names the
// user, exp bounds the token's life, name is optional.
type identityClaims struct {
	jwt.RegisteredClaims
	Name string `json:"name,omitempty"`
}

// verifier checks identity tokens signed with one key: an HS256 secret, or
// an RSA (RS256) or Ed25519 (EdDSA) public key.
type verifier struct {
	key     any
	methods []string
	now     func() time.Time
}

// newVerifier returns the verifier cfg asks for, or nil when it asks for
// none. It reads the public key file, if any.
func newVerifier(cfg Config, now func() time.Time) (*verifier, error) {
	switch {
	case cfg.JWTSecret != "":
		return &verifier{key: []byte(cfg.JWTSecret), methods: []string{jwt.SigningMethodHS256.Alg()}, now: now}, nil
	case cfg.JWTPublicKeyFile != "":
		data, err := os.ReadFile(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("web: jwt_public_key_file: %w", err)
		}
		key, method, err := parsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("web: jwt_public_key_file %s: %w", cfg.JWTPublicKeyFile, err)
		}
		return &verifier{key: key, methods: []string{method}, now: now}, nil
	}
	return nil, nil
}

// parsePublicKey reads a PEM "PUBLIC KEY" (PKIX) block holding an RSA or
// Ed25519 key, and returns the key and the one algorithm it verifies.
func parsePublicKey(data []byte) (any, string, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", errors.New("no PEM block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, "", err
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, "", fmt.Errorf("RSA key of %d bits; want at least 2048", k.N.BitLen())
		}
		return k, jwt.SigningMethodRS256.Alg(), nil
	case ed25519.PublicKey:
		return k, jwt.SigningMethodEdDSA.Alg(), nil
	}
	return nil, "", fmt.Errorf("%T keys are not supported; use RSA or Ed25519", key)
}

// verify checks token and returns the identity it names. Its error says
// what is wrong in words fit for the client: expired, not valid yet, bad
// signature, a wrong algorithm (including "none"), or a missing subject.
func (v *verifier) verify(token string) (identity, error) {
	if len(token) > maxTokenBytes {
		return identity{}, errors.New("token too long")
	}
	var claims identityClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return v.key, nil },
		jwt.WithValidMethods(v.methods), jwt.WithExpirationRequired(), jwt.WithLeeway(tokenLeeway),
		jwt.WithTimeFunc(v.now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return identity{}, errors.New("token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return identity{}, errors.New("token not valid yet")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return identity{}, errors.New("token signature or algorithm not accepted")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return identity{}, errors.New("token has no expiry (exp)")
	case err != nil:
		return identity{}, errors.New("token malformed")
	}
	return claimsIdentity(claims)
}

// claimsIdentity checks the subject and name of verified claims.
func claimsIdentity(c identityClaims) (identity, error) {
	switch {
	case c.Subject == "":
		return identity{}, errors.New("token has no subject (sub)")
	case len(c.Subject) > maxSubjectLen || strings.ContainsFunc(c.Subject, isControl):
		return identity{}, errors.New("token subject is too long or has control characters")
	}
	name := c.Name
	if len(name) > maxNameLen || strings.ContainsFunc(name, isControl) {
		name = ""
	}
	return identity{user: core.UserID(c.Subject), name: name}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// presentedToken returns the token of r: its "Authorization: Bearer"
// header or, for browsers, its token query parameter.
func presentedToken(r *http.Request) string {
	if t, ok := bearer(r.Header.Get("Authorization")); ok {
		return t
	}
	return r.URL.Query().Get("token")
}

// identify checks r's token and returns who it speaks for. A configured
// static token speaks for its session (the zero identity); an identity
// token for its subject. Without tokens or a verifier the chat is open.
func (a *Adapter) identify(r *http.Request) (identity, *requestError) {
	if a.auth.open() && a.verifier == nil {
		return identity{}, nil
	}
	token := presentedToken(r)
	if a.auth.allowToken(token) {
		return identity{}, nil
	}
	if token == "" || a.verifier == nil {
		return identity{}, unauthorized(r, "")
	}
	id, err := a.verifier.verify(token)
	if err != nil {
		return identity{}, unauthorized(r, err.Error())
	}
	return id, nil
}

// unauthorized is the 401 of a request without a valid token: the
// catalogue's text in the client's language, and why a presented token was
// refused (for the developer wiring identity tokens).
func unauthorized(r *http.Request, why string) *requestError {
	msg := peer{lang: langOf(r)}.text(catalog.WebTokenRequired)
	if why != "" {
		msg += " (" + why + ")"
	}
	return &requestError{code: codeUnauthorized, message: msg}
}
