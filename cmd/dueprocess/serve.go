package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/disclose"
	"github.com/dueprocess/dueprocess/internal/jobs"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/web"
)

func serveCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("serve", "serve [--addr HOST:PORT] [--db DSN] [--data DIR] [--blobs db|fs|fs:DIR] [--connectors FILE] [--smtp URL --mail-from ADDR]",
		"Runs the server: the API under /api/v1, /healthz and /metrics. With no flags it\n"+
			"serves on 127.0.0.1:8080 from ./dueprocess.db, creating the database if needed.\n"+
			"On the first start, while the audit log has no checkpoint, it creates the log's\n"+
			"signing key in DIR/audit.key, named by --audit-origin. It refuses to start with\n"+
			"a key that did not sign the log's latest checkpoint, or with none once the log\n"+
			"has checkpoints.\n\n"+
			"With --smtp and --mail-from it sends the mail outbox (docs/mail.md); without,\n"+
			"mail stays queued and is listed at /console/outbox. Staff assigned to a request\n"+
			"are reminded --remind-before its due_at. User notices withheld by a\n"+
			"non-disclosure order or delayed after an emergency go out when due, checked\n"+
			"every --mail-every (docs/notice.md).")
	addr := fs.String("addr", c.setting("DUEPROCESS_ADDR", "127.0.0.1:8080"), "address to listen on (env DUEPROCESS_ADDR)")
	dsn := c.dbFlag(fs)
	data := c.dataFlag(fs)
	blobSpec := c.blobsFlag(fs)
	policyPath := c.policyFlag(fs)
	connectorsPath := c.connectorsFlag(fs)
	origin := c.originFlag(fs)
	band := fs.Int("ns-band", 250, "width of the bands US national-security figures are published in: 250, 500 or 1000")
	secure := fs.Bool("secure-cookies", c.setting("DUEPROCESS_SECURE_COOKIES", "") == "true",
		"mark console cookies Secure even on plain HTTP, behind a proxy that terminates TLS (env DUEPROCESS_SECURE_COOKIES=true)")
	lifetimeText := fs.String("package-lifetime", c.setting("DUEPROCESS_PACKAGE_LIFETIME", dueprocess.PackageLifetime.String()),
		"how long a released disclosure package may be downloaded before its ciphertext is deleted, such as 336h (env DUEPROCESS_PACKAGE_LIFETIME)")
	publicURL := fs.String("public-url", c.setting("DUEPROCESS_PUBLIC_URL", ""),
		"the address officials reach the server at (https://dueprocess.example.com), for the links sent to them; by default the address a request came to (env DUEPROCESS_PUBLIC_URL)")
	rpID := fs.String("passkey-rp-id", c.setting("DUEPROCESS_PASSKEY_RP_ID", ""),
		"the host name passkeys are bound to (dueprocess.example.com); empty: officials use TOTP only (env DUEPROCESS_PASSKEY_RP_ID)")
	var rpOrigins listFlag
	if v := c.setting("DUEPROCESS_PASSKEY_ORIGINS", ""); v != "" {
		rpOrigins.Set(v)
	}
	fs.Var(&rpOrigins, "passkey-origin", "an origin the portal is served from, for passkeys (repeat, or separate with commas); default --public-url (env DUEPROCESS_PASSKEY_ORIGINS)")
	limits := web.DefaultLimits
	fs.Float64Var(&limits.PerCaller, "rate-limit", limits.PerCaller, "calls per second allowed to one API token, in bursts of --rate-burst; 0 turns it off")
	fs.IntVar(&limits.Burst, "rate-burst", limits.Burst, "burst size for --rate-limit")
	mailSet, err := c.mailFlags(fs)
	if err != nil {
		return err
	}
	remindBefore, err := c.remindFlag(fs)
	if err != nil {
		return err
	}
	hookURL := c.webhookFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	lifetime, err := time.ParseDuration(*lifetimeText)
	if err != nil || lifetime <= 0 {
		return usageError{fmt.Sprintf("--package-lifetime: %q is not a positive duration such as 336h (14 days)", *lifetimeText)}
	}
	mailCfg, err := mailSet.config(c)
	if err != nil {
		return err
	}
	hook, err := c.webhookDeliverer(nil, *hookURL) // checked before anything is created; its DB is set below
	if err != nil {
		return err
	}
	if *band != 250 && *band != 500 && *band != 1000 {
		return usageError{fmt.Sprintf("--ns-band: %d is not 250, 500 or 1000", *band)}
	}
	passkeys := web.Config{PublicURL: *publicURL, PasskeyRPID: *rpID, PasskeyOrigins: rpOrigins}
	if err := web.CheckPasskeys(passkeys); err != nil {
		return usageError{"--passkey-rp-id: " + err.Error()}
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	// A broken policy file stops the server before it listens, with the
	// line at fault: requests must never be judged by half a policy.
	pol, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	decide := bindPolicy(pol)
	notice := pol.Notice()
	// Likewise a broken connectors file, before anything is gathered with
	// it. The databases it names are not contacted until a collect.
	connectors, err := loadConnectors(*connectorsPath)
	if err != nil {
		return err
	}
	defer connectors.Close()
	// A nil *gather.Set in the interface would not be nil: keep "no
	// connectors" a nil Gatherer, which collect reports as such.
	var gatherer disclose.Gatherer
	if connectors != nil {
		c.say("connectors: %s", connectors)
		gatherer = connectors
	}

	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.HoldTerms = pol.HoldTerms
	if hook != nil {
		hook.DB = db
		loop := webhookLoop(hook, log)
		loop.Start()
		defer loop.Close()
	}
	db.PublicURL = strings.TrimSuffix(*publicURL, "/")
	db.Notice = notice
	// The key is checked before anything is written to the data
	// directory, so that a server started in the wrong folder leaves
	// nothing behind.
	signer, vkey, err := c.serverKey(ctx, db, *data, *origin)
	if err != nil {
		return err
	}
	blobs, blobsAt, err := c.openBlobs(ctx, *blobSpec, *data, db)
	if err != nil {
		return err
	}
	// Checkpoints are signed on request and at least hourly while entries
	// arrive; the loop ends before the database closes.
	checkpoints := &audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: signer.Name(), Log: log}
	checkpoints.Start()
	defer checkpoints.Close()
	// Failed sign-ins count only within their window; forget older ones,
	// so the tables that hold them stay small. Every server may run this:
	// deleting what is old twice is harmless.
	prune := &jobs.Loop{Name: "prune sign-in failures", Every: time.Hour, Log: log, Run: func(ctx context.Context) error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			return tx.PruneSigninFailures(ctx, tx.Now().Add(-web.SigninWindow))
		})
	}}
	prune.Start()
	defer prune.Close()
	// A pause of the policy file ends by its date or by its removal, with
	// no resume to release the requests it held; this loop does, at start
	// and hourly.
	release := &jobs.Loop{Name: "release requests no pause holds", Every: time.Hour, Log: log, Run: func(ctx context.Context) error {
		moved, err := db.ReleaseUnheld(ctx, decide, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "pauses"})
		if len(moved) > 0 {
			log.Info("released requests no pause holds any more", "requests", len(moved))
		}
		return err
	}}
	release.Start()
	defer release.Close()
	// A package's ciphertext is deleted once downloaded, or when it
	// expires unclaimed; the manifest is kept. The download deletes it at
	// once; this loop catches expiries and any deletion a failure left.
	packages := &disclose.Service{DB: db, Blobs: blobs, Lifetime: lifetime, Log: log}
	expire := &jobs.Loop{Name: "delete downloaded and expired packages", Every: 10 * time.Minute, Log: log, Run: func(ctx context.Context) error {
		n, err := packages.Expire(ctx)
		if n > 0 {
			log.Info("deleted the ciphertext of downloaded or expired packages", "packages", n)
		}
		return err
	}}
	expire.Start()
	defer expire.Close()
	holds := holdLoop(db, log)
	holds.Start()
	defer holds.Close()
	defer c.startMail(db, mailCfg, mailSet, log)()
	defer c.startReminders(db, *remindBefore, *mailSet.every, log)()
	defer startValidations(db, *mailSet.every, log)()
	defer c.startNotices(db, contacter(connectors), notice, *mailSet.every, log)()

	ln, err := listen(*addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: web.New(web.Config{DB: db, Blobs: blobs, Log: log, Limits: limits, Decide: decide, ItemRule: pol.ItemAction,
			Checkpoints: checkpoints, VerifierKey: vkey, SecureCookies: *secure, BandWidth: *band,
			Gatherer: gatherer, PackageLifetime: lifetime,
			PublicURL: *publicURL, PasskeyRPID: *rpID, PasskeyOrigins: rpOrigins,
			Notice: notice, Contacts: contacter(connectors)}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // a 20 MB document on a slow line
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	c.say("listening on http://%s (database: %s, data: %s, documents: %s, audit log %s)", ln.Addr(), db, *data, blobsAt, signer.Name())
	if err := c.offerSetup(ctx, db, ln.Addr().String()); err != nil {
		return err
	}

	return c.runHTTP(ctx, srv, ln)
}

// listen opens the server's address, saying what to do when another
// program holds it.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the address is in use, perhaps by another dueprocess serve; "+
			"stop it or choose another address with --addr HOST:PORT (env DUEPROCESS_ADDR)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on --addr %s: %w", addr, err)
	}
	return ln, nil
}

