package web

import "net/http"

// route is one entry of the routing table. Every route of the server is
// listed here, and the OpenAPI test checks that the document describes
// exactly these.
type route struct {
	method  string
	pattern string
	handler http.Handler
	api     bool // described in the OpenAPI document
}

func (s *Server) routes() []route {
	return []route{
		{"POST", "/api/v1/requests", s.api(s.createRequest), true},
		{"GET", "/api/v1/requests", s.api(s.listRequests), true},
		{"GET", "/api/v1/requests/{id}", s.api(s.getRequest), true},
		{"GET", "/api/v1/requests/{id}/events", s.api(s.listEvents), true},
		{"POST", "/api/v1/requests/{id}/documents", s.api(s.addDocument), true},
		{"GET", "/api/v1/requests/{id}/documents/{doc}", s.api(s.getDocument), true},
		{"GET", "/api/v1/openapi.json", http.HandlerFunc(serveOpenAPI), true},
		{"GET", "/healthz", s.api(s.healthz), true},
		{"GET", "/metrics", s.metricsHandler(), false},
		{"", "/", s.api(s.notFound), false},
	}
}
