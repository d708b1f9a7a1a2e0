package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/dueprocess/dueprocess"
)

// Sender sends messages through one SMTP server.
type Sender struct {
	cfg *Config
	// Timeout bounds each connection's dial and each command.
	Timeout time.Duration
}

// NewSender returns a Sender for cfg.
func NewSender(cfg *Config) *Sender { return &Sender{cfg: cfg, Timeout: 30 * time.Second} }

// Config returns the sender's configuration.
func (s *Sender) Config() *Config { return s.cfg }

// Message builds the e-mail of an outbox row. It depends only on the row
// and the sender's address: the Message-ID is the row's id at the
// sender's domain and the Date its creation time, so that the message
// sent again after a crash is, byte for byte in its headers and body, the
// same message.
func (s *Sender) Message(m *dueprocess.OutboxMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.cfg.From)
	if err := msg.To(m.To); err != nil {
		return nil, permanent(fmt.Errorf("recipient of %s: %w", m.ID, err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + s.cfg.Domain())
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("X-Dueprocess-Kind", m.Kind)
	if m.RequestID != "" {
		msg.SetGenHeader("X-Dueprocess-Request", m.RequestID)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// Conn is an open connection to the SMTP server, for sending a batch.
type Conn struct {
	s      *Sender
	client *gomail.Client
}

// Dial connects to the SMTP server, says hello, starts TLS as configured
// and signs in.
func (s *Sender) Dial(ctx context.Context) (*Conn, error) {
	opts := append(s.cfg.options(), gomail.WithTimeout(s.Timeout))
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", s.cfg, err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("smtp %s: %w", s.cfg, err)
	}
	return &Conn{s: s, client: client}, nil
}

// Send sends one message on the connection.
func (c *Conn) Send(m *dueprocess.OutboxMessage) error {
	msg, err := c.s.Message(m)
	if err != nil {
		return err
	}
	if err := c.client.Send(msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return permanent(err)
		}
		return err
	}
	return nil
}

// Close says goodbye and closes the connection.
func (c *Conn) Close() error { return c.client.Close() }

// permanentError is a failure that trying again cannot mend: the server
// refused the message or its recipient for good (a 5xx reply).
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err says the message can never be sent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
