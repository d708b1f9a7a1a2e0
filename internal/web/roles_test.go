package web_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// Who calls, in the role matrix. "own" is the official of the agency whose
// request is used; "other" an official of another agency.
var callers = []string{"anonymous", "own", "other", "intake", "reviewer", "approver", "human_rights", "admin", "auditor", "platform"}

// matrix says, for every API route, who may call it: "*" anyone, "staff"
// every staff role but the platform's, or a list of callers. Everyone else gets 401 without
// a token, 404 for another agency's request on routes officials use, and
// 403 otherwise. A route
// missing from here fails the test.
var matrix = map[string]string{
	"POST /api/v1/requests":                       "own other",
	"GET /api/v1/requests":                        "staff",
	"GET /api/v1/requests/{id}":                   "own staff",
	"GET /api/v1/requests/{id}/events":            "own staff",
	"POST /api/v1/requests/{id}/documents":        "own intake admin",
	"GET /api/v1/requests/{id}/documents/{doc}":   "own admin", // and staff assigned to the case
	"POST /api/v1/requests/{id}/review":           "reviewer",
	"POST /api/v1/requests/{id}/approve":          "approver",
	"POST /api/v1/requests/{id}/human-rights":     "human_rights",
	"POST /api/v1/requests/{id}/assign":           "reviewer admin",
	"POST /api/v1/requests/{id}/withdraw":         "own",
	"POST /api/v1/requests/{id}/items/actions":    "reviewer",
	"POST /api/v1/requests/{id}/items/confirm":    "approver",
	"GET /api/v1/actions":                         "platform",
	"GET /api/v1/requests/{id}/statements":        "staff",
	"GET /api/v1/requests/{id}/lumen":             "staff",
	"POST /api/v1/requests/{id}/escalate":         "reviewer",
	"POST /api/v1/requests/{id}/send-back":        "approver",
	"POST /api/v1/requests/{id}/reply":            "own",
	"POST /api/v1/requests/{id}/close":            "reviewer approver admin",
	"POST /api/v1/requests/{id}/extend":           "own",
	"GET /api/v1/holds":                           "staff",
	"GET /api/v1/holds/check":                     "platform",
	"POST /api/v1/holds/{id}/release":             "approver admin",
	"GET /api/v1/jurisdictions":                   "*",
	"GET /api/v1/jurisdictions/{code}":            "*",
	"POST /api/v1/jurisdictions/{code}/pause":     "admin",
	"POST /api/v1/jurisdictions/{code}/resume":    "admin",
	"GET /api/v1/audit/checkpoint":                "*",
	"GET /api/v1/audit/key":                       "*",
	"GET /api/v1/audit/entries/{index}":           "auditor admin",
	"GET /api/v1/audit/proof/inclusion":           "*",
	"GET /api/v1/audit/proof/consistency":         "*",
	"GET /api/v1/openapi.json":                    "*",
	"GET /healthz":                                "*",
	"POST /api/v1/requests/{id}/callback":         "intake reviewer admin",
	"POST /api/v1/agencies/{agency}/contact":      "admin",
	"POST /api/v1/agencies/{agency}/suspend":      "admin",
	"POST /api/v1/agencies/{agency}/reinstate":    "admin",
	"POST /api/v1/officials/{official}/suspend":   "admin",
	"POST /api/v1/officials/{official}/reinstate": "admin",
	"GET /api/v1/alerts":                          "admin",
	"POST /api/v1/requests/{id}/files":            "reviewer approver", // on a case assigned to them
	"POST /api/v1/requests/{id}/collect":          "reviewer approver", // on a case assigned to them
	"POST /api/v1/requests/{id}/release":          "reviewer approver", // on a case assigned to them
	"GET /api/v1/requests/{id}/response":          "own",
	"GET /api/v1/requests/{id}/package":           "own",
	"GET /api/v1/requests/{id}/notices":           "admin", // and staff assigned to the case
	"POST /api/v1/requests/{id}/cannot-comply":    "reviewer approver",
	"GET /api/v1/requests/{id}/cannot-comply":     "own staff",
	// The enforcing authority's objection and the emergency validation.
	"POST /api/v1/requests/{id}/enforcing-objection": "reviewer approver",
	"POST /api/v1/requests/{id}/validation":          "reviewer approver",
}

