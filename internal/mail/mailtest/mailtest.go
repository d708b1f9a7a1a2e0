// Package mailtest runs a real SMTP server in the test's process, on
// 127.0.0.1 and a free port, built on github.com/emersion/go-smtp, and
// keeps what it receives for the test to look at.
package mailtest

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	// Header is Data's header, parsed.
	Header mail.Header
	Body   string
}

// Server is an SMTP server that keeps every message it accepts.
type Server struct {
	Addr string // host:port

	mu       sync.Mutex
	messages []Message
	// reject, while set, answers each DATA with it (a 4xx for "try later").
	reject *smtp.SMTPError
	// user and pass, when set, must be given with AUTH PLAIN before MAIL.
	user, pass string
	// refuse answers RCPT TO for these addresses with their error.
	refuse map[string]*smtp.SMTPError
	// onData, if set, runs after a message is kept, before it is answered.
	onData func(m Message)
	srv    *smtp.Server
}

// Start starts a server that the test stops when it ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "mail.test"
	s.srv.AllowInsecureAuth = true
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the server's address as DUEPROCESS_SMTP takes it.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Reject makes the server answer each message with code and text (such
// as 451, "try again later") until Reject(0, "").
func (s *Server) Reject(code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = nil
	if code != 0 {
		s.reject = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: text}
	}
}

// RequireAuth makes the server take mail only after AUTH PLAIN with
// user and pass.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass = user, pass
}

// RefuseRecipient makes the server answer RCPT TO:<addr> with code and
// text, such as 550, "no such user".
func (s *Server) RefuseRecipient(addr string, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse == nil {
		s.refuse = map[string]*smtp.SMTPError{}
	}
	s.refuse[addr] = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: text}
}

// OnData sets a function that runs with each accepted message, after it
// is kept and before the client is answered.
func (s *Server) OnData(f func(m Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onData = f
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

type session struct {
	s      *Server
	from   string
	to     []string
	authed bool
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		x.s.mu.Lock()
		defer x.s.mu.Unlock()
		if x.s.user == "" || user != x.s.user || pass != x.s.pass {
			return smtp.ErrAuthFailed
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	need := x.s.user != ""
	x.s.mu.Unlock()
	if need && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused := x.s.refuse[to]
	x.s.mu.Unlock()
	if refused != nil {
		err := *refused
		return &err
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	if s.reject != nil {
		err := *s.reject
		s.mu.Unlock()
		return &err
	}
	m := Message{From: x.from, To: x.to, Data: data}
	if parsed, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		body, _ := io.ReadAll(parsed.Body)
		m.Header, m.Body = parsed.Header, string(body)
	}
	s.messages = append(s.messages, m)
	onData := s.onData
	s.mu.Unlock()
	if onData != nil {
		onData(m)
	}
	return nil
}
