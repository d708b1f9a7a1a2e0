package main

import (
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/dueprocess/dueprocess/internal/jobs"
	"github.com/dueprocess/dueprocess/internal/mail"
	"github.com/dueprocess/dueprocess/internal/store"
)

// mailSettings are serve's flags for the outbox's delivery.
type mailSettings struct {
	smtp, from   *string
	every, lease *time.Duration
}

// mailFlags adds serve's mail flags. The SMTP URL's default is not shown
// in --help, which would print its password: it is read from the
// environment after parsing.
func (c *cli) mailFlags(fs *flag.FlagSet) (*mailSettings, error) {
	m := &mailSettings{
		smtp: fs.String("smtp", "", "SMTP server to send mail through: smtp://user:password@host:port (STARTTLS when offered; ?tls=mandatory|none; ?auth=plain|login|…)\n"+
			"or smtps://… for TLS from the start (env DUEPROCESS_SMTP). Without it mail stays queued in the outbox"),
		from: fs.String("mail-from", c.setting("DUEPROCESS_MAIL_FROM", ""), "address mail is sent from; its domain names the messages (env DUEPROCESS_MAIL_FROM)"),
	}
	var err error
	m.every, err = c.durationFlag(fs, "mail-every", "DUEPROCESS_MAIL_EVERY", 10*time.Second, "how often the outbox is looked at for mail that is due, requests for reminders and user notices that are due")
	if err != nil {
		return nil, err
	}
	m.lease, err = c.durationFlag(fs, "mail-lease", "DUEPROCESS_MAIL_LEASE", mail.Lease,
		"how long a server holds the messages it claimed; a server that dies leaves them to be sent by any server after this")
	return m, err
}

// durationFlag adds a duration flag whose default comes from env.
func (c *cli) durationFlag(fs *flag.FlagSet, name, env string, def time.Duration, usage string) (*time.Duration, error) {
	if v := c.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, usageError{fmt.Sprintf("%s: %q is not a duration such as 10s or 5m", env, v)}
		}
		def = d
	}
	return fs.Duration(name, def, usage+" (env "+env+")"), nil
}

// config reads the SMTP settings: nil, and no error, with no SMTP server.
func (m *mailSettings) config(c *cli) (*mail.Config, error) {
	url := *m.smtp
	if url == "" {
		url = c.getenv("DUEPROCESS_SMTP")
	}
	if url == "" {
		return nil, nil
	}
	if *m.every <= 0 || *m.lease <= 0 {
		return nil, usageError{"--mail-every and --mail-lease must be more than zero"}
	}
	cfg, err := mail.ParseConfig(url, *m.from)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return cfg, nil
}

// startMail starts the loop that sends the outbox through cfg, or, with
// none, says that mail stays queued. The loop ends when stop is called.
func (c *cli) startMail(db *store.DB, cfg *mail.Config, m *mailSettings, log *slog.Logger) (stop func()) {
	if cfg == nil {
		c.say("no SMTP server (--smtp, DUEPROCESS_SMTP): mail stays queued in the outbox, listed at /console/outbox")
		return func() {}
	}
	d := &mail.Deliverer{Outbox: db, Sender: mail.NewSender(cfg), Now: func() time.Time { return db.Now() }, Log: log, Lease: *m.lease}
	loop := &jobs.Loop{Name: "send mail", Every: *m.every, Log: log, Run: d.Run}
	loop.Start()
	c.say("sending mail through %s", cfg)
	return loop.Close
}