func allowed(rule, caller string) bool {
	for _, who := range strings.Fields(rule) {
		switch {
		case who == "*", who == caller:
			return true
		case who == "staff" && caller != "anonymous" && caller != "own" && caller != "other" && caller != "platform":
			return true
		}
	}
	return false
}

// target is the account named by every request of the "own" agency in
// the role matrix: no answer to anyone but that agency and an admin may
// carry it, since no staff member is on any of these cases. It is a name
// found nowhere else (the OpenAPI document's example names demosisto).
const target = "matrix-target-5d1c"

// seesTargets says which callers of the role matrix may see a request's
// targets: the requesting agency and admins. Every other staff member is
// off the case.
var seesTargets = map[string]bool{"own": true, "admin": true}

// TestRoleMatrix calls every API route as every caller, on a request of
// the "own" agency, and checks who is let through. Each write route
// acts on a request in the state it needs, with a body it accepts, so
// that its answer is really given to the first caller let through; and
// no answer of any route, read or write, carries a target to a caller
// off the case.
func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tokens := map[string]string{"own": e.hk, "other": e.de, "intake": e.intake, "reviewer": e.staff, "approver": e.approver,
			"human_rights": e.humanRights, "admin": e.admin, "auditor": e.auditor, "platform": e.platform}
		submit := func(body, status string) string {
			t.Helper()
			code, m := e.submit(e.hk, body)
			if code != 201 || m["status"] != status {
				t.Fatalf("submit: %d, status %v, want 201 and %s: %v", code, m["status"], status, m)
			}
			return m["id"].(string)
		}
		// A fraud case under a court order goes to review; hkRequest (an
		// alleged subversion) is escalated to the human-rights officer.
		escalated := strings.ReplaceAll(hkRequest, "demosisto", target)
		inReview := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(escalated)
		id := submit(escalated, "escalated")
		ids := map[string]string{
			"POST /api/v1/requests/{id}/review":        submit(inReview, "in_review"),
			"POST /api/v1/requests/{id}/approve":       submit(inReview, "in_review"),
			"POST /api/v1/requests/{id}/human-rights":  submit(escalated, "escalated"),
			"POST /api/v1/requests/{id}/assign":        submit(escalated, "escalated"),
			"POST /api/v1/requests/{id}/withdraw":      submit(escalated, "escalated"),
			"POST /api/v1/requests/{id}/items/actions": submit(hkContent, "in_review"),
			"POST /api/v1/requests/{id}/items/confirm": submit(hkContent, "in_review"),
			"GET /api/v1/requests/{id}/statements":     submit(hkContent, "in_review"),
			"GET /api/v1/requests/{id}/lumen":          submit(hkContent, "in_review"),
		}
		restrict := `{"items": [0, 1], "action": "restrict_in_jurisdiction", "reason": "a court found it defamatory"}`
		if status, b := e.do("POST", "/api/v1/requests/"+ids["POST /api/v1/requests/{id}/items/confirm"]+"/items/actions", e.staff, strings.NewReader(restrict)); status != 200 {
			t.Fatalf("proposal to restrict: %d %s", status, b)
		}
		ids["POST /api/v1/requests/{id}/escalate"] = submit(inReview, "in_review")
		ids["POST /api/v1/requests/{id}/send-back"] = submit(inReview, "in_review")
		ids["POST /api/v1/requests/{id}/reply"] = submit(inReview, "in_review")
		ids["POST /api/v1/requests/{id}/close"] = submit(inReview, "in_review")
		// A preservation request in review holds the target: its holds
		// are listed, released and extended below, and no listing may
		// show the target to staff off the case.
		preservation := strings.Replace(inReview, `"user_data"`, `"preservation"`, 1)
		ids["POST /api/v1/requests/{id}/extend"] = submit(preservation, "in_review")
		held, err := db.Holds(ctx, dueprocess.HoldFilter{RequestID: submit(preservation, "in_review")})
		if err != nil || len(held) != 1 {
			t.Fatalf("holds of the preservation request: %v, %v", held, err)
		}
		ids["POST /api/v1/holds/{id}/release"] = held[0].ID
		// An Annex III answer is only for an e-Evidence order, which the
		// other (German) agency sends; only staff may give one.
		if code, m := e.submit(e.de, deEPOC); code != 201 {
			t.Fatalf("submit the EPOC: %d %v", code, m)
		} else {
			ids["POST /api/v1/requests/{id}/cannot-comply"] = m["id"].(string)
			ids["POST /api/v1/requests/{id}/enforcing-objection"] = m["id"].(string)
		}
		// Only an emergency order of another authority takes a validation.
		if code, m := e.submit(e.de, emergencyEPOC(t)); code != 201 {
			t.Fatalf("submit the emergency EPOC: %d %v", code, m)
		} else {
			ids["POST /api/v1/requests/{id}/validation"] = m["id"].(string)
		}
		proposal := `{"decision": "approve", "note": "Subscriber records and IP logs, as the court order allows."}`
		// The disclosure routes act on approved requests whose reviewer
		// and approver are on the case, naming another account than
		// target: the answers of these routes go to staff on the case.
		gatherable := strings.ReplaceAll(inReview, target, "matrix-gathered-account")
		for _, route := range []string{"POST /api/v1/requests/{id}/files", "POST /api/v1/requests/{id}/collect",
			"POST /api/v1/requests/{id}/release", "GET /api/v1/requests/{id}/package"} {
			ids[route] = e.approve(e.hk, gatherable, proposal)
		}
		for _, route := range []string{"POST /api/v1/requests/{id}/release", "GET /api/v1/requests/{id}/package"} {
			if status, b := e.do("POST", "/api/v1/requests/"+ids[route]+"/files?category=subscriber&name=matrix.csv", e.staff, strings.NewReader("a\n")); status != 201 {
				t.Fatalf("file: %d %s", status, b)
			}
		}
		if status, b := e.do("POST", "/api/v1/requests/"+ids["GET /api/v1/requests/{id}/package"]+"/release", e.staff, nil); status != 200 {
			t.Fatalf("release: %d %s", status, b)
		}
		ids["GET /api/v1/requests/{id}/response"] = ids["GET /api/v1/requests/{id}/package"]
		for route, body := range map[string]string{
			"POST /api/v1/requests/{id}/approve":   proposal,
			"POST /api/v1/requests/{id}/send-back": proposal,
			"POST /api/v1/requests/{id}/reply":     `{"decision": "request_narrowing", "note": "Name the accounts the investigation needs."}`,
			"POST /api/v1/requests/{id}/close":     `{"decision": "reject", "note": "The order names no offence we can recognise."}`,
		} {
			if status, b := e.do("POST", "/api/v1/requests/"+ids[route]+"/review", e.staff, strings.NewReader(body)); status != 200 {
				t.Fatalf("review before %s: %d %s", route, status, b)
			}
		}
		admin, err := db.PrincipalByTokenHash(ctx, auth.HashToken(e.admin))
		if err != nil {
			t.Fatal(err)
		}
		status, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf")
		if status != 201 {
			t.Fatalf("document: %d %s", status, b)
		}
		var doc struct{ ID string }
		json.Unmarshal(b, &doc)
		// Each suspension route acts on an agency or official of its own,
		// so that no other route's caller loses their token; a
		// reinstatement needs one suspended first.
		spare := spareRegistry(t, db)

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

		jsonBody := func(body string) func(string) (string, io.Reader) {
			return func(string) (string, io.Reader) { return "application/json", strings.NewReader(body) }
		}
		bodies := map[string]func(caller string) (string, io.Reader){
			"POST /api/v1/requests": func(caller string) (string, io.Reader) {
				if caller == "other" {
					// The other agency names someone else: its own
					// request's targets are its to see.
					return "application/json", strings.NewReader(strings.NewReplacer(`"HK"`, `"DE"`, target, "someone-else").Replace(escalated))
				}
				return "application/json", strings.NewReader(escalated)
			},
			"POST /api/v1/requests/{id}/review":  jsonBody(proposal),
			"POST /api/v1/requests/{id}/approve": jsonBody(`{"note": "checked the order and the agency"}`),
			"POST /api/v1/requests/{id}/human-rights": jsonBody(`{"conclusion": "proceed", "legality": "a court order under the ordinance",
				"necessity": "the account is named in the order", "proportionality": "two months of subscriber records"}`),
			"POST /api/v1/requests/{id}/assign":           jsonBody(`{"staff_id": "` + admin.Staff.ID + `"}`),
			"POST /api/v1/requests/{id}/items/actions":    jsonBody(`{"items": [0], "action": "no_action", "reason": "political speech"}`),
			"POST /api/v1/requests/{id}/items/confirm":    jsonBody(`{"items": [0, 1], "note": "checked the judgment"}`),
			"POST /api/v1/requests/{id}/escalate":         jsonBody(`{"note": "the account belongs to a journalist"}`),
			"POST /api/v1/requests/{id}/send-back":        jsonBody(`{"note": "the date range needs a second look"}`),
			"POST /api/v1/requests/{id}/reply":            jsonBody(`{"note": "the one account is all we need"}`),
			"POST /api/v1/requests/{id}/close":            jsonBody(`{"note": "the agency was told"}`),
			"POST /api/v1/jurisdictions/{code}/pause":     jsonBody(`{"reason": "human-rights due diligence"}`),
			"POST /api/v1/jurisdictions/{code}/resume":    jsonBody(`{"reason": "due diligence complete"}`),
			"POST /api/v1/holds/{id}/release":             jsonBody(`{"reason": "the agency withdrew it by phone"}`),
			"POST /api/v1/requests/{id}/callback":         jsonBody(`{"dialled": "+852 2860 2000", "reached": "Duty Sergeant Wong", "outcome": "confirmed"}`),
			"POST /api/v1/agencies/{agency}/contact":      jsonBody(`{"callback_phone": "+852 2860 2000", "supervisor_contact": "Superintendent Lee"}`),
			"POST /api/v1/agencies/{agency}/suspend":      jsonBody(`{"reason": "a hijacked mail server"}`),
			"POST /api/v1/agencies/{agency}/reinstate":    jsonBody(`{"reason": "rebuilt"}`),
			"POST /api/v1/officials/{official}/suspend":   jsonBody(`{"reason": "a failed callback"}`),
			"POST /api/v1/officials/{official}/reinstate": jsonBody(`{"reason": "confirmed in person"}`),
			"POST /api/v1/requests/{id}/cannot-comply":    jsonBody(`{"kind": "clarification", "clarification": "Which account is meant?"}`),
			// e-Evidence: the enforcing authority and the validation.
			"POST /api/v1/requests/{id}/enforcing-objection": jsonBody(objectionBody),
			"POST /api/v1/requests/{id}/validation":          jsonBody(validationBody),
			"POST /api/v1/requests/{id}/withdraw": func(string) (string, io.Reader) {
				return "application/json", strings.NewReader(`{"reason": "the investigation closed"}`)
			},
			"POST /api/v1/requests/{id}/documents": func(string) (string, io.Reader) {
				return "application/pdf", bytes.NewReader(pdf(2000))
			},
			"POST /api/v1/requests/{id}/files": func(string) (string, io.Reader) {
				return "text/csv", strings.NewReader("username\nmatrix\n")
			},
		}
		path := func(route string) string {
			p := strings.SplitN(route, " ", 2)[1]
			p = strings.ReplaceAll(p, "{id}", cmp.Or(ids[route], id))
			p = strings.ReplaceAll(p, "{doc}", doc.ID)
			p = strings.ReplaceAll(p, "{agency}", spare[route])
			p = strings.ReplaceAll(p, "{official}", spare[route])
			p = strings.ReplaceAll(p, "{code}", "FR")
			p = strings.ReplaceAll(p, "{index}", "0")
			switch {
			case strings.HasSuffix(p, "/inclusion"):
				p += "?index=0&size=1"
			case strings.HasSuffix(p, "/consistency"):
				p += "?old=1&new=1"
			case strings.HasSuffix(p, "/files"):
				p += "?category=subscriber&name=matrix-file.csv"
			case strings.HasSuffix(p, "/holds/check"):
				p += "?type=username&value=" + target
			}
			return p
		}
		for _, route := range served {
			method := strings.SplitN(route, " ", 2)[0]
			answered := false // whether a caller let through got a 2xx yet
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
				if !seesTargets[caller] && bytes.Contains(b, []byte(target)) {
					t.Errorf("%s as %s: %d, the answer carries the target %q to a caller off the case: %.300s", route, caller, status, target, b)
				}
				if want == "through" && method == "POST" && !answered {
					// The first caller let through a write route gets its
					// answer, so that the check above sees that answer.
					if status < 200 || status > 299 {
						t.Errorf("%s as %s: %d, want the write to succeed: %.300s", route, caller, status, b)
					}
					answered = true
				}
				if want == "through" {
					if status == 401 || status == 403 || (status == 404 && strings.Contains(route, "{id}")) {
						t.Errorf("%s as %s: %d, want to be let through: %.200s", route, caller, status, b)
					}
				} else if got != want {
					t.Errorf("%s as %s: %d, want %s: %.200s", route, caller, status, want, b)
				}
			}
		}
		// The target check above is not empty: the callers who may see
		// the target are shown it.
		for _, caller := range []string{"own", "admin"} {
			if status, b := e.do("GET", "/api/v1/requests/"+id, tokens[caller], nil); status != 200 || !bytes.Contains(b, []byte(target)) {
				t.Errorf("GET as %s: %d, want the request with its target %q: %.300s", caller, status, target, b)
			}
		}
	})
}

