package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// Who calls, in the role matrix. "own" is the official of the agency whose
// request is used; "other" an official of another agency.
var callers = []string{"anonymous", "own", "other", "intake", "reviewer", "approver", "human_rights", "admin", "auditor"}

// matrix says, for every API route, who may call it: "*" anyone, "staff"
// every staff role, or a list of callers. Everyone else gets 401 without
// a token, 404 for another agency's request on routes officials use, and
// 403 otherwise. A route
// missing from here fails the test.
var matrix = map[string]string{
	"POST /api/v1/requests":                     "own other",
	"GET /api/v1/requests":                      "staff",
	"GET /api/v1/requests/{id}":                 "own staff",
	"GET /api/v1/requests/{id}/events":          "own staff",
	"POST /api/v1/requests/{id}/documents":      "own intake admin",
	"GET /api/v1/requests/{id}/documents/{doc}": "own admin", // and staff assigned to the case
	"POST /api/v1/requests/{id}/review":         "reviewer",
	"POST /api/v1/requests/{id}/approve":        "approver",
	"POST /api/v1/requests/{id}/human-rights":   "human_rights",
	"POST /api/v1/requests/{id}/assign":         "reviewer admin",
	"POST /api/v1/requests/{id}/withdraw":       "own",
	"GET /api/v1/jurisdictions":                 "*",
	"GET /api/v1/jurisdictions/{code}":          "*",
	"POST /api/v1/jurisdictions/{code}/pause":   "admin",
	"POST /api/v1/jurisdictions/{code}/resume":  "admin",
	"GET /api/v1/audit/checkpoint":              "*",
	"GET /api/v1/audit/key":                     "*",
	"GET /api/v1/audit/entries/{index}":         "auditor admin",
	"GET /api/v1/audit/proof/inclusion":         "*",
	"GET /api/v1/audit/proof/consistency":       "*",
	"GET /api/v1/openapi.json":                  "*",
	"GET /healthz":                              "*",
}

func allowed(rule, caller string) bool {
	for _, who := range strings.Fields(rule) {
		switch {
		case who == "*", who == caller:
			return true
		case who == "staff" && caller != "anonymous" && caller != "own" && caller != "other":
			return true
		}
	}
	return false
}

// TestRoleMatrix calls every API route as every caller, on a request of
// the "own" agency, and checks who is let through.
func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tokens := map[string]string{"own": e.hk, "other": e.de, "intake": e.intake, "reviewer": e.staff, "approver": e.approver,
			"human_rights": e.humanRights, "admin": e.admin, "auditor": e.auditor}
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		status, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
		if status != 201 {
			t.Fatalf("document: %d %s", status, b)
		}
		var doc struct{ ID string }
		json.Unmarshal(b, &doc)

		// Every route served is in the matrix, and every row is a route.
		cp, _ := checkpointer(t, db)
		served := web.New(web.Config{DB: db, Decide: defaultPolicy, Checkpoints: cp}).Routes()
		sort.Strings(served)
		for _, r := range served {
			if _, ok := matrix[r]; !ok {
				t.Errorf("route %s has no row in the role matrix", r)
			}
		}
		if len(served) != len(matrix) {
			t.Errorf("the matrix has %d rows for %d routes", len(matrix), len(served))
		}

		bodies := map[string]func(caller string) (string, io.Reader){
			"POST /api/v1/requests": func(caller string) (string, io.Reader) {
				if caller == "other" {
					return "application/json", strings.NewReader(strings.ReplaceAll(hkRequest, `"HK"`, `"DE"`))
				}
				return "application/json", strings.NewReader(hkRequest)
			},
			"POST /api/v1/requests/{id}/withdraw": func(string) (string, io.Reader) {
				return "application/json", strings.NewReader(`{"reason": "the investigation closed"}`)
			},
			"POST /api/v1/requests/{id}/documents": func(string) (string, io.Reader) {
				return "application/pdf", bytes.NewReader(pdf(2000))
			},
		}
		path := func(route string) string {
			p := strings.SplitN(route, " ", 2)[1]
			p = strings.ReplaceAll(p, "{id}", id)
			p = strings.ReplaceAll(p, "{doc}", doc.ID)
			p = strings.ReplaceAll(p, "{code}", "FR")
			p = strings.ReplaceAll(p, "{index}", "0")
			switch {
			case strings.HasSuffix(p, "/inclusion"):
				p += "?index=0&size=1"
			case strings.HasSuffix(p, "/consistency"):
				p += "?old=1&new=1"
			}
			return p
		}
		for _, route := range served {
			method := strings.SplitN(route, " ", 2)[0]
			for _, caller := range callers {
				var body io.Reader
				contentType := ""
				if method == "POST" {
					contentType, body = "application/json", strings.NewReader(`{}`)
					if f := bodies[route]; f != nil {
						contentType, body = f(caller)
					}
				}
				status, b := e.do(method, path(route), tokens[caller], body, "Content-Type", contentType)
				want := "through"
				if !allowed(matrix[route], caller) {
					want = "403"
					switch {
					case caller == "anonymous":
						want = "401"
					case caller == "other" && strings.Contains(route, "{id}") && allowed(matrix[route], "own"):
						// Another agency's request looks missing, so ids
						// cannot be probed; on staff-only routes any
						// official is simply refused.
						want = "404"
					}
				}
				got := fmt.Sprint(status)
				if want == "through" {
					if status == 401 || status == 403 || (status == 404 && strings.Contains(route, "{id}")) {
						t.Errorf("%s as %s: %d, want to be let through: %.200s", route, caller, status, b)
					}
				} else if got != want {
					t.Errorf("%s as %s: %d, want %s: %.200s", route, caller, status, want, b)
				}
			}
		}
	})
}

