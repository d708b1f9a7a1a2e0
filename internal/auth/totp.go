package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP codes are the common kind every authenticator app reads: six
// digits, SHA-1, a new code every 30 seconds (RFC 6238 defaults).
const (
	totpPeriod = 30
	totpDigits = otp.DigitsSix
)

// Enrolment is a new TOTP secret for a staff member, with what they need
// to add it to an authenticator app: the otpauth:// URL, its QR code as a
// PNG image, and the secret itself for typing by hand.
type Enrolment struct {
	Secret string
	URL    string
	QRCode []byte // PNG
}

// NewTOTP makes a new 160-bit TOTP secret for account (an e-mail address)
// at issuer (the service's name, shown in the app).
func NewTOTP(issuer, account string) (*Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("new TOTP secret: %w", err)
	}
	return enrolment(key)
}

// TOTPFor rebuilds the enrolment of an existing secret, to show its QR
// code again.
func TOTPFor(issuer, account, secret string) (*Enrolment, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account}
	u.RawQuery = url.Values{"secret": {secret}, "issuer": {issuer}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}.Encode()
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("TOTP key: %w", err)
	}
	return enrolment(key)
}

func enrolment(key *otp.Key) (*Enrolment, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL(), QRCode: buf.Bytes()}, nil
}

// CheckTOTP checks code against secret at time now, allowing one period
// of clock drift either way. It returns the time step the code belongs to,
// which the caller stores: a code whose step is not after lastStep is
// refused, so that a code seen over someone's shoulder cannot be used
// again.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	s, used := matchTOTP(secret, code, now, lastStep)
	return s, s != 0 && !used
}

// ReusedTOTP reports whether code is right for secret at time now but
// belongs to a time step not after lastStep: a code used already, which
// CheckTOTP refuses. Its answer only chooses the words of the refusal.
func ReusedTOTP(secret, code string, now time.Time, lastStep int64) bool {
	_, used := matchTOTP(secret, code, now, lastStep)
	return used
}

// matchTOTP returns the first time step within one period of now whose
// code is code and is after lastStep; failing that, whether code is the
// code of a step not after lastStep (used is true, step 0).
func matchTOTP(secret, code string, now time.Time, lastStep int64) (step int64, used bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for _, s := range []int64{current - 1, current, current + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s > lastStep {
				return s, false
			}
			used = true
		}
	}
	return 0, used
}