// spareRegistry makes, for each suspension route of the matrix, an agency
// or an official of its own, suspended already for a reinstatement.
func spareRegistry(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ids := map[string]string{}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for i, route := range []string{"agencies/{agency}/contact", "agencies/{agency}/suspend", "agencies/{agency}/reinstate",
			"officials/{official}/suspend", "officials/{official}/reinstate"} {
			domain := fmt.Sprintf("spare%d.example", i)
			a := &dueprocess.Agency{Name: "Spare " + domain, Jurisdiction: "FR", Kind: dueprocess.AgencyPolice, Domains: []string{domain}}
			if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
				return err
			}
			o := &dueprocess.Official{AgencyID: a.ID, Email: "o@" + domain, Name: "Spare"}
			if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
				return err
			}
			id := a.ID
			if strings.HasPrefix(route, "officials") {
				id = o.ID
			}
			ids["POST /api/v1/"+route] = id
			switch route {
			case "agencies/{agency}/reinstate":
				if err := tx.SuspendAgency(ctx, id, "spare", dueprocess.System); err != nil {
					return err
				}
			case "officials/{official}/reinstate":
				if err := tx.SuspendOfficial(ctx, id, "spare", dueprocess.System); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// consoleMatrix is the role matrix of the console's pages and forms, in
// the notation of matrix.
var consoleMatrix = map[string]string{
	"GET /console":                                   "staff",
	"GET /console/requests/{id}":                     "staff",
	"GET /console/jurisdictions":                     "staff",
	"GET /console/holds":                             "staff",
	"GET /console/audit/{index}":                     "staff",
	"GET /console/requests/{id}/documents/{doc}":     "admin", // and staff assigned to the case
	"POST /console/requests/{id}/review":             "reviewer",
	"POST /console/requests/{id}/approve":            "approver",
	"POST /console/requests/{id}/human-rights":       "human_rights",
	"POST /console/requests/{id}/assign":             "reviewer admin",
	"POST /console/requests/{id}/items":              "reviewer",
	"POST /console/requests/{id}/items/confirm":      "approver",
	"POST /console/requests/{id}/escalate":           "reviewer",
	"POST /console/requests/{id}/send-back":          "approver",
	"POST /console/requests/{id}/close":              "reviewer approver admin",
	"POST /console/jurisdictions/pause":              "admin",
	"POST /console/jurisdictions/{code}/resume":      "admin",
	"GET /console/staff":                             "admin",
	"POST /console/staff":                            "admin",
	"POST /console/staff/{id}/disable":               "admin",
	"POST /console/signout-everywhere":               "staff",
	"POST /console/signout":                          "staff",
	"GET /console/outbox":                            "admin",
	"GET /console/officials":                         "intake admin",
	"POST /console/officials/invite":                 "intake admin",
	"POST /console/officials/{id}/approve":           "intake admin",
	"POST /console/agencies/{id}/domains":            "admin",
	"GET /console/requests/new":                      "intake",
	"POST /console/requests/new":                     "intake",
	"POST /console/requests/{id}/callback":           "intake reviewer admin",
	"GET /console/agencies":                          "admin",
	"POST /console/agencies/{agency}/contact":        "admin",
	"POST /console/agencies/{agency}/suspend":        "admin",
	"POST /console/agencies/{agency}/reinstate":      "admin",
	"POST /console/officials/{official}/suspend":     "admin",
	"POST /console/officials/{official}/reinstate":   "admin",
	"POST /console/alerts/{alert}/dismiss":           "admin",
	"POST /console/requests/{id}/lift-nondisclosure": "approver",
	// Gathering and release are for the reviewer or approver on the case
	// only, and nobody here is on it (TestConsoleAndPortalDisclosure).
	"POST /console/requests/{id}/files":   "",
	"POST /console/requests/{id}/collect": "",
	"POST /console/requests/{id}/release": "",
	// e-Evidence orders' forms.
	"POST /console/requests/{id}/enforcing-objection": "reviewer approver",
	"POST /console/requests/{id}/cannot-comply":       "reviewer approver",
	"POST /console/requests/{id}/validation":          "reviewer approver",
}

// consolePublic are the console's routes that need no session: signing
// in and the first-run setup, tested on their own (TestConsoleSignin).
var consolePublic = map[string]bool{
	"GET /console/signin": true, "POST /console/signin": true,
	"GET /console/totp": true, "POST /console/totp": true,
	"GET /console/enrol": true, "POST /console/enrol": true,
	"GET /console/setup": true, "POST /console/setup": true,
}

// TestConsoleRoleMatrix signs in as every staff role and as nobody, and
// calls every console page and form. Every console route of the server
// is in the matrix or needs no session.
func TestConsoleRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)

		cp, _ := checkpointer(t, db)
		served := 0
		for _, r := range web.New(web.Config{DB: db, Decide: defaultPolicy, Checkpoints: cp}).PageRoutes() {
			_, p, _ := strings.Cut(r, " ")
			if !strings.HasPrefix(p, "/console") {
				continue
			}
			served++
			if _, ok := consoleMatrix[r]; !ok && !consolePublic[r] {
				t.Errorf("console route %s has no row in the console role matrix", r)
			}
		}
		if want := len(consoleMatrix) + len(consolePublic); served != want {
			t.Errorf("the console matrix and the public list have %d rows for %d console routes", want, served)
		}

		routes := make([]string, 0, len(consoleMatrix))
		for r := range consoleMatrix {
			routes = append(routes, r)
		}
		// Signing out comes last, since it ends the session the other
		// routes are called with: everywhere first, then this browser.
		last := map[string]int{"POST /console/signout-everywhere": 1, "POST /console/signout": 2}
		sort.Slice(routes, func(i, j int) bool {
			if last[routes[i]] != last[routes[j]] {
				return last[routes[i]] < last[routes[j]]
			}
			return routes[i] < routes[j]
		})
		for _, caller := range append([]string{"anonymous"}, callers[3:]...) {
			b := newBrowser(t, db)
			csrf := ""
			if caller != "anonymous" {
				_, secret := staffMember(t, db, caller+"@matrix.example.com", dueprocess.Role(caller))
				b.signIn(caller+"@matrix.example.com", secret)
				if caller != "platform" { // refused every console page
					csrf = b.form("/console")
				}
			}
			for _, route := range routes {
				method, p, _ := strings.Cut(route, " ")
				p = strings.NewReplacer("{id}", id, "{code}", "FR", "{index}", "0").Replace(p) // a request's id: no such staff member
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
