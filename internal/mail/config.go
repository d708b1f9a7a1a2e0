// Package mail sends the outbox's messages over SMTP. A Sender holds the
// server's settings; a Deliverer claims due messages from the outbox,
// sends them and marks each sent, or tried and due again later, or given
// up. See docs/mail.md.
package mail

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Config is the SMTP server and sender, as DUEPROCESS_SMTP and
// DUEPROCESS_MAIL_FROM give them.
type Config struct {
	Host     string
	Port     int
	Username string
	password string
	// ImplicitTLS is set for smtps://: TLS from the first byte.
	ImplicitTLS bool
	// TLS is the STARTTLS policy for smtp://: "opportunistic" (the
	// default: STARTTLS when the server offers it), "mandatory" or "none".
	TLS string
	// Auth is the SMTP AUTH mechanism with a user: "auto" (the default:
	// the strongest the server offers that is safe on this connection;
	// PLAIN and LOGIN only over TLS), "plain", "login", "cram-md5" or
	// "scram-sha-256".
	Auth string
	// From is the sender's address; its domain names the messages
	// (Message-ID).
	From *mail.Address
}

// ParseConfig reads an SMTP URL, smtp://user:pass@host:port or
// smtps://user:pass@host:port, with an optional ?tls=mandatory|none for
// smtp://, and the sender's address. Its errors never show the password.
func ParseConfig(smtpURL, from string) (*Config, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, fmt.Errorf("DUEPROCESS_SMTP is not a URL such as smtp://user:password@mail.example.org:587")
	}
	c := &Config{TLS: "opportunistic", Auth: "auto"}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return nil, fmt.Errorf("DUEPROCESS_SMTP: scheme %q is not smtp or smtps", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return nil, fmt.Errorf("DUEPROCESS_SMTP names no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port <= 0 || c.Port > 65535 {
			return nil, fmt.Errorf("DUEPROCESS_SMTP: port %q is not a number from 1 to 65535", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		switch {
		case k == "tls" && !c.ImplicitTLS && (v[0] == "opportunistic" || v[0] == "mandatory" || v[0] == "none"):
			c.TLS = v[0]
		case k == "auth" && authTypes[v[0]] != "":
			c.Auth = v[0]
		default:
			return nil, fmt.Errorf("DUEPROCESS_SMTP: unknown setting %s=%s (only tls=opportunistic|mandatory|none, for smtp://, and auth=auto|plain|login|cram-md5|scram-sha-256)", k, strings.Join(v, ","))
		}
	}
	if from == "" {
		return nil, fmt.Errorf("DUEPROCESS_MAIL_FROM is needed with DUEPROCESS_SMTP: the address mail is sent from, such as dueprocess@example.org")
	}
	c.From, err = mail.ParseAddress(from)
	if err != nil || !strings.Contains(c.From.Address, "@") {
		return nil, fmt.Errorf("DUEPROCESS_MAIL_FROM %q is not an address such as dueprocess@example.org", from)
	}
	return c, nil
}

// Domain is the sender's domain, which names every message it sends.
func (c *Config) Domain() string {
	return c.From.Address[strings.LastIndex(c.From.Address, "@")+1:]
}

// String describes the server without the password, for logs.
func (c *Config) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	return u.String() + " (TLS: " + c.tlsName() + ", from " + c.From.Address + ")"
}

func (c *Config) tlsName() string {
	if c.ImplicitTLS {
		return "implicit"
	}
	return c.TLS
}

// authTypes are the SMTP AUTH mechanisms that ?auth= names.
var authTypes = map[string]gomail.SMTPAuthType{
	"auto": gomail.SMTPAuthAutoDiscover, "plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin,
	"cram-md5": gomail.SMTPAuthCramMD5, "scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
}

// options turns the configuration into go-mail's client options.
func (c *Config) options() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithHELO(c.Domain())}
	switch {
	case c.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case c.TLS == "mandatory":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case c.TLS == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(authTypes[c.Auth]),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.password))
	}
	return opts
}
