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

	"github.com/dueprocess/dueprocess"
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
	if size < 0 || size > MaxTreeSize {
		return nil, fmt.Errorf("audit checkpoint: tree size %d is not from 0 to %d", size, int64(MaxTreeSize))
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
	if size > MaxTreeSize {
		// Whoever checks a proof against this size would hang in tlog.
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint tree size %d is over %d", size, int64(MaxTreeSize))
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

// CheckpointKey returns the key that signed checkpoint msg as "name+hash"
// (see KeyID), without checking the signature: the signature whose name is
// the checkpoint's origin, since C2SP names a log's key after the log, or
// else the first one. Witnesses' cosignatures come after the log's own.
func CheckpointKey(msg []byte) (string, error) {
	// With no verifier every signature is left unverified, which is what
	// lets us read the names and hashes of all of them.
	_, err := note.Open(msg, note.VerifierList())
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	n := unverified.Note
	if len(n.UnverifiedSigs) == 0 {
		return "", errors.New("checkpoint has no signature")
	}
	origin, _, _ := strings.Cut(n.Text, "\n")
	s := n.UnverifiedSigs[0]
	for _, sig := range n.UnverifiedSigs {
		if sig.Name == origin {
			s = sig
			break
		}
	}
	return KeyID(s.Name, s.Hash), nil
}

// A WrongKeyError says that a key is not the one that signed the log's
// latest checkpoint, so that checkpoints it signed would not verify under
// the key the log's readers hold.
type WrongKeyError struct {
	Log string // the key of the latest stored checkpoint, as "name+hash"
	Key string // the key that was about to sign, as "name+hash"
}

func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("this log's checkpoints are signed by key %q, not by key %q", e.Log, e.Key)
}

// LatestCheckpointReader reads the latest stored checkpoint; NotFound when
// there is none.
type LatestCheckpointReader interface {
	LatestCheckpoint(ctx context.Context) (size int64, text []byte, err error)
}

// CheckKey returns a *WrongKeyError if the latest checkpoint stored in s
// was signed by another key than signer's, and nil if it was signed by
// signer's key or if the log has no checkpoint yet. Everything that signs
// checkpoints calls it first: one checkpoint signed by a stray key would
// make the log fail verification for good.
func CheckKey(ctx context.Context, s LatestCheckpointReader, signer note.Signer) error {
	_, text, err := s.LatestCheckpoint(ctx)
	if errors.Is(err, dueprocess.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return checkKey(text, signer)
}

// checkKey compares the key of checkpoint text with signer's.
func checkKey(text []byte, signer note.Signer) error {
	logKey, err := CheckpointKey(text)
	if err != nil {
		return fmt.Errorf("the latest stored %w", err)
	}
	if key := KeyID(signer.Name(), signer.KeyHash()); key != logKey {
		return &WrongKeyError{Log: logKey, Key: key}
	}
	return nil
}
