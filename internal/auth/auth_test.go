package auth

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
)

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("hash %q is not in PHC form with the chosen parameters", h)
	}
	if h2 := HashPassword("correct horse battery staple"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse battery staple", true}, {"correct horse battery stapl", false}, {"", false}} {
		if ok, err := CheckPassword(h, tc.pw); ok != tc.want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=4$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=3,p=4$c2FsdA$a2V5",
		"$argon2id$v=18$m=65536,t=3,p=4$c2FsdA$a2V5", "$argon2id$v=19$m=65536,t=3,p=4$!!$a2V5"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword accepted the malformed hash %q", bad)
		}
	}
	if CheckNoAccount("anything") {
		t.Error("CheckNoAccount reported a match")
	}
}

func TestPasswordStrength(t *testing.T) {
	for _, tc := range []struct {
		pw, email string
		ok        bool
	}{
		{"correct horse battery staple", "a@example.com", true},
		{"short", "a@example.com", false},
		{strings.Repeat("x", MaxPasswordLength+1), "", false},
		{"Reviewer@Example.com", "reviewer@example.com", false},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4", "", false},
	} {
		err := CheckPasswordStrength(tc.pw, tc.email)
		if (err == nil) != tc.ok || (err != nil && dueprocess.ErrorField(err) != "password") {
			t.Errorf("CheckPasswordStrength(%.20q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

func TestTOTP(t *testing.T) {
	e, err := NewTOTP("dueprocess", "reviewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/dueprocess:reviewer@example.com?") || !bytes.HasPrefix(e.QRCode, []byte("\x89PNG")) || len(e.Secret) < 32 {
		t.Fatalf("enrolment %q, %d-byte QR code, secret %q", e.URL, len(e.QRCode), e.Secret)
	}
	now := time.Date(2026, 11, 24, 3, 0, 10, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(e.Secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step, ok := CheckTOTP(e.Secret, code(now), now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("the current code: step %d, %v", step, ok)
	}
	if _, ok := CheckTOTP(e.Secret, code(now), now, step); ok {
		t.Error("the same code was accepted twice")
	}
	if _, ok := CheckTOTP(e.Secret, code(now.Add(-30*time.Second)), now, 0); !ok {
		t.Error("the previous period's code (clock drift) was refused")
	}
	if _, ok := CheckTOTP(e.Secret, code(now.Add(-90*time.Second)), now, 0); ok {
		t.Error("a code three periods old was accepted")
	}
	c := code(now)
	if _, ok := CheckTOTP(e.Secret, c[:3]+" "+c[3:], now, 0); !ok {
		t.Error("a code typed with a space was refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := CheckTOTP(e.Secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
}

// TestPasswordHashesAreBounded runs 20 password checks at once through a
// bound of 2: no more than 2 may ever run together, and those that find
// no turn within the wait are refused, after it, without being checked.
func TestPasswordHashesAreBounded(t *testing.T) {
	const bound, wait = 2, 20 * time.Millisecond
	h := NewHashes(bound, wait)
	hash := HashPassword("correct horse battery staple")
	var running, peak, checked, refused atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			start := time.Now()
			err := h.Do(context.Background(), func() {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				CheckPassword(hash, "not the password")
				running.Add(-1)
				checked.Add(1)
			})
			if err != nil {
				if dueprocess.ErrorKind(err) != dueprocess.Unavailable {
					t.Errorf("a refused hash: %v, want Unavailable", err)
				}
				if waited := time.Since(start); waited < wait {
					t.Errorf("a hash was refused after %s, before its wait of %s", waited, wait)
				}
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > bound || p < 1 {
		t.Errorf("%d hashes ran at once; want at most %d", p, bound)
	}
	if checked.Load() == 0 || refused.Load() == 0 || checked.Load()+refused.Load() != 20 {
		t.Errorf("%d checked and %d refused; want some of each, 20 in all", checked.Load(), refused.Load())
	}
	if h.Refused() != refused.Load() || h.Running() != 0 {
		t.Errorf("the bound reports %d refused and %d running; want %d and 0", h.Refused(), h.Running(), refused.Load())
	}
	// A caller that gives up is refused at once.
	full := NewHashes(1, time.Hour)
	release := make(chan struct{})
	go full.Do(context.Background(), func() { <-release })
	for full.Running() == 0 {
		time.Sleep(time.Millisecond)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := full.Do(gone, func() { t.Error("ran after the caller gave up") }); dueprocess.ErrorKind(err) != dueprocess.Unavailable {
		t.Errorf("a caller that gave up: %v, want Unavailable", err)
	}
	close(release)
}

// TestSignedRequest: a body signed with the agency's key verifies, and
// names the key; a changed body, another key and garbage do not.
func TestSignedRequest(t *testing.T) {
	skey, vkey, err := note.GenerateKey(nil, "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	_, otherV, _ := note.GenerateKey(nil, "police.gov.hk")
	if _, err := CheckSigningKey(vkey); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckSigningKey("not a key"); err == nil {
		t.Error("a malformed key was accepted")
	}
	body := []byte(`{"kind": "user_data"}`)
	sig, err := SignRequest(skey, body)
	if err != nil {
		t.Fatal(err)
	}
	if name, err := VerifyRequest(vkey, body, sig); err != nil || name != "police.gov.hk" {
		t.Errorf("VerifyRequest = %q, %v; want the key's name", name, err)
	}
	for what, c := range map[string]struct {
		vkey, sig string
		body      []byte
	}{
		"changed body": {vkey, sig, []byte(`{"kind": "emergency"}`)},
		"another key":  {otherV, sig, body},
		"no key":       {"", sig, body},
		"garbage":      {vkey, "police.gov.hk AAAA", body},
		"two lines":    {vkey, sig + "\n— x y", body},
	} {
		if _, err := VerifyRequest(c.vkey, c.body, c.sig); dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("%s: %v, want Invalid", what, err)
		}
	}
}
