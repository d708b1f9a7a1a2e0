// Package web serves dueprocess over HTTP: the JSON API under /api/v1, the
// OpenAPI document that describes it, and the operational endpoints
// /healthz and /metrics.
package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/disclose"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Server is the HTTP side of dueprocess.
type Server struct {
	db         *store.DB
	blobs      *blob.Store
	log        *slog.Logger
	mux        *http.ServeMux
	metrics    *metrics
	perCaller  *limiter
	failedAuth *limiter
	decide     store.Decider
	itemRule   store.ItemRule
	hashes     *auth.Hashes
	// testHookHash, when set by a test, is told when each password hash
	// starts (true) and ends (false), within the bound on hashes.
	testHookHash func(start bool)

	disclose *disclose.Service

	checkpoints *audit.Checkpointer
	verifierKey string
	bandWidth   int

	notice   dueprocess.NoticePolicy
	contacts dueprocess.Contacter

	now           func() time.Time
	issuer        string
	secureCookies bool
	sessionIdle   time.Duration
	sessionMax    time.Duration

	// webauthn checks passkeys; nil when no relying party is configured.
	webauthn  *webauthn.WebAuthn
	publicURL string
	// mailLink sends an official the link of an invitation or a
	// registration; see officialLinkMail.
	mailLink func(ctx context.Context, tx *store.Tx, m *LinkMail) error
}

// Config is what a server is built from.
type Config struct {
	DB     *store.DB
	Blobs  *blob.Store
	Log    *slog.Logger // nil discards logs
	Limits Limits
	// Decide evaluates each request against the policy in force
	// (policy.Evaluate with the policy bound). Required.
	Decide store.Decider
	// ItemRule is the policy's word on actions on content items
	// (Policy.ItemAction of the policy in force); nil for the built-in
	// policy's.
	ItemRule store.ItemRule

	// Console sign-in. Issuer names the service in authenticator apps
	// (default "dueprocess"). SecureCookies marks cookies Secure even on
	// plain HTTP, for a server behind a TLS-terminating proxy. Sessions
	// end after SessionIdle without use (default 30 minutes) and
	// SessionMax after sign-in (default 12 hours).
	Issuer        string
	SecureCookies bool
	SessionIdle   time.Duration
	SessionMax    time.Duration
	// Checkpoints signs the audit log's checkpoints; VerifierKey is its
	// public key in note's text form, served at /api/v1/audit/key.
	// Required.
	Checkpoints *audit.Checkpointer
	VerifierKey string

	// Gatherer runs the connectors that collect gathers through; nil
	// when none are configured (collect then answers 409, and files are
	// added by hand). PackageLifetime is how long a released package may
	// be downloaded (default dueprocess.PackageLifetime).
	Gatherer        disclose.Gatherer
	PackageLifetime time.Duration

	// BandWidth is the width of the bands US national-security figures
	// are published in: 250 (the default), 500 or 1000.
	BandWidth int

	// PasswordHashes bounds how many password hashes (64 MiB each) run at
	// once in this process (default one per core); a sign-in that finds
	// no turn within PasswordHashWait (default 1 second) is answered 503.
	PasswordHashes   int
	PasswordHashWait time.Duration

	// Notice is the policy's notice section (default
	// dueprocess.DefaultNoticePolicy when zero) and Contacts the
	// connectors' contact lookup (nil: none), for planning user notices
	// (see Server.noticePlan).
	Notice   dueprocess.NoticePolicy
	Contacts dueprocess.Contacter
	// PublicURL is the address officials reach the server at, such as
	// "https://dueprocess.example.com", for the links sent to them; by
	// default the address the request that makes a link came to.
	PublicURL string
	// PasskeyRPID is the WebAuthn relying party's id, the host name that
	// passkeys are bound to (such as "dueprocess.example.com"), and
	// PasskeyOrigins the origins pages may be served from (by default
	// PublicURL). Without an id, officials use TOTP only.
	PasskeyRPID    string
	PasskeyOrigins []string

	// Now is the clock (default the database's); tests set it.
	Now func() time.Time
}

// New returns a server built from c.
func New(c Config) *Server {
	if c.Decide == nil || c.Checkpoints == nil {
		panic("web: Config.Decide and Config.Checkpoints are required")
	}
	if c.Notice == (dueprocess.NoticePolicy{}) {
		c.Notice = dueprocess.DefaultNoticePolicy
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{db: c.DB, blobs: c.Blobs, log: log, mux: http.NewServeMux(), metrics: newMetrics(c.DB),
		perCaller:  newLimiter(c.Limits.PerCaller, c.Limits.Burst),
		failedAuth: newLimiter(c.Limits.FailedAuthPerMinute/60, 20),
		decide:     c.Decide,
		itemRule:   c.ItemRule,
		hashes:     auth.NewHashes(c.PasswordHashes, c.PasswordHashWait),

		checkpoints: c.Checkpoints, verifierKey: c.VerifierKey, bandWidth: cmp.Or(c.BandWidth, 250),
		notice: c.Notice, contacts: c.Contacts,

		now: c.Now, issuer: cmp.Or(c.Issuer, "dueprocess"), secureCookies: c.SecureCookies,
		sessionIdle: cmp.Or(c.SessionIdle, 30*time.Minute), sessionMax: cmp.Or(c.SessionMax, 12*time.Hour),
	}
	if s.now == nil {
		s.now = c.DB.Now
	}
	if s.itemRule == nil {
		s.itemRule = policy.Default().ItemAction
	}
	s.disclose = &disclose.Service{DB: c.DB, Blobs: c.Blobs, Gatherer: c.Gatherer, Decide: c.Decide, Lifetime: c.PackageLifetime, Log: log}
	s.publicURL = strings.TrimSuffix(c.PublicURL, "/")
	s.mailLink = officialLinkMail
	w, err := relyingParty(c)
	if err != nil {
		panic("web: " + err.Error() + " (check the Config with CheckPasskeys first)")
	}
	s.webauthn = w
	s.metrics.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dueprocess_password_hashes_running",
			Help: "Password hashes running now, within their bound.",
		}, func() float64 { return float64(s.hashes.Running()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dueprocess_password_hashes_refused_total",
			Help: "Sign-ins answered 503 because every password hash slot stayed busy.",
		}, func() float64 { return float64(s.hashes.Refused()) }),
	)
	s.registerBacklog()
	for _, rt := range s.routes() {
		s.mux.Handle(strings.TrimSpace(rt.method+" "+rt.pattern), rt.handler)
	}
	return s
}

