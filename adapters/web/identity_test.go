package web

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testSecret = "0123456789abcdef0123456789abcdef-test-secret"

// testNow is the clock of the identity tests.
func testNow() time.Time { return time.Unix(1_800_000_000, 0) }

// signHS256 returns an HS256 token over claims with key.
func signHS256(t testing.TB, key string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validClaims names user alice, valid for an hour from testNow.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{"sub": "alice", "name": "Alice", "exp": testNow().Add(time.Hour).Unix()}
}

func noneToken(t testing.TB) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodNone, validClaims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifierHS256(t *testing.T) {
	v := &verifier{key: []byte(testSecret), methods: []string{"HS256"}, now: testNow}
	expired := validClaims()
	expired["exp"] = testNow().Add(-time.Hour).Unix()
	noExp, noSub := validClaims(), validClaims()
	delete(noExp, "exp")
	delete(noSub, "sub")
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	edToken, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, validClaims()).SignedString(edKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token, wantErr string
	}{
		{"valid", signHS256(t, testSecret, validClaims()), ""},
		{"expired", signHS256(t, testSecret, expired), "expired"},
		{"wrong key", signHS256(t, "another-secret-of-enough-length-000000", validClaims()), "signature"},
		{"alg none", noneToken(t), "signature or algorithm"},
		{"other algorithm", edToken, "signature or algorithm"},
		{"no exp", signHS256(t, testSecret, noExp), "no expiry"},
		{"no sub", signHS256(t, testSecret, noSub), "no subject"},
		{"garbage", "not.a.token", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := v.verify(tc.token)
			switch {
			case tc.wantErr == "" && (err != nil || id.user != "alice" || id.name != "Alice"):
				t.Fatalf("verify = %+v, %v; want alice", id, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("verify error = %v, want one about %q", err, tc.wantErr)
			}
		})
	}
}

func TestVerifierEd25519PublicKeyFile(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwt.pub")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := newVerifier(Config{JWTPublicKeyFile: path}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, validClaims()).SignedString(priv)
	if id, err := v.verify(good); err != nil || id.user != "alice" {
		t.Fatalf("verify = %+v, %v", id, err)
	}
	// An HS256 token keyed with the public key's bytes must not pass.
	if _, err := v.verify(signHS256(t, string(der), validClaims())); err == nil {
		t.Fatal("an HS256 token passed an EdDSA verifier")
	}
	if _, err := newVerifier(Config{JWTPublicKeyFile: filepath.Join(t.TempDir(), "missing")}, testNow); err == nil {
		t.Fatal("a missing key file was accepted")
	}
}

func TestWebIdentityOwnsTheConversation(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"static-token-0123456789"}
	cfg.JWTSecret, cfg.JWTSecretEnv = testSecret, "IMBOT_WEB_JWT_SECRET"
	e := newTestEnv(t, cfg, true, WithClock(testNow))
	token := signHS256(t, testSecret, validClaims())
	for _, session := range []string{"phone", "laptop"} {
		// ?user= names the user only without an identity token.
		c := e.dial(t, url.Values{"token": {token}, "session": {session}, "user": {"mallory"}}, nil)
		expect(t, c, "ready")
		send(t, c, message("m-"+session, "hi"))
		env := e.d.next(t)
		if env.UserID != "alice" || env.UserName != "Alice" || string(env.ChatID) != session {
			t.Fatalf("envelope user %q name %q chat %q; want alice on chat %s", env.UserID, env.UserName, env.ChatID, session)
		}
	}
	c := e.dial(t, url.Values{"session": {"s3"}}, http.Header{"Authorization": {"Bearer static-token-0123456789"}})
	expect(t, c, "ready")
	send(t, c, message("m3", "hi"))
	if env := e.d.next(t); env.UserID != "s3" {
		t.Fatalf("a static token's user is %q, want the session", env.UserID)
	}
	expired := validClaims()
	expired["exp"] = testNow().Add(-time.Minute).Unix()
	for name, bad := range map[string]string{
		"expired":   signHS256(t, testSecret, expired),
		"wrong key": signHS256(t, "another-secret-of-enough-length-000000", validClaims()),
		"none":      noneToken(t),
	} {
		status, body := e.dialStatus(t, url.Values{"token": {bad}}, nil)
		if status != http.StatusUnauthorized || body.Error.Code != codeUnauthorized {
			t.Errorf("%s: status %d body %+v, want 401 unauthorized", name, status, body)
		}
	}
}

func FuzzVerifyToken(f *testing.F) {
	f.Add(signHS256(f, testSecret, validClaims()))
	f.Add(noneToken(f))
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("a.b.c")
	v := &verifier{key: []byte(testSecret), methods: []string{"HS256"}, now: testNow}
	f.Fuzz(func(t *testing.T, token string) {
		id, err := v.verify(token)
		if err == nil && (id.user == "" || len(id.user) > maxSubjectLen) {
			t.Fatalf("accepted %q as user %q", token, id.user)
		}
		if err != nil && id != (identity{}) {
			t.Fatalf("an error came with identity %+v", id)
		}
	})
}
