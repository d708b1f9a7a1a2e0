package web

import (
	"context"

	"github.com/dueprocess/dueprocess/internal/store"
)

// Routes lists the server's API routes as "METHOD /pattern", for the role
// matrix test in package web_test.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.routes() {
		if rt.api {
			out = append(out, rt.method+" "+rt.pattern)
		}
	}
	return out
}

// PageRoutes lists the server's other routes (the console's, the public
// pages', static files), for the console role matrix.
func (s *Server) PageRoutes() []string {
	var out []string
	for _, rt := range s.routes() {
		if !rt.api && rt.method != "" {
			out = append(out, rt.method+" "+rt.pattern)
		}
	}
	return out
}

// SetHashHook has f told when each password hash starts (true) and ends
// (false), so that a test can count the hashes running at once.
func (s *Server) SetHashHook(f func(start bool)) { s.testHookHash = f }

// SetLinkMail replaces the mail integration point (officialLinkMail) with
// f, which is told every link that would be mailed, so that a test can
// follow it as the official would.
func (s *Server) SetLinkMail(f func(m *LinkMail)) {
	s.mailLink = func(_ context.Context, _ *store.Tx, m *LinkMail) error { f(m); return nil }
}
