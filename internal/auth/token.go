// Package auth holds the cryptography of authentication: API tokens,
// password hashes and TOTP codes. It is a leaf: it knows neither the
// database nor HTTP, only the two small interfaces below that the store
// satisfies, so its rules can be read and tested on their own.
//
// API tokens are random secrets of 256 bits, of which only the sha256 is
// stored: a stolen database yields no usable token, and since the secrets
// are long and random a fast hash is enough (passwords, which are neither,
// get argon2id).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// TokenStore keeps the hashes of issued tokens; *store.Tx is one.
type TokenStore interface {
	CreateToken(ctx context.Context, t *dueprocess.Token, hash []byte, by dueprocess.Actor) error
}

// Principals finds who holds a token by its hash; *store.DB is one.
type Principals interface {
	PrincipalByTokenHash(ctx context.Context, hash []byte) (*dueprocess.Principal, error)
}

// TokenPrefix starts every token, so that a leaked one is easy to
// recognise in logs and by secret scanners.
const TokenPrefix = "dpt_"

// NewToken returns a new secret token and the hash to store.
func NewToken() (secret string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a token.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// IssueToken creates a token for the official or staff member named in t
// on behalf of by and returns its secret, which is shown once and never
// stored.
func IssueToken(ctx context.Context, tx TokenStore, t *dueprocess.Token, by dueprocess.Actor) (string, error) {
	secret, hash := NewToken()
	if err := tx.CreateToken(ctx, t, hash, by); err != nil {
		return "", err
	}
	return secret, nil
}

// Authenticate returns the principal holding the bearer token of an
// Authorization header's value h. A missing, malformed, unknown or revoked
// token is Unauthenticated, with no hint as to which.
func Authenticate(ctx context.Context, db Principals, h string) (*dueprocess.Principal, error) {
	if h == "" {
		return nil, dueprocess.Errorf(dueprocess.Unauthenticated, "an Authorization: Bearer token is required")
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, dueprocess.Errorf(dueprocess.Unauthenticated, "the Authorization header must be \"Bearer dpt_…\"")
	}
	p, err := db.PrincipalByTokenHash(ctx, HashToken(secret))
	if errors.Is(err, dueprocess.ErrNotFound) {
		return nil, dueprocess.Errorf(dueprocess.Unauthenticated, "the token is not valid")
	}
	return p, err
}
