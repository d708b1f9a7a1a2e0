package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
)

// Signed requests. An agency may register an Ed25519 public key in the
// signed-note format the audit log uses (golang.org/x/mod/sumdb/note); it
// then signs, for each request, the text
//
//	dueprocess request v1
//	<sha256 of the exact body, in hex>
//
// and sends the signature line of the note, without its leading "— ", in
// the Dueprocess-Signature header: "<key name> <base64 signature>".

// SignatureHeader is the header that carries a request's signature.
const SignatureHeader = "Dueprocess-Signature"

// signedText is the text signed for a request body.
func signedText(body []byte) string {
	sum := sha256.Sum256(body)
	return "dueprocess request v1\n" + hex.EncodeToString(sum[:]) + "\n"
}

// CheckSigningKey checks a verifier key an agency registers.
func CheckSigningKey(vkey string) (string, error) {
	vkey = strings.TrimSpace(vkey)
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", dueprocess.FieldError("signing_key", "is not an Ed25519 note verifier key (name+hash+key, as from note.GenerateKey): %v", err)
	}
	return vkey, nil
}

// SignRequest returns the Dueprocess-Signature header value for body,
// signed with a note signer key: what an agency's client does.
func SignRequest(skey string, body []byte) (string, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return "", err
	}
	msg, err := note.Sign(&note.Note{Text: signedText(body)}, signer)
	if err != nil {
		return "", err
	}
	_, sig, _ := strings.Cut(string(msg), "\n\n")
	return strings.TrimPrefix(strings.TrimSuffix(sig, "\n"), "— "), nil
}

// VerifyRequest checks the signature header value sig of body against
// the agency's verifier key vkey and returns the key's name. A signature
// that does not verify is Invalid, naming the header.
func VerifyRequest(vkey string, body []byte, sig string) (string, error) {
	bad := func(msg string) error {
		return &dueprocess.Error{Kind: dueprocess.Invalid, Field: SignatureHeader, Message: msg}
	}
	if vkey == "" {
		return "", bad("your agency has registered no signing key; send the request unsigned, or ask us to register your key")
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(sig, "\n\r") {
		return "", bad("must be one line: the key name and the base64 signature")
	}
	msg := signedText(body) + "\n— " + strings.TrimSpace(sig) + "\n"
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	var unknown *note.UnknownVerifierError
	switch {
	case errors.As(err, &unknown):
		return "", bad("is signed by a key other than your agency's registered key " + v.Name())
	case err != nil:
		return "", bad("does not verify with your agency's registered key: the body may have changed after it was signed")
	case len(n.Sigs) != 1:
		return "", bad("does not verify with your agency's registered key")
	}
	return n.Sigs[0].Name, nil
}
