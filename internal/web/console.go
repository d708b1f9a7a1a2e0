package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report/chart"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console is the staff's server-rendered site under /console. Pages
// work without JavaScript; every state-changing form carries a CSRF token;
// sessions live in the database so that several servers share them.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// funcs are the templates' helpers: numbers with thousands separators,
// and percentages, "–" where there is none.
var funcs = template.FuncMap{
	"num": func(n int64) string { return chart.Number(float64(n)) },
	"opt": func(n *int64) string {
		if n == nil {
			return "–"
		}
		return chart.Number(float64(*n))
	},
	"pct": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return chart.Number(*p) + "%"
	},
	"hours": func(h *float64) string {
		switch {
		case h == nil:
			return "–"
		case *h < 48:
			return strconv.FormatFloat(*h, 'f', 1, 64) + " hours"
		}
		return strconv.FormatFloat(*h/24, 'f', 1, 64) + " days"
	},
}

// pages holds one template per page, each joined with the layout.
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		base := name[len("templates/") : len(name)-len(".html")]
		if base == "layout" {
			continue
		}
		m[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name))
	}
	return m
}()

// staticHandler serves the embedded files under /static/. A directory
// answers 404 rather than a listing: only files that pages link are served.
func (s *Server) staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	h := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if fi, err := fs.Stat(sub, strings.TrimSuffix(name, "/")); name == "" || err != nil || fi.IsDir() {
			s.writeError(w, r, dueprocess.Errorf(dueprocess.NotFound, "no such file: %s", r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// Cookie names and lifetimes. Each realm has its own session cookie
// (see realm.go).
const (
	csrfCookie = "dp_csrf" // for forms shown before a session exists
	// A sign-in must finish its second step within this time.
	pendingTimeout = 5 * time.Minute
)

// basePage is what every page has and the layout shows. Each page's
// struct embeds it and adds its own fields, so that a template sees only
// what its page has.
type basePage struct {
	Title string
	// Base is the realm's path, "/console" or "/portal", which forms
	// shared by both post under; "" is the console.
	Base  string
	Staff *dueprocess.Staff // the signed-in staff member; nil on public pages
	// Official and Agency are the signed-in official, in the portal.
	Official *dueprocess.Official
	Agency   *dueprocess.Agency
	CSRF     string
	Flash    string
	Error    string
	Status   int
	// Static is set on a page written as a file for a static host (the
	// report): its links are relative and lead only to files beside it.
	Static bool
	// Alerts are the administrators' alerts, shown as a banner on every
	// page to those who may dismiss them (docs/verification.md).
	Alerts []dueprocess.Alert
}

func (b *basePage) base() *basePage { return b }

// Home is the realm's first page, where the brand links.
func (b *basePage) Home() string {
	if b.Base == "" {
		return "/console"
	}
	return b.Base
}

// May reports whether the signed-in staff member holds the permission
// named, for templates: {{if .May "jurisdiction.pause"}}. A name that is
// no permission fails the page rather than hiding a form by mistake.
func (b *basePage) May(name string) (bool, error) {
	p := dueprocess.Permission(name)
	if !p.Known() {
		return false, fmt.Errorf("no permission %q", name)
	}
	return b.Staff.May(p), nil
}

// refuse shows err on the page again, with the status of its kind and the
// field at fault.
func (b *basePage) refuse(err error) {
	b.Error, b.Status = dueprocess.ErrorMessage(err), statusOf[dueprocess.ErrorKind(err)]
	if f := dueprocess.ErrorField(err); f != "" {
		b.Error = f + ": " + b.Error
	}
}

// pageData is what render takes: any page struct, by its base.
type pageData interface{ base() *basePage }

// queueRow is one request in the queue, with its deadline's urgency.
type queueRow struct {
	*dueprocess.Request
	Due string // "overdue", "due-soon" or ""
}

// render executes a page into a buffer, then writes it: a template error
// never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, v pageData) {
	var buf bytes.Buffer
	t, ok := pages[name]
	if !ok {
		s.pageError(w, r, dueprocess.Errorf(dueprocess.Internal, "no page %q", name))
		return
	}
	if b := v.base(); b.Staff != nil && b.Staff.May(dueprocess.PermRegistryManage) {
		alerts, err := s.db.Alerts(r.Context())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		b.Alerts = alerts
	}
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pageHeaders(w)
	status := v.base().Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageHeaders are the security headers of every console page: nothing
// loads from elsewhere, no page is framed, nothing is cached.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// pageError shows an error as a page, with the status of its kind.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	kind := dueprocess.ErrorKind(err)
	if kind == dueprocess.Internal || kind == dueprocess.Unavailable {
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
	}
	v := &basePage{Title: dueprocess.ErrorMessage(err), Status: statusOf[kind]}
	if strings.HasPrefix(r.URL.Path, portal.base) {
		v.Base = portal.base // the brand links back to the portal
	}
	s.render(w, r, "error", v)
}

// page adapts a console handler: errors become error pages.
func (s *Server) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.pageError(w, r, err)
		}
	})
}

