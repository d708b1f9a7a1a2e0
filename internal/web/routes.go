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
		{"POST", "/api/v1/requests/{id}/review", s.api(s.reviewRequest), true},
		{"POST", "/api/v1/requests/{id}/approve", s.api(s.approveRequest), true},
		{"POST", "/api/v1/requests/{id}/human-rights", s.api(s.assessHumanRights), true},
		{"POST", "/api/v1/requests/{id}/assign", s.api(s.assignRequest), true},
		{"POST", "/api/v1/requests/{id}/withdraw", s.api(s.withdrawRequest), true},
		{"POST", "/api/v1/requests/{id}/escalate", s.api(s.escalateRequest), true},
		{"POST", "/api/v1/requests/{id}/send-back", s.api(s.sendBackRequest), true},
		{"POST", "/api/v1/requests/{id}/reply", s.api(s.replyRequest), true},
		{"POST", "/api/v1/requests/{id}/close", s.api(s.closeRequest), true},
		{"POST", "/api/v1/requests/{id}/cannot-comply", s.api(s.cannotComply), true},
		{"GET", "/api/v1/requests/{id}/cannot-comply", s.api(s.getCannotComply), true},
		{"GET", "/api/v1/jurisdictions", s.api(s.listPauses), true},
		{"GET", "/api/v1/jurisdictions/{code}", s.api(s.getJurisdiction), true},
		{"POST", "/api/v1/jurisdictions/{code}/pause", s.api(s.pauseJurisdiction), true},
		{"POST", "/api/v1/jurisdictions/{code}/resume", s.api(s.resumeJurisdiction), true},
		{"GET", "/api/v1/audit/checkpoint", s.api(s.auditCheckpoint), true},
		{"GET", "/api/v1/audit/key", s.api(s.auditKey), true},
		{"GET", "/api/v1/audit/entries/{index}", s.api(s.auditEntry), true},
		{"GET", "/api/v1/audit/proof/inclusion", s.api(s.auditInclusion), true},
		{"GET", "/api/v1/audit/proof/consistency", s.api(s.auditConsistency), true},
		{"GET", "/api/v1/openapi.json", http.HandlerFunc(serveOpenAPI), true},
		{"GET", "/healthz", s.api(s.healthz), true},
		{"GET", "/metrics", s.metricsHandler(), false},
		{"GET", "/static/", s.staticHandler(), false},
		{"GET", "/console", s.signedIn(s.home), false},
		{"GET", "/console/signin", s.page(s.signinPage), false},
		{"POST", "/console/signin", s.page(s.signin), false},
		{"GET", "/console/totp", s.page(s.totpPage), false},
		{"POST", "/console/totp", s.page(s.totp), false},
		{"GET", "/console/enrol", s.page(s.enrolPage), false},
		{"POST", "/console/enrol", s.page(s.enrol), false},
		{"POST", "/console/signout", s.signedIn(s.signout), false},
		{"POST", "/console/signout-everywhere", s.signedIn(s.signoutEverywhere), false},
		{"GET", "/console/requests/{id}", s.signedIn(s.requestPage), false},
		{"POST", "/console/requests/{id}/review", s.signedIn(s.consoleReview), false},
		{"POST", "/console/requests/{id}/approve", s.signedIn(s.consoleApprove), false},
		{"POST", "/console/requests/{id}/human-rights", s.signedIn(s.consoleAssess), false},
		{"POST", "/console/requests/{id}/assign", s.signedIn(s.consoleAssign), false},
		{"POST", "/console/requests/{id}/escalate", s.signedIn(s.consoleEscalate), false},
		{"POST", "/console/requests/{id}/send-back", s.signedIn(s.consoleSendBack), false},
		{"POST", "/console/requests/{id}/close", s.signedIn(s.consoleClose), false},
		{"GET", "/console/requests/{id}/documents/{doc}", s.signedIn(s.consoleDocument), false},
		{"GET", "/console/audit/{index}", s.signedIn(s.consoleProof), false},
		{"GET", "/console/jurisdictions", s.signedIn(s.jurisdictionsPage), false},
		{"POST", "/console/jurisdictions/pause", s.signedIn(s.consolePause), false},
		{"POST", "/console/jurisdictions/{code}/resume", s.signedIn(s.consoleResume), false},
		{"GET", "/console/staff", s.signedIn(s.staffPage), false},
		{"POST", "/console/staff", s.signedIn(s.addStaff), false},
		{"POST", "/console/staff/{id}/disable", s.signedIn(s.disableStaff), false},
		{"GET", "/console/outbox", s.signedIn(s.outboxPage), false},
		{"GET", "/console/setup", s.page(s.setupPage), false},
		{"GET", "/transparency", s.page(s.transparency), false},
		{"GET", "/transparency/{file}", s.api(s.transparencyFile), false},
		{"POST", "/console/setup", s.page(s.setup), false},
		{"", "/", s.api(s.notFound), false},
	}
}
