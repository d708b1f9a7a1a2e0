package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KeyFile is the name of the signing key's file in the data directory.
const KeyFile = "audit.key"

// DefaultKeyName is the key name CreateKey uses when given none.
const DefaultKeyName = "dueprocess"

// LoadKey returns the checkpoint signer kept in dir/audit.key, the
// matching verifier, and the verifier key in note's text form
// ("name+hash+base64"), which is what outsiders need to check checkpoints.
//
// It never creates a key: a command run in the wrong folder must not
// quietly make a key of its own and sign the shared log with it. A missing
// key is an error that matches fs.ErrNotExist.
//
// It refuses a key file that its group or others may read or write, since
// whoever reads it can sign checkpoints of a rewritten log.
func LoadKey(dir string) (note.Signer, note.Verifier, string, error) {
	path := filepath.Join(dir, KeyFile)
	skey, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, "", fmt.Errorf("no audit key in %s: %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, nil, "", err
	}
	return keysFrom(path, skey)
}

// CreateKey creates an Ed25519 signing key named name (DefaultKeyName if
// empty) in dir/audit.key, mode 0600, and returns it as LoadKey does. It
// refuses to replace a key that exists, with an error that matches
// fs.ErrExist, also when another process created one a moment before: the
// name is part of the key that outsiders hold, and a replaced key would
// orphan every checkpoint signed with the old one.
//
// Only a server's first start and "dueprocess audit key init" call it,
// after checking that the log has no checkpoint signed by another key.
func CreateKey(dir, name string) (note.Signer, note.Verifier, string, error) {
	if name == "" {
		name = DefaultKeyName
	}
	path := filepath.Join(dir, KeyFile)
	skey, err := createKey(dir, path, name)
	if err != nil {
		return nil, nil, "", err
	}
	return keysFrom(path, skey)
}

// KeyID names a key as "name+hash", the key hash in eight hex digits: the
// first two fields of its verifier key, which is how notes name their
// signers.
func KeyID(name string, hash uint32) string {
	return fmt.Sprintf("%s+%08x", name, hash)
}

// readKey reads the signer key in path after checking its permissions.
func readKey(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("audit key %s is not a regular file", path)
	}
	// Windows has no such mode bits; there the directory's ACL must do.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", fmt.Errorf("audit key %s has mode %04o, so its group or others can use it: run chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	return string(bytes.TrimSpace(b)), nil
}

// createKey writes a new key to path, refusing if a key is there. The key
// is written to a temporary file and linked into place, so nobody ever
// reads half a key, and of two servers starting at once exactly one
// creates the key; the other finds it there (fs.ErrExist) and loads it.
func createKey(dir, path, name string) (string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("audit key: generate key named %q: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit.key-*") // created with mode 0600
	if err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(skey + "\n"); err != nil {
		tmp.Close()
		return "", fmt.Errorf("audit key: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("audit key: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("audit key %s already exists: %w", path, fs.ErrExist)
	} else if err != nil {
		return "", fmt.Errorf("audit key: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		// Make the new name durable; a lost key would orphan every
		// checkpoint signed with it.
		d.Sync()
		d.Close()
	}
	return skey, nil
}

// keysFrom parses a signer key and derives its verifier.
func keysFrom(path, skey string) (note.Signer, note.Verifier, string, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("audit key %s is not a note signer key: %w", path, err)
	}
	// The signer key is PRIVATE+KEY+name+hash+base64(algorithm, seed);
	// the name has no "+" but the base64 may.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, nil, "", fmt.Errorf("audit key %s is not a note signer key", path)
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return nil, nil, "", fmt.Errorf("audit key %s is not an Ed25519 key", path)
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, nil, "", fmt.Errorf("audit key %s: %w", path, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("audit key %s: %w", path, err)
	}
	if verifier.KeyHash() != signer.KeyHash() {
		return nil, nil, "", fmt.Errorf("audit key %s: its key hash does not match its public key", path)
	}
	return signer, verifier, vkey, nil
}