// randomToken returns 32 random bytes in base64url.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// setCookie sets a console cookie: HttpOnly, SameSite=Lax, Secure when the
// connection is TLS (or the server is told it sits behind TLS).
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || s.secureCookies, SameSite: http.SameSiteLaxMode})
}

// formCSRF returns the CSRF token for a form shown before sign-in: a
// random value in a cookie, which the form repeats (double submit).
func (s *Server) formCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	v := randomToken()
	s.setCookie(w, r, csrfCookie, v, 0)
	return v
}

// checkCSRF compares a form's token with want in constant time.
func checkCSRF(r *http.Request, want string) error {
	got := r.PostFormValue("csrf")
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return dueprocess.Errorf(dueprocess.Forbidden, "the form has expired or did not come from this site; reload the page and try again")
	}
	return nil
}

// checkFormCSRF checks a form posted before sign-in against its cookie.
func checkFormCSRF(r *http.Request) error {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return checkCSRF(r, "")
	}
	return checkCSRF(r, c.Value)
}

// signedIn wraps a console page that needs a complete session; the
// handler gets the session and staff member. Without one, the browser
// goes to sign in; with a half-done one, to its second step. Posts are
// checked for the session's CSRF token.
func (s *Server) signedIn(h func(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error) http.Handler {
	return s.signedInLimit(maxFormBody, h)
}

// signedInUpload is signedIn for a form that carries a document: its body
// may hold a file of MaxDocumentSize and the form around it.
func (s *Server) signedInUpload(h func(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error) http.Handler {
	return s.signedInLimit(dueprocess.MaxDocumentSize+maxFormBody, h)
}

func (s *Server) signedInLimit(limit int64, h func(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error) http.Handler {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		se, err := s.session(w, r, console)
		if errors.Is(err, errNoSession) {
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return nil
		}
		if err != nil {
			return err
		}
		staff, err := s.db.Staff(r.Context(), se.StaffID)
		if err != nil {
			return err
		}
		if se.MFAAt == nil {
			http.Redirect(w, r, "/console/totp", http.StatusSeeOther)
			return nil
		}
		// The platform's deletion job has a staff record for its token,
		// and no business in the console.
		if err := allow(staff, dueprocess.PermConsoleUse); err != nil {
			return err
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if limit > maxFormBody {
				// A form with a file: a gathered file may take longer
				// than the server's read timeout, set for documents (a
				// network deadline: the real clock); and a body over
				// the limit is answered as too large, not as a form
				// without its CSRF token.
				http.NewResponseController(w).SetReadDeadline(time.Now().Add(transferTime))
				if err := parsePost(r); err != nil {
					return err
				}
			}
			if err := checkCSRF(r, se.CSRF); err != nil {
				return err
			}
		}
		return h(w, r, se, staff)
	})
}
