package web_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// The relying party of the passkey tests. The software authenticator
// below speaks for a page served from this origin, as a browser behind a
// TLS proxy would.
const (
	rpID     = "portal.example"
	rpOrigin = "https://portal.example"
)

// authenticator is a software WebAuthn authenticator written from the
// specification (W3C Web Authentication, level 2): one credential, a real
// P-256 key, attestation "none", and ES256 assertion signatures over
// authenticatorData || sha256(clientDataJSON).
type authenticator struct {
	key     *ecdsa.PrivateKey
	id      []byte
	counter uint32
}

func newAuthenticator(t *testing.T) *authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &authenticator{key: key, id: id}
}

var b64 = base64.RawURLEncoding

// cborHead encodes a CBOR head of major type major with argument n.
func cborHead(major byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 256:
		return []byte{major<<5 | 24, byte(n)}
	default:
		return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
	}
}

func cborBytes(b []byte) []byte { return append(cborHead(2, len(b)), b...) }
func cborText(s string) []byte  { return append(cborHead(3, len(s)), s...) }

// coseKey is the credential's public key as a COSE_Key (RFC 9053): kty
// EC2 (2), alg ES256 (-7), crv P-256 (1), x, y; keys in CTAP2 canonical
// order.
func (a *authenticator) coseKey() []byte {
	x, y := make([]byte, 32), make([]byte, 32)
	a.key.PublicKey.X.FillBytes(x)
	a.key.PublicKey.Y.FillBytes(y)
	out := []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21}
	out = append(out, cborBytes(x)...)
	out = append(out, 0x22)
	return append(out, cborBytes(y)...)
}

