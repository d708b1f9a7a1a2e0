package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A checkpoint is a signed note (golang.org/x/mod/sumdb/note) whose text
// follows C2SP tlog-checkpoint:
//
//	<origin>
//	<tree size in decimal>
//	<root hash in base64>
//
// followed by a blank line and the signature lines. The spec allows
// further lines of text after the root hash; we write none and ignore any
// we read, since the signature covers them.

// Sign returns the checkpoint of the tree of size entries with root hash
// root, signed by signer. The origin names the log; C2SP asks that it be
// unique to it, such as "example.com/dueprocess", and that the signing
// key carry the same name.
func Sign(signer note.Signer, origin string, size int64, root tlog.Hash) ([]byte, error) {
	if err := checkOrigin(origin); err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, fmt.Errorf("audit checkpoint: tree size %d is negative", size)
	}
	text := fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint: sign with key %q: %w", signer.Name(), err)
	}
	return msg, nil
}

// NewCheckpoint returns a checkpoint of the tree of the first size
// entries, computing its root from the stored hashes in r.
func NewCheckpoint(ctx context.Context, r HashReader, signer note.Signer, origin string, size int64) ([]byte, error) {
	root, err := TreeHash(ctx, r, size)
	if err != nil {
		return nil, err
	}
	return Sign(signer, origin, size, root)
}

// OpenCheckpoint checks that msg is a checkpoint of origin signed by
// verifier and returns the tree size and root hash it states. Signatures
// by other keys, such as witnesses' cosignatures, are allowed but not
// checked. Every base64 field must be in its one canonical spelling, so
// that no byte of a checkpoint can change without the change being
// noticed.
func OpenCheckpoint(msg []byte, verifier note.Verifier, origin string) (size int64, root tlog.Hash, err error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return 0, tlog.Hash{}, fmt.Errorf("checkpoint is not signed by key %s+%08x", verifier.Name(), verifier.KeyHash())
		}
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint: %w", err)
	}
	// Go's base64 decoder ignores the unused low bits of the last
	// character, so a signature could be re-spelled and still verify.
	for _, sigs := range [][]note.Signature{n.Sigs, n.UnverifiedSigs} {
		for _, s := range sigs {
			if _, err := base64.StdEncoding.Strict().DecodeString(s.Base64); err != nil {
				return 0, tlog.Hash{}, fmt.Errorf("checkpoint signature by %s is not canonical base64", s.Name)
			}
		}
	}

	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return 0, tlog.Hash{}, errors.New("checkpoint has fewer than three lines of text")
	}
	if lines[0] != origin {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint is for origin %q, want %q", lines[0], origin)
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint tree size %q is not a decimal number", lines[1])
	}
	root, err = decodeHash(lines[2])
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint root: %w", err)
	}
	return size, root, nil
}

// checkOrigin rejects an origin that cannot be the first line of a note.
func checkOrigin(origin string) error {
	if origin == "" {
		return errors.New("audit checkpoint: origin is empty")
	}
	if !utf8.ValidString(origin) {
		return errors.New("audit checkpoint: origin is not UTF-8")
	}
	for _, r := range origin {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("audit checkpoint: origin %q has a control character", origin)
		}
	}
	return nil
}