// consoleMatrix is the role matrix of the console's pages and forms, in
// the notation of matrix.
var consoleMatrix = map[string]string{
	"GET /console":                              "staff",
	"GET /console/requests/{id}":                "staff",
	"GET /console/jurisdictions":                "staff",
	"POST /console/requests/{id}/review":        "reviewer",
	"POST /console/requests/{id}/approve":       "approver",
	"POST /console/requests/{id}/human-rights":  "human_rights",
	"POST /console/requests/{id}/assign":        "reviewer admin",
	"POST /console/jurisdictions/pause":         "admin",
	"POST /console/jurisdictions/{code}/resume": "admin",
	"POST /console/signout-everywhere":          "staff",
}

// TestConsoleRoleMatrix signs in as every staff role and as nobody, and
// calls every console page and form.
func TestConsoleRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		for _, caller := range append([]string{"anonymous"}, callers[3:]...) {
			b := newBrowser(t, db)
			csrf := ""
			if caller != "anonymous" {
				_, secret := staffMember(t, db, caller+"@matrix.example.com", dueprocess.Role(caller))
				b.signIn(caller+"@matrix.example.com", secret)
				csrf = b.form("/console")
			}
			routes := make([]string, 0, len(consoleMatrix))
			for r := range consoleMatrix {
				routes = append(routes, r)
			}
			sort.Strings(routes) // signout-everywhere sorts after the others it would end
			for _, route := range routes {
				method, p, _ := strings.Cut(route, " ")
				p = strings.NewReplacer("{id}", id, "{code}", "FR").Replace(p) // a request's id: no such staff member
				var status int
				var loc string
				if method == "GET" {
					status, loc, _ = b.get(p)
				} else {
					status, loc, _ = b.post(p, url.Values{"csrf": {csrf}})
				}
				switch {
				case caller == "anonymous":
					if status != 303 || !strings.HasPrefix(loc, "/console/signin") {
						t.Errorf("%s, signed out: %d to %q, want the sign-in page", route, status, loc)
					}
				case allowed(consoleMatrix[route], caller):
					if status == 401 || status == 403 || (status == 303 && strings.HasPrefix(loc, "/console/signin") && !strings.Contains(route, "signout")) {
						t.Errorf("%s as %s: %d to %q, want to be let through", route, caller, status, loc)
					}
				default:
					if status != 403 {
						t.Errorf("%s as %s: %d, want 403", route, caller, status)
					}
				}
			}
		}
	})
}
