package web_test

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// answer is what one of many concurrent posts got back.
type answer struct {
	status     int
	retryAfter string
	body       string
}

// postAll posts every form to path at once and returns the answers, in
// the order of forms. It never stops the test from another goroutine.
func (b *browser) postAll(path string, forms []url.Values) []answer {
	b.t.Helper()
	out := make([]answer, len(forms))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, form := range forms {
		wg.Go(func() {
			<-start
			resp, err := b.client.PostForm(b.url+path, form)
			if err != nil {
				b.t.Errorf("post %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			out[i] = answer{resp.StatusCode, resp.Header.Get("Retry-After"), string(body)}
		})
	}
	close(start)
	wg.Wait()
	return out
}

// countHashes has the server report its password hashes, and returns how
// many ran in all and the most that ran at once.
func countHashes(b *browser) (total, peak func() int64) {
	var n, running, max atomic.Int64
	b.server.SetHashHook(func(start bool) {
		if !start {
			running.Add(-1)
			return
		}
		n.Add(1)
		r := running.Add(1)
		for m := max.Load(); r > m && !max.CompareAndSwap(m, r); m = max.Load() {
		}
	})
	return n.Load, max.Load
}

// TestSigninThrottleHoldsUnderConcurrency posts 20 sign-ins for one
// account at once, 19 wrong and 1 right. The limit is 5 failures: counted
// only after the check, all 20 were checked and the right one got in.
// Counted before, at most 5 wrong ones are checked, the right one is
// checked only if it came within the limit, and the rest are refused
// unchecked with the one answer.
func TestSigninThrottleHoldsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Room for every hash the limit allows, so none is refused for
		// want of a turn.
		b := newBrowser(t, db, func(c *web.Config) { c.PasswordHashes, c.PasswordHashWait = 6, time.Minute })
		email := setupAdmin(t, db, b)
		hashes, _ := countHashes(b)
		csrf := b.form("/console/signin")
		const right = 13
		forms := make([]url.Values, 20)
		for i := range forms {
			pw := fmt.Sprintf("wrong password number %d", i)
			if i == right {
				pw = adminPassword
			}
			forms[i] = url.Values{"csrf": {csrf}, "email": {email}, "password": {pw}}
		}
		wrong, throttled := 0, 0
		for i, a := range b.postAll("/console/signin", forms) {
			switch {
			case i == right && a.status == 303:
			case a.status == 401 && i != right:
				wrong++
			case a.status == 429 && strings.Contains(a.body, "Too many failed sign-ins") && a.retryAfter != "":
				throttled++
			default:
				t.Errorf("post %d (right: %v): %d, Retry-After %q", i, i == right, a.status, a.retryAfter)
			}
		}
		if wrong > 5 {
			t.Errorf("%d wrong passwords were checked; the limit is 5", wrong)
		}
		if n := hashes(); n > 6 || n < int64(wrong) {
			t.Errorf("%d passwords were hashed for %d wrong answers; want at most the 5 allowed and the right one", n, wrong)
		}
		n, err := db.SigninFailures(ctx, "account:"+email, time.Now().Add(-time.Hour))
		if err != nil || n != wrong {
			t.Errorf("failures counted: %d, %v; want the %d checked", n, err, wrong)
		}
		// Once the limit is reached, the right password is refused too,
		// unchecked, with the same answer as a wrong one.
		for wrong < 5 {
			b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {"one more wrong password"}})
			wrong++
		}
		before := hashes()
		var answers [2]answer
		for i, pw := range []string{adminPassword, "yet another wrong password"} {
			answers[i] = b.postAll("/console/signin", []url.Values{{"csrf": {csrf}, "email": {email}, "password": {pw}}})[0]
		}
		if answers[0].status != 429 || answers[0] != answers[1] {
			t.Errorf("at the limit, the right password gets %d and a wrong one %d; want the same 429", answers[0].status, answers[1].status)
		}
		if hashes() != before {
			t.Errorf("at the limit, %d passwords were hashed; want none", hashes()-before)
		}
	})
}