// relyingParty returns the WebAuthn relying party of c, or nil when c
// names none.
func relyingParty(c Config) (*webauthn.WebAuthn, error) {
	if c.PasskeyRPID == "" {
		return nil, nil
	}
	origins := c.PasskeyOrigins
	if len(origins) == 0 && c.PublicURL != "" {
		origins = []string{strings.TrimSuffix(c.PublicURL, "/")}
	}
	if len(origins) == 0 {
		return nil, fmt.Errorf("passkeys need the origins pages are served from (or a public URL)")
	}
	w, err := webauthn.New(&webauthn.Config{RPID: c.PasskeyRPID, RPDisplayName: cmp.Or(c.Issuer, "dueprocess"), RPOrigins: origins})
	if err != nil {
		return nil, fmt.Errorf("passkey settings: %w", err)
	}
	return w, nil
}

// CheckPasskeys reports what is wrong with c's passkey settings, so that a
// server refuses to start on them rather than fail later.
func CheckPasskeys(c Config) error {
	_, err := relyingParty(c)
	return err
}

// ServeHTTP serves one request, counting it in the metrics and logging it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.securityHeaders(w, r)
	s.mux.ServeHTTP(sw, r)
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("method", r.Method), slog.String("route", route),
		slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Duration("elapsed", elapsed))
}

// apiPolicy is the Content-Security-Policy of every answer that is not a
// console page (JSON, CSV, documents, redirects, errors): such an answer
// loads nothing and may not be framed, so that a browser sent to one
// directly can neither run anything in it nor embed it in another site.
// Pages replace it with their own (see pageHeaders).
const apiPolicy = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries. HSTS is sent only
// where the browser came over TLS, or the server is told that a proxy in
// front terminates TLS (SecureCookies): on plain HTTP it would be ignored,
// and a server on localhost must stay reachable without it.
func (s *Server) securityHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", apiPolicy)
	if r.TLS != nil || s.secureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dueprocess_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dueprocess_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "dueprocess_store_commits_total",
				Help: "Group commits to the database: each is one transaction and one fsync.",
			}, func() float64 { c, _ := db.CommitStats(); return float64(c) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "dueprocess_store_committed_transactions_total",
				Help: "Write transactions committed; divided by commits, the mean group size.",
			}, func() float64 { _, n := db.CommitStats(); return float64(n) }),
		)
	}
	return m
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// handlerFunc is an HTTP handler that returns its error instead of writing
// it; api turns the error into a JSON answer in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusOf maps each error kind to its HTTP status.
var statusOf = map[dueprocess.Kind]int{
	dueprocess.Invalid:         http.StatusBadRequest,
	dueprocess.NotFound:        http.StatusNotFound,
	dueprocess.Conflict:        http.StatusConflict,
	dueprocess.Unauthenticated: http.StatusUnauthorized,
	dueprocess.Forbidden:       http.StatusForbidden,
	dueprocess.TooLarge:        http.StatusRequestEntityTooLarge,
	dueprocess.Gone:            http.StatusGone,
	dueprocess.RateLimited:     http.StatusTooManyRequests,
	dueprocess.Unavailable:     http.StatusServiceUnavailable,
	dueprocess.Internal:        http.StatusInternalServerError,
}

func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := dueprocess.ErrorKind(err)
	status := statusOf[kind]
	if kind == dueprocess.Internal || kind == dueprocess.Unavailable {
		// Log the cause once, here; the caller sees only the safe message.
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	switch kind {
	case dueprocess.Unauthenticated:
		w.Header().Set("WWW-Authenticate", `Bearer realm="dueprocess"`)
	case dueprocess.RateLimited, dueprocess.Unavailable:
		// An unavailable database (full, read-only, unreachable) is
		// mended by an operator, not by the caller: the caller may only
		// retry, with the same Idempotency-Key, and is told when.
		w.Header().Set("Retry-After", "1")
	}
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	}
	writeJSON(w, status, map[string]body{"error": {Code: string(kind), Message: dueprocess.ErrorMessage(err), Field: dueprocess.ErrorField(err)}})
}

// writeJSON renders v into a buffer first, so that a failure to encode
// never leaves a half-written answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, buf.Bytes())
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}
