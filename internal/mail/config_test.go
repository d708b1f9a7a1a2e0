package mail

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		url, from string
		want      string // Config.String, or the error's text
	}{
		{"smtp://dp:s3cret@mail.example.org:587", "dueprocess@example.org", "smtp://dp@mail.example.org:587 (TLS: opportunistic, from dueprocess@example.org)"},
		{"smtp://mail.example.org", `"Due Process" <dp@example.org>`, "smtp://mail.example.org:587 (TLS: opportunistic, from dp@example.org)"},
		{"smtp://mail.example.org:25?tls=mandatory", "dp@example.org", "smtp://mail.example.org:25 (TLS: mandatory, from dp@example.org)"},
		{"smtp://127.0.0.1:2525?tls=none", "dp@example.org", "smtp://127.0.0.1:2525 (TLS: none, from dp@example.org)"},
		{"smtps://dp:p%40ss@mail.example.org", "dp@example.org", "smtps://dp@mail.example.org:465 (TLS: implicit, from dp@example.org)"},
		{"smtp://dp:s3cret@mail.example.org?auth=login", "dp@example.org", "smtp://dp@mail.example.org:587 (TLS: opportunistic, from dp@example.org)"},
		{"smtp://dp:s3cret@mail.example.org?auth=ntlm", "dp@example.org", "unknown setting auth=ntlm"},
		{"http://mail.example.org", "dp@example.org", `scheme "http" is not smtp or smtps`},
		{"smtp://dp:s3cret@mail.example.org:99999", "dp@example.org", `port "99999"`},
		{"smtp://dp:s3cret@mail.example.org?tls=maybe", "dp@example.org", "unknown setting tls=maybe"},
		{"smtps://dp:s3cret@mail.example.org?tls=none", "dp@example.org", "unknown setting tls=none"},
		{"smtp://dp:s3cret@", "dp@example.org", "names no host"},
		{"smtp://dp:s3cret@mail.example.org", "", "DUEPROCESS_MAIL_FROM is needed"},
		{"smtp://dp:s3cret@mail.example.org", "not an address", "is not an address"},
	} {
		c, err := ParseConfig(tc.url, tc.from)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = c.String()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("ParseConfig(%q, %q) = %q, want %q", tc.url, tc.from, got, tc.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "p@ss") {
			t.Errorf("ParseConfig(%q): %q shows the password", tc.url, got)
		}
	}
	c, _ := ParseConfig("smtps://dp:p%40ss@mail.example.org", "dp@example.org")
	if c.password != "p@ss" || c.Domain() != "example.org" {
		t.Errorf("password %q, domain %q", c.password, c.Domain())
	}
}

func TestRetryWait(t *testing.T) {
	var total, prev = RetryWait(1), RetryWait(1)
	for a := 2; a < MaxAttempts; a++ {
		w := RetryWait(a)
		if w < prev || w > MaxRetryWait {
			t.Errorf("RetryWait(%d) = %v after %v", a, w, prev)
		}
		total, prev = total+w, w
	}
	if RetryWait(1) != FirstRetry || RetryWait(100) != MaxRetryWait {
		t.Errorf("first %v, late %v", RetryWait(1), RetryWait(100))
	}
	// docs/mail.md says "about a day".
	if total < 18*60*60e9 || total > 30*60*60e9 {
		t.Errorf("all retries take %v, documented as about a day", total)
	}
}
