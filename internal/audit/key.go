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

// DefaultKeyName is the key name LoadOrCreateKey uses when given none.
const DefaultKeyName = "dueprocess"

// LoadOrCreateKey returns the checkpoint signer kept in dir/audit.key, the
// matching verifier, and the verifier key in note's text form
// ("name+hash+base64"), which is what outsiders need to check checkpoints.
//
// On first use it creates an Ed25519 key named name (DefaultKeyName if
// empty) in a file of mode 0600. Later calls load that key whatever name
// they pass, because the name is part of the key that outsiders hold: a
// server that changes its host name keeps signing with its old key.
//
// It refuses a key file that its group or others may read or write, since
// whoever reads it can sign checkpoints of a rewritten log.
func LoadOrCreateKey(dir, name string) (note.Signer, note.Verifier, string, error) {
	if name == "" {
		name = DefaultKeyName
	}
	path := filepath.Join(dir, KeyFile)
	skey, err := readKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createKey(dir, path, name)
	}
	if err != nil {
		return nil, nil, "", err
	}
	return keysFrom(path, skey)
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

// createKey writes a new key to path, or returns the key another process
// wrote there first. The key is written to a temporary file and linked
// into place, so nobody ever reads half a key and two servers starting at
// once agree on one.
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
		return readKey(path)
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