// authData is the authenticator data: the RP id's hash, the flags (user
// present, user verified, and attested credential data when attested),
// the signature counter, and for a registration the credential.
func (a *authenticator) authData(rp string, attested bool) []byte {
	h := sha256.Sum256([]byte(rp))
	flags := byte(0x01 | 0x04)
	if attested {
		flags |= 0x40
	}
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	if attested {
		out = append(out, make([]byte, 16)...) // AAGUID: none
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.id)))
		out = append(out, a.id...)
		out = append(out, a.coseKey()...)
	}
	return out
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers navigator.credentials.create for the options the server
// sent: a new credential with attestation "none".
func (a *authenticator) create(t *testing.T, options []byte, rp, origin string) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string              `json:"challenge"`
			RP        struct{ ID string } `json:"rp"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("registration options: %v: %s", err, options)
	}
	if o.PublicKey.RP.ID != rpID {
		t.Errorf("the relying party's id is %q, want %q", o.PublicKey.RP.ID, rpID)
	}
	att := []byte{0xa3}
	att = append(att, cborText("fmt")...)
	att = append(att, cborText("none")...)
	att = append(att, cborText("attStmt")...)
	att = append(att, 0xa0)
	att = append(att, cborText("authData")...)
	att = append(att, cborBytes(a.authData(rp, true))...)
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(clientData("webauthn.create", o.PublicKey.Challenge, origin)),
			"attestationObject": b64.EncodeToString(att)}})
	return body
}

// get answers navigator.credentials.get: an assertion signed with key
// (the credential's own, or another to forge one).
func (a *authenticator) get(t *testing.T, options []byte, userHandle string, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("login options: %v: %s", err, options)
	}
	a.counter++
	data := a.authData(rpID, false)
	cd := clientData("webauthn.get", o.PublicKey.Challenge, rpOrigin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte(nil), data...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"response": map[string]string{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(data),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString([]byte(userHandle))}})
	return body
}

// ceremony posts a passkey step as the page's script does.
func (b *browser) ceremony(path, csrf string, body []byte) (int, []byte) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestPasskeyCeremonies: an official enrols a passkey instead of TOTP
// (registration with attestation "none") and signs in with it (an ES256
// assertion); a forged signature, an assertion for another relying
// party, and a ceremony without the page's CSRF token are refused.
func TestPasskeyCeremonies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		var officialID string
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if _, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: hk, Email: "chan@police.gov.hk", Name: "Chan"}, auth.HashToken("s"), time.Hour, dueprocess.System); err != nil {
				return err
			}
			c, err := tx.Join(ctx, auth.HashToken("s"), "Chan", auth.HashPassword(officialPassword))
			if err == nil {
				officialID = c.Official.ID
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, db, func(c *web.Config) { c.PasskeyRPID, c.PasskeyOrigins = rpID, []string{rpOrigin} })
		password := func(want string) string {
			t.Helper()
			csrf := b.form("/portal/signin")
			if status, loc, _ := b.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {"chan@police.gov.hk"}, "password": {officialPassword}}); status != 303 || loc != want {
				t.Fatalf("password step: %d to %q, want %q", status, loc, want)
			}
			_, _, page := b.get(want)
			return regexpFind(t, page, `(?:name="csrf" value|data-csrf)="([^"]+)"`)
		}

		csrf := password("/portal/enrol")
		a := newAuthenticator(t)
		if status, _ := b.ceremony("/portal/passkey/register/begin", "wrong", nil); status != 403 {
			t.Errorf("a ceremony without the page's CSRF token: %d, want 403", status)
		}
		status, options := b.ceremony("/portal/passkey/register/begin", csrf, nil)
		if status != 200 {
			t.Fatalf("registration begins: %d %s", status, options)
		}
		// An attestation made for another relying party is refused.
		if status, out := b.ceremony("/portal/passkey/register/finish", csrf, a.create(t, options, "evil.example", rpOrigin)); status != 400 {
			t.Errorf("an attestation for another relying party: %d %s", status, out)
		}
		status, out := b.ceremony("/portal/passkey/register/finish", csrf, a.create(t, options, rpID, rpOrigin))
		if status != 200 || !strings.Contains(string(out), `"/portal"`) {
			t.Fatalf("registration finishes: %d %s", status, out)
		}
		if status, _, _ := b.get("/portal"); status != 200 {
			t.Fatalf("after enrolling a passkey the portal answers %d", status)
		}
		keys, _ := db.Passkeys(ctx, officialID)
		if len(keys) != 1 || !bytes.Equal(keys[0].ID, a.id) {
			t.Fatalf("passkeys stored: %d", len(keys))
		}
		b.post("/portal/signout", url.Values{"csrf": {csrf}})

		// The next sign-in asks for the passkey, not a code.
		csrf = password("/portal/totp")
		if _, _, page := b.get("/portal/totp"); !strings.Contains(page, "passkey-login") || strings.Contains(page, `name="code"`) {
			t.Errorf("the second step of an official with only a passkey:\n%.1500s", page)
		}
		_, options = b.ceremony("/portal/passkey/login/begin", csrf, nil)
		forger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if status, out := b.ceremony("/portal/passkey/login/finish", csrf, a.get(t, options, officialID, forger)); status != 401 {
			t.Errorf("an assertion signed with another key: %d %s", status, out)
		}
		if n, _ := db.SigninFailures(ctx, "official:chan@police.gov.hk", time.Now().Add(-time.Hour)); n != 1 {
			t.Errorf("the forged assertion counted %d failures, want 1", n)
		}
		if status, _, _ := b.get("/portal"); status != 303 {
			t.Errorf("after a forged assertion the portal answers %d, want the sign-in's second step", status)
		}
		_, options = b.ceremony("/portal/passkey/login/begin", csrf, nil)
		assertion := a.get(t, options, officialID, a.key)
		if status, out := b.ceremony("/portal/passkey/login/finish", csrf, assertion); status != 200 {
			t.Fatalf("sign-in with the passkey: %d %s", status, out)
		}
		if status, _, _ := b.get("/portal"); status != 200 {
			t.Errorf("after signing in with the passkey the portal answers %d", status)
		}
		// The same assertion again is no sign-in.
		if status, _ := b.ceremony("/portal/passkey/login/finish", csrf, assertion); status == 200 {
			t.Errorf("a replayed assertion was accepted")
		}

		// Signed in, the official adds a second passkey from the security
		// page; the first cannot be registered again.
		if _, _, page := b.get("/portal/security"); !strings.Contains(page, "passkey-register") {
			t.Errorf("the security page offers no passkey:\n%.1000s", page)
		}
		_, options = b.ceremony("/portal/passkey/register/begin", csrf, nil)
		if !strings.Contains(string(options), b64.EncodeToString(a.id)) {
			t.Errorf("the registration options do not exclude the passkey held: %s", options)
		}
		second := newAuthenticator(t)
		if status, out := b.ceremony("/portal/passkey/register/finish", csrf, second.create(t, options, rpID, rpOrigin)); status != 200 || !strings.Contains(string(out), "/portal/security") {
			t.Errorf("adding a second passkey: %d %s", status, out)
		}
		if keys, _ := db.Passkeys(ctx, officialID); len(keys) != 2 {
			t.Errorf("passkeys after adding one: %d, want 2", len(keys))
		}
		if status, _, _ := b.get("/portal"); status != 200 {
			t.Errorf("adding a passkey ended the session: %d", status)
		}

		// An official with an authenticator app cannot pass the second
		// step by registering a passkey on a half-done sign-in.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			if _, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: hk, Email: "wong@police.gov.hk", Name: "Wong"}, auth.HashToken("w"), time.Hour, dueprocess.System); err != nil {
				return err
			}
			c, err := tx.Join(ctx, auth.HashToken("w"), "Wong", auth.HashPassword(officialPassword))
			if err != nil {
				return err
			}
			return tx.EnrolAccountTOTP(ctx, c.Account(), "JBSWY3DPEHPK3PXP", 0, c.Account())
		})
		if err != nil {
			t.Fatal(err)
		}
		wong := newBrowser(t, db, func(c *web.Config) { c.PasskeyRPID, c.PasskeyOrigins = rpID, []string{rpOrigin} })
		wcsrf := wong.form("/portal/signin")
		if status, loc, _ := wong.post("/portal/signin", url.Values{"csrf": {wcsrf}, "email": {"wong@police.gov.hk"}, "password": {officialPassword}}); status != 303 || loc != "/portal/totp" {
			t.Fatalf("Wong's password step: %d to %q", status, loc)
		}
		_, _, page := wong.get("/portal/totp")
		wcsrf = regexpFind(t, page, `name="csrf" value="([^"]+)"`)
		if status, out := wong.ceremony("/portal/passkey/register/begin", wcsrf, nil); status != 409 {
			t.Errorf("registering a passkey on a half-done sign-in with TOTP enrolled: %d %s", status, out)
		}
	})
}
