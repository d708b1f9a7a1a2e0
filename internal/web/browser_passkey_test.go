package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// TestBrowserPasskey runs the portal's passkey script in real Chromium
// against its virtual authenticator (the DevTools WebAuthn domain): an
// official enrols a passkey instead of an authenticator app, signs out,
// and signs in again with it.
func TestBrowserPasskey(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	hk, _ := agencies(t, db)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: hk, Email: "chan@police.gov.hk", Name: "Officer Chan"}, auth.HashToken("s"), time.Hour, dueprocess.System); err != nil {
			return err
		}
		_, err := tx.Join(ctx, auth.HashToken("s"), "Officer Chan", auth.HashPassword(officialPassword))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Passkeys are bound to a host name, and browsers take localhost as a
	// secure origin: the page is served as http://localhost:PORT.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := checkpointer(t, db)
	srv := httptest.NewUnstartedServer(web.New(web.Config{DB: db, Blobs: blobs, Decide: defaultPolicy, Checkpoints: cp,
		PasskeyRPID: "localhost", PasskeyOrigins: []string{origin}}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	shots := artifacts(t)
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			short, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			chromedp.Run(short, shot("passkey-failed-"+strings.ReplaceAll(what, " ", "-")))
			t.Fatalf("%s: %v (see %s)", what, err, shots)
		}
	}
	heading := func(text string) chromedp.Action {
		return chromedp.WaitVisible(`//h1[contains(., "`+text+`")]`, chromedp.BySearch)
	}
	password := chromedp.Tasks{
		chromedp.Navigate(origin + "/portal/signin"), heading("Sign in"),
		chromedp.SendKeys(`#email`, "chan@police.gov.hk", chromedp.ByID),
		chromedp.SendKeys(`#password`, officialPassword, chromedp.ByID),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
	}
	run("virtual authenticator",
		chromedp.Navigate(origin+"/portal/signin"), heading("Sign in"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			if err := webauthn.Enable().Do(ctx); err != nil {
				return err
			}
			_, err := webauthn.AddVirtualAuthenticator(&webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}).Do(ctx)
			return err
		}))
	run("enrol a passkey", password, heading("Set up your authenticator app"),
		shot("passkey-01-enrol"),
		chromedp.Click(`#passkey-register`, chromedp.ByID),
		heading("Requests"),
		shot("passkey-02-enrolled"),
		chromedp.Click(`form[action="/portal/signout"] button`, chromedp.ByQuery), heading("Sign in"))
	run("sign in with it", password, heading("Authentication code"),
		shot("passkey-03-second-step"),
		chromedp.Click(`#passkey-login`, chromedp.ByID),
		heading("Requests"))
	o, err := db.OfficialByEmail(ctx, "chan@police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	if keys, _ := db.Passkeys(ctx, o.ID); len(keys) != 1 {
		t.Errorf("passkeys stored: %d, want 1", len(keys))
	}
}