// runHTTP serves on ln until ctx ends, then finishes the requests in
// flight, so that none that was acknowledged is cut short; a request not
// yet answered is not yet acknowledged.
func (c *cli) runHTTP(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.say("shutting down")
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverKey loads the audit signing key for serve, refusing to start with
// a key that did not sign the log's latest checkpoint: the public
// checkpoint endpoint must never serve a checkpoint that does not verify
// under the log's key. On the first start, when the log has no checkpoint
// yet, it creates the key named origin.
func (c *cli) serverKey(ctx context.Context, db *store.DB, data, origin string) (note.Signer, string, error) {
	signer, _, vkey, err := signingKey(ctx, db, data)
	if !errors.Is(err, os.ErrNotExist) {
		return signer, vkey, err
	}
	// signingKey refused a missing key if the log has checkpoints, so none
	// of them would verify under a new one; what is left is a first start.
	if want, kerr := logKey(ctx, db); kerr != nil || want != "" {
		return nil, "", err
	}
	signer, _, vkey, err = audit.CreateKey(data, origin)
	if errors.Is(err, os.ErrExist) {
		// Another server sharing this data directory created it a moment
		// ago; use that one.
		signer, _, vkey, err = signingKey(ctx, db, data)
		return signer, vkey, err
	}
	if err != nil {
		return nil, "", fmt.Errorf("audit key: %w", err)
	}
	c.say("created the audit signing key %s at %s; back it up, and publish its verifier key: %s", signer.Name(), keyPath(data), vkey)
	return signer, vkey, nil
}

// say writes a message for people to stderr.
func (c *cli) say(format string, args ...any) {
	fmt.Fprintf(c.stderr, "dueprocess: "+format+"\n", args...)
}

// offerSetup prints a one-time link to create the first administrator
// when no staff member is an administrator yet: the first-run path of a
// fresh database. Each start without one prints a new link.
func (c *cli) offerSetup(ctx context.Context, db *store.DB, addr string) error {
	has, err := db.HasAdmin(ctx)
	if err != nil || has {
		return err
	}
	secret, hash := auth.NewToken()
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSetupToken(ctx, hash) }); err != nil {
		return err
	}
	c.say("no administrator yet: open http://%s/console/setup?token=%s within %d hours to create the first one",
		addr, url.QueryEscape(secret), int(web.SetupLinkLifetime.Hours()))
	return nil
}

// holdLoop expires preservation holds on time and marks their reminders
// due, every minute; every server runs it, and each hold is claimed by one
// (store.RunHolds). The platform's check goes by each hold's end, not by
// this loop, so a hold stops holding at its end to the second.
func holdLoop(db *store.DB, log *slog.Logger) *jobs.Loop {
	return &jobs.Loop{Name: "expire preservation holds", Every: time.Minute, Log: log, Run: func(ctx context.Context) error {
		for {
			work, err := db.RunHolds(ctx, store.HoldBatch)
			if n := len(work.Expired) + len(work.Reminded); n > 0 {
				log.Info("preservation holds", "expired", len(work.Expired), "reminders due", len(work.Reminded))
			}
			if err != nil || (len(work.Expired) < store.HoldBatch && len(work.Reminded) < store.HoldBatch) {
				return err
			}
		}
	}}
}
