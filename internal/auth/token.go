// Package auth authenticates callers. API tokens are random secrets of 256
// bits, of which only the sha256 is stored: a stolen database yields no
// usable token, and since the secrets are long and random a fast hash is
// enough (passwords, which are neither, get argon2id).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

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
func IssueToken(ctx context.Context, tx *store.Tx, t *dueprocess.Token, by dueprocess.Actor) (string, error) {
	secret, hash := NewToken()
	if err := tx.CreateToken(ctx, t, hash, by); err != nil {
		return "", err
	}
	return secret, nil
}

// Authenticate returns the principal holding the bearer token of r. A
// missing, malformed, unknown or revoked token is Unauthenticated, with no
// hint as to which.
func Authenticate(ctx context.Context, db *store.DB, r *http.Request) (*dueprocess.Principal, error) {
	h := r.Header.Get("Authorization")
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
