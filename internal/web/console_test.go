package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// browser is a client with cookies that does not follow redirects, over a
// console whose clock the test moves.
type browser struct {
	t      *testing.T
	server *web.Server
	url    string
	client *http.Client
	mu     sync.Mutex
	offset time.Duration
}

func newBrowser(t *testing.T, db *store.DB, configure ...func(*web.Config)) *browser {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t}
	db.Now = b.now // the store's clock and the server's move together
	cp, _ := checkpointer(t, db)
	c := web.Config{DB: db, Blobs: blobs, Decide: defaultPolicy, Checkpoints: cp, Now: b.now}
	for _, f := range configure {
		f(&c)
	}
	b.server = web.New(c)
	srv := httptest.NewServer(b.server)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	b.url, b.client = srv.URL, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return b
}

func (b *browser) wait(d time.Duration) { b.mu.Lock(); b.offset += d; b.mu.Unlock() }

func (b *browser) now() time.Time { b.mu.Lock(); defer b.mu.Unlock(); return time.Now().Add(b.offset) }

// get and post return the status, the Location header and the body.
func (b *browser) get(path string) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.url + path)
	return b.read(resp, err)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.url+path, form)
	return b.read(resp, err)
}

func (b *browser) read(resp *http.Response, err error) (int, string, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

var (
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	secretText = regexp.MustCompile(`<code>([A-Z2-7]+)</code>`)
	errorText  = regexp.MustCompile(`<p class="error" role="alert">([^<]*)</p>`)
)

// form fetches a page and returns its CSRF token.
func (b *browser) form(path string) string {
	b.t.Helper()
	status, loc, body := b.get(path)
	m := csrfField.FindStringSubmatch(body)
	if status != 200 || m == nil {
		b.t.Fatalf("GET %s: %d (to %s), no CSRF field:\n%.500s", path, status, loc, body)
	}
	return m[1]
}

func (b *browser) code(secret string) string {
	b.t.Helper()
	c, err := totp.GenerateCode(secret, b.now())
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

const adminPassword = "correct horse battery staple"

// setupAdmin creates the first administrator through a setup link and
// returns their e-mail address.
func setupAdmin(t *testing.T, db *store.DB, b *browser) string {
	t.Helper()
	secret := "setup-secret-for-tests"
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSetupToken(ctx, auth.HashToken(secret)) }); err != nil {
		t.Fatal(err)
	}
	csrf := b.form("/console/setup?token=" + secret)
	form := url.Values{"csrf": {csrf}, "token": {secret}, "name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {adminPassword}}
	if status, loc, body := b.post("/console/setup", form); status != 303 || loc != "/console/signin?done=created" {
		t.Fatalf("setup: %d %s\n%.500s", status, loc, body)
	}
	if status, _, body := b.post("/console/setup", form); status != 400 || !strings.Contains(body, "not valid") {
		t.Errorf("setup link used twice: %d\n%.300s", status, body)
	}
	return "ada@example.com"
}

func TestConsoleSignin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db)
		email := setupAdmin(t, db, b)

		if status, loc, _ := b.get("/console"); status != 303 || loc != "/console/signin" {
			t.Errorf("console before sign-in: %d to %q", status, loc)
		}
		csrf := b.form("/console/signin")
		if status, _, _ := b.post("/console/signin", url.Values{"email": {email}, "password": {adminPassword}}); status != 403 {
			t.Errorf("sign-in without the CSRF field: %d, want 403", status)
		}
		// A wrong password and an unknown account get the same answer.
		_, _, wrong := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {"not the password at all"}})
		_, _, unknown := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {"nobody@example.com"}, "password": {"not the password at all"}})
		w, u := errorText.FindStringSubmatch(wrong), errorText.FindStringSubmatch(unknown)
		if w == nil || u == nil || w[1] != u[1] {
			t.Errorf("wrong password says %q, unknown account %q; want one answer", w, u)
		}

		// First sign-in: password, then enrolment of the authenticator app.
		status, loc, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}})
		if status != 303 || loc != "/console/enrol" {
			t.Fatalf("sign-in with the right password: %d to %q, want the enrolment page", status, loc)
		}
		if status, loc, _ := b.get("/console"); status != 303 || loc != "/console/totp" {
			t.Errorf("console with only a password: %d to %q, want the second step", status, loc)
		}
		_, _, page := b.get("/console/enrol")
		m, c := secretText.FindStringSubmatch(page), csrfField.FindStringSubmatch(page)
		if m == nil || c == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
			t.Fatalf("enrolment page has no secret, QR code or CSRF field:\n%.800s", page)
		}
		secret, csrf := m[1], c[1]
		if _, _, again := b.get("/console/enrol"); secretText.FindStringSubmatch(again)[1] != secret {
			t.Error("reloading the enrolment page changed the secret")
		}
		if status, _, _ := b.post("/console/enrol", url.Values{"csrf": {csrf}, "code": {"000000"}}); status != 401 {
			t.Errorf("enrolment with a wrong code: %d, want 401", status)
		}
		if status, loc, body := b.post("/console/enrol", url.Values{"csrf": {csrf}, "code": {b.code(secret)}}); status != 303 || loc != "/console" {
			t.Fatalf("enrolment: %d to %q\n%.500s", status, loc, body)
		}
		status, _, body := b.get("/console")
		if status != 200 || !strings.Contains(body, "Ada Admin") || !strings.Contains(body, "<h1>Queue</h1>") {
			t.Fatalf("console after sign-in: %d\n%.500s", status, body)
		}
		csrf = csrfField.FindStringSubmatch(body)[1]
		if status, _, _ := b.post("/console/signout", url.Values{"csrf": {"forged"}}); status != 403 {
			t.Errorf("sign-out with a forged CSRF token: %d, want 403", status)
		}
		if status, loc, _ := b.post("/console/signout", url.Values{"csrf": {csrf}}); status != 303 || !strings.HasPrefix(loc, "/console/signin") {
			t.Errorf("sign-out: %d to %q", status, loc)
		}
		if status, _, _ := b.get("/console"); status != 303 {
			t.Errorf("console after sign-out: %d, want a redirect", status)
		}

		// Later sign-ins ask for a code, and never take one twice.
		b.wait(30 * time.Second) // the enrolment's code is spent
		csrf = b.form("/console/signin")
		if status, loc, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}}); status != 303 || loc != "/console/totp" {
			t.Fatalf("second sign-in: %d to %q", status, loc)
		}
		csrf = b.form("/console/totp")
		code := b.code(secret)
		if status, loc, _ := b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {code}}); status != 303 || loc != "/console" {
			t.Fatalf("code: %d to %q", status, loc)
		}
		// Idle too long, the session ends.
		b.wait(31 * time.Minute)
		if status, loc, _ := b.get("/console"); status != 303 || loc != "/console/signin" {
			t.Errorf("console after 31 idle minutes: %d to %q, want sign-in", status, loc)
		}
		csrf = b.form("/console/signin")
		b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}})
		csrf = b.form("/console/totp")
		if status, _, body := b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {code}}); status != 401 || !strings.Contains(html.UnescapeString(body), "not right") {
			t.Errorf("an old code: %d, want 401", status)
		}
	})
}

func TestConsoleThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db)
		email := setupAdmin(t, db, b)
		csrf := b.form("/console/signin")
		for i := range 5 {
			if status, _, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {"wrong password number " + string(rune('a'+i))}}); status != 401 {
				t.Fatalf("failure %d: %d, want 401", i+1, status)
			}
		}
		status, _, body := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}})
		if status != 429 || !strings.Contains(body, "Too many failed sign-ins") {
			t.Errorf("sign-in after 5 failures: %d, want 429", status)
		}
		// The window passes.
		b.wait(16 * time.Minute)
		if status, _, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}}); status != 303 {
			t.Errorf("sign-in after the window: %d, want 303", status)
		}
		n, err := db.SigninFailures(ctx, "account:"+email, time.Now().Add(-time.Hour))
		if err != nil || n != 5 {
			t.Errorf("failures recorded: %d, %v", n, err)
		}
		_ = dueprocess.ActionSigninFailed
	})
}

// TestSecondFactorReplacesSessionCookie: the session secret set after the
// password is replaced once the second factor is checked, so a secret that
// was fixed or seen before the code (ASVS 7.2.4) opens nothing after it.
func TestSecondFactorReplacesSessionCookie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db)
		email := setupAdmin(t, db, b)
		csrf := b.form("/console/signin")
		if status, loc, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}}); status != 303 || loc != "/console/enrol" {
			t.Fatalf("password step: %d to %q", status, loc)
		}
		u, _ := url.Parse(b.url)
		cookie := func() string {
			for _, c := range b.client.Jar.Cookies(u) {
				if c.Name == "dp_session" {
					return c.Value
				}
			}
			return ""
		}
		before := cookie()
		_, _, page := b.get("/console/enrol")
		secret, csrf := secretText.FindStringSubmatch(page)[1], csrfField.FindStringSubmatch(page)[1]
		if status, loc, _ := b.post("/console/enrol", url.Values{"csrf": {csrf}, "code": {b.code(secret)}}); status != 303 || loc != "/console" {
			t.Fatalf("second factor: %d to %q", status, loc)
		}
		after := cookie()
		if before == "" || after == "" || before == after {
			t.Fatalf("session cookie before the second factor %q, after %q; want a new one", before, after)
		}
		if status, _, _ := b.get("/console"); status != 200 {
			t.Fatalf("console with the new cookie: %d", status)
		}
		// The old secret, replayed, is not signed in.
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "dp_session", Value: before, Path: "/"}})
		if status, loc, _ := b.get("/console"); status != 303 || !strings.HasPrefix(loc, "/console/signin") {
			t.Errorf("console with the password step's cookie: %d to %q, want the sign-in page", status, loc)
		}
	})
}