// TestTOTPThrottleHoldsUnderConcurrency posts 300 wrong codes at once on
// one session waiting for its second step: at most the limit of 5 may be
// checked (counted after the check, 54 were), and afterwards the right
// code is refused too.
func TestTOTPThrottleHoldsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db)
		email := setupAdmin(t, db, b)
		csrf := b.form("/console/signin")
		b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}})
		_, _, page := b.get("/console/enrol")
		secret, csrf := secretText.FindStringSubmatch(page)[1], csrfField.FindStringSubmatch(page)[1]
		if status, loc, _ := b.post("/console/enrol", url.Values{"csrf": {csrf}, "code": {b.code(secret)}}); status != 303 || loc != "/console" {
			t.Fatalf("enrolment: %d to %q", status, loc)
		}
		_, _, body := b.get("/console")
		b.post("/console/signout", url.Values{"csrf": {csrfField.FindStringSubmatch(body)[1]}})
		b.wait(30 * time.Second) // the enrolment's code is spent
		csrf = b.form("/console/signin")
		if status, loc, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}}); status != 303 || loc != "/console/totp" {
			t.Fatalf("sign-in: %d to %q", status, loc)
		}
		csrf = b.form("/console/totp")

		// A code no window of the authenticator accepts now.
		valid := map[string]bool{}
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			c, _ := totp.GenerateCode(secret, b.now().Add(d))
			valid[c] = true
		}
		wrongCode := "000000"
		for i := 1; valid[wrongCode]; i++ {
			wrongCode = fmt.Sprintf("%06d", i)
		}
		forms := make([]url.Values, 300)
		for i := range forms {
			forms[i] = url.Values{"csrf": {csrf}, "code": {wrongCode}}
		}
		checked, throttled := 0, 0
		for i, a := range b.postAll("/console/totp", forms) {
			switch {
			case a.status == 401:
				checked++
			case a.status == 429 && a.retryAfter != "":
				throttled++
			default:
				t.Errorf("code %d: %d, Retry-After %q", i, a.status, a.retryAfter)
			}
		}
		if checked > 5 || checked+throttled != 300 {
			t.Errorf("300 concurrent wrong codes: %d checked, %d refused; want at most 5 checked", checked, throttled)
		}
		if n, err := db.SigninFailures(ctx, "account:"+email, time.Now().Add(-time.Hour)); err != nil || n != checked {
			t.Errorf("failures counted: %d, %v; want the %d checked", n, err, checked)
		}
		for checked < 5 {
			b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {wrongCode}})
			checked++
		}
		if status, _, _ := b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {b.code(secret)}}); status != 429 {
			t.Errorf("the right code at the limit: %d, want 429", status)
		}
	})
}

// TestSigninHashesAreBounded posts 12 sign-ins at once to a server that
// may hash 2 passwords at a time and waits only a moment for a turn: no
// more than 2 hashes ever run together (each holds 64 MiB), and the
// attempts that find no turn get 503 with Retry-After, are not checked,
// and are not counted as failures.
func TestSigninHashesAreBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db, func(c *web.Config) { c.PasswordHashes, c.PasswordHashWait = 2, 5*time.Millisecond })
		csrf := b.form("/console/signin")
		hashes, peak := countHashes(b)
		forms := make([]url.Values, 12)
		for i := range forms {
			// Accounts that do not exist cost a hash like any other, and
			// twelve of them stay below the address's limit.
			forms[i] = url.Values{"csrf": {csrf}, "email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"not a password at all"}}
		}
		checked, busy := 0, 0
		for i, a := range b.postAll("/console/signin", forms) {
			switch {
			case a.status == 401:
				checked++
			case a.status == 503 && a.retryAfter != "" && strings.Contains(a.body, "busy"):
				busy++
			default:
				t.Errorf("sign-in %d: %d, Retry-After %q", i, a.status, a.retryAfter)
			}
		}
		if p := peak(); p > 2 || p < 1 {
			t.Errorf("%d password hashes ran at once; want at most 2", p)
		}
		if checked == 0 || busy == 0 || int64(checked) != hashes() {
			t.Errorf("%d checked (%d hashes) and %d refused as busy; want some of each", checked, hashes(), busy)
		}
		if n, err := db.SigninFailures(ctx, "address:127.0.0.1", time.Now().Add(-time.Hour)); err != nil || n != checked {
			t.Errorf("failures counted against the address: %d, %v; want the %d checked", n, err, checked)
		}
	})
}
