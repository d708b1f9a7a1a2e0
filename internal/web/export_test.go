package web

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

// SetHashHook has f told when each password hash starts (true) and ends
// (false), so that a test can count the hashes running at once.
func (s *Server) SetHashHook(f func(start bool)) { s.testHookHash = f }
