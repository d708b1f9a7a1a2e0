package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/dueprocess/dueprocess"
)

// Argon2id parameters: RFC 9106's second recommended option (3 passes over
// 64 MiB, 4 lanes), for machines without 2 GiB to spare per sign-in. They
// are written into every hash, so they can be raised later without
// invalidating stored passwords.
const (
	argonTime    = 3
	argonMemory  = 64 << 10 // KiB
	argonThreads = 4
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password limits. Length is what makes a password strong; there are no
// composition rules (NIST SP 800-63B), and an upper bound keeps hashing a
// fixed cost.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// CheckPasswordStrength returns an Invalid error, for the field
// "password", when pw is too short or too long, or is the e-mail address.
func CheckPasswordStrength(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return dueprocess.FieldError("password", "is not valid UTF-8")
	case n < MinPasswordLength:
		return dueprocess.FieldError("password", "is %d characters; use at least %d (a few unrelated words are easy to remember)", n, MinPasswordLength)
	case n > MaxPasswordLength:
		return dueprocess.FieldError("password", "is longer than %d characters", MaxPasswordLength)
	case email != "" && strings.EqualFold(strings.TrimSpace(pw), strings.TrimSpace(email)):
		return dueprocess.FieldError("password", "may not be your e-mail address")
	}
	return nil
}

// HashPassword returns pw hashed with argon2id and a random salt, in the
// PHC string form "$argon2id$v=19$m=65536,t=3,p=4$salt$hash".
func HashPassword(pw string) string {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches encoded, a hash from
// HashPassword, comparing in constant time. A malformed hash is an error.
func CheckPassword(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("password hash is not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("password hash has argon2 version %q, want %d", parts[2], argon2.Version)
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, fmt.Errorf("password hash parameters %q: %w", parts[3], err)
	}
	if memory == 0 || memory > 1<<22 || time == 0 || time > 100 || threads == 0 {
		return false, fmt.Errorf("password hash parameters %q are out of range", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password hash salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, fmt.Errorf("password hash key is malformed")
	}
	got := argon2.IDKey([]byte(pw), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a sign-in names an unknown account,
// so that the answer takes as long as for a known one with a wrong
// password and reveals nothing about which accounts exist.
// It is made on first use, since hashing costs 64 MiB and a tenth of a
// second that commands other than serve need not spend.
var dummyHash = sync.OnceValue(func() string { return HashPassword("dueprocess: no such account") })

// CheckNoAccount spends the time of one password check, for a sign-in
// whose account does not exist, and reports false.
func CheckNoAccount(pw string) bool {
	CheckPassword(dummyHash(), pw)
	return false
}
