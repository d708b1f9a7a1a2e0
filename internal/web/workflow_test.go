package web_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// doneElsewhere lists the moves of the workflow table that no route of
// this package performs yet, and where they are built. The walk reaches
// their target status through the store, so that the moves out of it are
// still walked through routes.
var doneElsewhere = map[dueprocess.Move]string{}

// walker drives requests of the German agency through the API. Its policy
// is the built-in one, except for the requests named in strict, which it
// refuses: an operator tightening the policy while they were paused.
type walker struct {
	t      *testing.T
	e      *env
	mu     sync.Mutex
	strict map[string]bool
	paused bool // whether the walk's pause of DE is in force

	partial     func(id string) string // proposes a partial approval
	wantPartial bool                   // the walk's proposal is a partial approval
}

// refuseMarker in an offence's description makes the walk's policy refuse
// the request.
const refuseMarker = "the policy refuses this"

// Bodies of requests of the German agency: one the policy sends to review,
// one it escalates (an offence used against dissent), one it asks to
// narrow (too many targets).
var (
	walkReview   = strings.NewReplacer(`"HK"`, `"DE"`, `"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)
	walkEscalate = strings.NewReplacer(`"HK"`, `"DE"`, `"subpoena"`, `"court_order"`).Replace(hkRequest)
	walkNarrow   = func() string {
		var m map[string]any
		json.Unmarshal([]byte(walkReview), &m)
		var targets []any
		for i := range 26 {
			targets = append(targets, map[string]any{"type": "username", "value": fmt.Sprintf("account%02d", i)})
		}
		m["targets"] = targets
		b, _ := json.Marshal(m)
		return string(b)
	}()
)

func (w *walker) decide(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
	d := defaultPolicy(r, pauses)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.strict[r.ID] || (r.Offence != nil && strings.Contains(r.Offence.Description, refuseMarker)) {
		d.Outcome = dueprocess.OutcomeRefuse
		d.Reasons = append(d.Reasons, dueprocess.Reason{Rule: "test.strict", Outcome: dueprocess.OutcomeRefuse, Text: "The policy now refuses this request."})
	}
	return d
}

// call posts body to a request's route as token and fails the test on
// anything but 200.
func (w *walker) call(id, route, token, body string) {
	w.t.Helper()
	path := "/api/v1/requests/" + id + "/" + route
	if strings.HasPrefix(route, "/") {
		path = route
	}
	if status, b := w.e.do("POST", path, token, strings.NewReader(body)); status != 200 && status != 201 {
		w.t.Fatalf("POST %s: %d %s", path, status, b)
	}
}

func (w *walker) submit(body string) string {
	w.t.Helper()
	status, m := w.e.submit(w.e.de, body)
	if status != 201 {
		w.t.Fatalf("submit: %d %v", status, m)
	}
	return m["id"].(string)
}

func (w *walker) status(id string) dueprocess.Status {
	w.t.Helper()
	status, m := w.e.request(w.e.admin, id)
	if status != 200 {
		w.t.Fatalf("GET %s: %d %v", id, status, m)
	}
	return dueprocess.Status(m["status"].(string))
}

func (w *walker) pause() {
	w.call("", "/api/v1/jurisdictions/DE/pause", w.e.admin, `{"reason": "due diligence"}`)
	w.paused = true
}

func (w *walker) resume() {
	w.call("", "/api/v1/jurisdictions/DE/resume", w.e.admin, `{"reason": "done"}`)
	w.paused = false
}

// performers perform each move through a route: those out of received
// by submitting (the policy's decision is made as the request is
// stored), the others on the request id given, which stands where the
// move starts. Each returns the request's id.
func (w *walker) performers() map[dueprocess.Move]func(id string) string {
	e := w.e
	note := func(text string) string { return `{"note": "` + text + `"}` }
	review := func(decision string) func(string) string {
		return func(id string) string {
			cats := ""
			if decision == "partially_approve" {
				cats = `, "categories": ["subscriber"]`
			}
			w.call(id, "review", e.staff, `{"decision": "`+decision+`", "note": "checked"`+cats+`}`)
			return id
		}
	}
	route := func(path, token, body string) func(string) string {
		return func(id string) string { w.call(id, path, token, body); return id }
	}
	pause := func(id string) string { w.pause(); return id }
	w.partial = review("partially_approve")
	submit := func(body string) func(string) string { return func(string) string { return w.submit(body) } }
	withdraw := route("withdraw", e.de, `{"reason": "the investigation closed"}`)
	closeIt := route("close", e.staff, note("the agency was told"))
	assess := func(conclusion string) func(string) string {
		return route("human-rights", e.humanRights, `{"conclusion": "`+conclusion+`", "legality": "a court order",
			"necessity": "named in the order", "proportionality": "two months"}`)
	}
	// A release by the reviewer, put on the case: of a file added by hand
	// (disclosed), or of what a collect found when the platform holds
	// nothing on the target (no_data; its user is renamed away meanwhile).
	release := func(data bool) func(string) string {
		return func(id string) string {
			e.assign(id, e.staff)
			if data {
				w.call(id, "files?category=subscriber&name=walk.csv", e.staff, "account\nwalk\n")
			} else {
				e.platformDB.rename("demosisto", "moved-away")
				w.call(id, "collect", e.staff, "")
				e.platformDB.rename("moved-away", "demosisto")
			}
			e.confirmCallback(id)
			w.call(id, "release", e.staff, "")
			return id
		}
	}
	m := func(from, to dueprocess.Status) dueprocess.Move { return dueprocess.Move{From: from, To: to} }
	return map[dueprocess.Move]func(string) string{
		m(dueprocess.StatusApproved, dueprocess.StatusDisclosed):                 release(true),
		m(dueprocess.StatusPartiallyApproved, dueprocess.StatusDisclosed):        release(true),
		m(dueprocess.StatusApproved, dueprocess.StatusNoData):                    release(false),
		m(dueprocess.StatusPartiallyApproved, dueprocess.StatusNoData):           release(false),
		m(dueprocess.StatusReceived, dueprocess.StatusInReview):                  submit(walkReview),
		m(dueprocess.StatusReceived, dueprocess.StatusEscalated):                 submit(walkEscalate),
		m(dueprocess.StatusReceived, dueprocess.StatusNarrowingRequested):        submit(walkNarrow),
		m(dueprocess.StatusReceived, dueprocess.StatusPaused):                    func(string) string { w.pause(); return w.submit(walkReview) },
		m(dueprocess.StatusReceived, dueprocess.StatusRefused):                   submit(strings.Replace(walkReview, "posts calling", refuseMarker, 1)),
		m(dueprocess.StatusReceived, dueprocess.StatusWithdrawn):                 withdraw,
		m(dueprocess.StatusInReview, dueprocess.StatusAwaitingApproval):          review("approve"),
		m(dueprocess.StatusInReview, dueprocess.StatusRejected):                  review("reject"),
		m(dueprocess.StatusInReview, dueprocess.StatusNarrowingRequested):        review("request_narrowing"),
		m(dueprocess.StatusInReview, dueprocess.StatusNoData):                    review("no_data"),
		m(dueprocess.StatusInReview, dueprocess.StatusEscalated):                 route("escalate", e.staff, note("a journalist's account")),
		m(dueprocess.StatusInReview, dueprocess.StatusPaused):                    pause,
		m(dueprocess.StatusInReview, dueprocess.StatusWithdrawn):                 withdraw,
		m(dueprocess.StatusEscalated, dueprocess.StatusInReview):                 assess("proceed"),
		m(dueprocess.StatusEscalated, dueprocess.StatusRefused):                  assess("refuse"),
		m(dueprocess.StatusEscalated, dueprocess.StatusPaused):                   pause,
		m(dueprocess.StatusEscalated, dueprocess.StatusWithdrawn):                withdraw,
		m(dueprocess.StatusNarrowingRequested, dueprocess.StatusInReview):        route("reply", e.de, `{"note": "two weeks", "date_range": {"from": "2026-02-01", "to": "2026-02-14"}}`),
		m(dueprocess.StatusNarrowingRequested, dueprocess.StatusPaused):          pause,
		m(dueprocess.StatusNarrowingRequested, dueprocess.StatusWithdrawn):       withdraw,
		m(dueprocess.StatusNarrowingRequested, dueprocess.StatusClosed):          closeIt,
		m(dueprocess.StatusAwaitingApproval, dueprocess.StatusApproved):          route("approve", e.approver, note("four eyes")),
		m(dueprocess.StatusAwaitingApproval, dueprocess.StatusPartiallyApproved): route("approve", e.approver, note("four eyes")),
		m(dueprocess.StatusAwaitingApproval, dueprocess.StatusInReview):          route("send-back", e.approver, note("look again at the range")),
		m(dueprocess.StatusAwaitingApproval, dueprocess.StatusPaused):            pause,
		m(dueprocess.StatusAwaitingApproval, dueprocess.StatusWithdrawn):         withdraw,
		m(dueprocess.StatusApproved, dueprocess.StatusPaused):                    pause,
		m(dueprocess.StatusApproved, dueprocess.StatusWithdrawn):                 withdraw,
		m(dueprocess.StatusPartiallyApproved, dueprocess.StatusPaused):           pause,
		m(dueprocess.StatusPartiallyApproved, dueprocess.StatusWithdrawn):        withdraw,
		m(dueprocess.StatusRefused, dueprocess.StatusClosed):                     closeIt,
		m(dueprocess.StatusRejected, dueprocess.StatusClosed):                    closeIt,
		m(dueprocess.StatusNoData, dueprocess.StatusClosed):                      closeIt,
		m(dueprocess.StatusDisclosed, dueprocess.StatusClosed):                   closeIt,
		// Out of paused: a resume, with the request standing where the
		// path below put it, or a withdrawal.
		m(dueprocess.StatusPaused, dueprocess.StatusInReview):           func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusEscalated):          func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusNarrowingRequested): func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusRefused):            func(id string) string { w.strictly(id); w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusAwaitingApproval):   func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusApproved):           func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusPartiallyApproved):  func(id string) string { w.resume(); return id },
		m(dueprocess.StatusPaused, dueprocess.StatusWithdrawn):          withdraw,
	}
}

func (w *walker) strictly(id string) {
	w.mu.Lock()
	w.strict[id] = true
	w.mu.Unlock()
}

// path returns the moves that bring a new request to where move starts,
// for the moves that need more than the shortest way there: out of
// paused, a request goes back where the pause found it; a partial
// approval needs a partial proposal.
func path(move dueprocess.Move) []dueprocess.Move {
	m := func(from, to dueprocess.Status) dueprocess.Move { return dueprocess.Move{From: from, To: to} }
	const (
		rcv  = dueprocess.StatusReceived
		rev  = dueprocess.StatusInReview
		esc  = dueprocess.StatusEscalated
		nar  = dueprocess.StatusNarrowingRequested
		wait = dueprocess.StatusAwaitingApproval
		ok   = dueprocess.StatusApproved
		part = dueprocess.StatusPartiallyApproved
		paus = dueprocess.StatusPaused
	)
	toApproval := []dueprocess.Move{m(rcv, rev), m(rev, wait)}
	if move.From == paus {
		switch move.To {
		case esc:
			return []dueprocess.Move{m(rcv, esc), m(esc, paus)}
		case nar:
			return []dueprocess.Move{m(rcv, nar), m(nar, paus)}
		case wait:
			return append(toApproval, m(wait, paus))
		case ok:
			return append(toApproval, m(wait, ok), m(ok, paus))
		case part:
			return append(toApproval, m(wait, part), m(part, paus))
		}
		return []dueprocess.Move{m(rcv, paus)}
	}
	switch move.From {
	case rcv:
		return nil
	case rev, esc, nar:
		return []dueprocess.Move{m(rcv, move.From)}
	case wait:
		return toApproval
	case ok, part:
		return append(toApproval, m(wait, move.From))
	case dueprocess.StatusRefused:
		return []dueprocess.Move{m(rcv, esc), m(esc, dueprocess.StatusRefused)}
	case dueprocess.StatusDisclosed:
		return append(toApproval, m(wait, ok), m(ok, dueprocess.StatusDisclosed))
	}
	return []dueprocess.Move{m(rcv, rev), m(rev, move.From)}
}

// TestEveryMoveHasARoute walks the workflow table: for every move, it
// brings a new request to where the move starts, performs the move
// through the route that does it, and checks where the request stands.
// A move of the table with no route performing it fails the test, unless
// doneElsewhere names where it is built.
func TestEveryMoveHasARoute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := &walker{t: t, strict: map[string]bool{}}
		w.e = newEnvWith(t, db, web.Limits{}, db.Blobs(), w.decide)
		perform := w.performers()
		moves := dueprocess.Moves()
		for move := range perform {
			if dueprocess.CheckMove(move.From, move.To) != nil {
				t.Errorf("the walk performs %s, which is not in the workflow table", move)
			}
		}
		for _, move := range moves {
			if where, ok := doneElsewhere[move]; ok {
				t.Logf("%s: built in %s", move, where)
				continue
			}
			if perform[move] == nil {
				t.Errorf("no route performs %s", move)
				continue
			}
			steps := append(path(move), move)
			w.wantPartial = slices.Contains(steps, dueprocess.Move{From: dueprocess.StatusAwaitingApproval, To: dueprocess.StatusPartiallyApproved})
			id := ""
			if move.From == dueprocess.StatusReceived && move.To == dueprocess.StatusWithdrawn {
				id = w.received()
			}
			for _, step := range steps {
				id = w.step(step, perform, id)
			}
			if w.paused {
				w.resume()
			}
		}
	})
}

// step performs one move, through its route, or through the store for a
// move built elsewhere, and checks that the request stands where it leads.
func (w *walker) step(move dueprocess.Move, perform map[dueprocess.Move]func(string) string, id string) string {
	w.t.Helper()
	if _, ok := doneElsewhere[move]; ok {
		err := w.e.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetStatus(ctx, id, move.To, dueprocess.System, "test") })
		if err != nil {
			w.t.Fatal(err)
		}
		return id
	}
	if move.From == dueprocess.StatusInReview && move.To == dueprocess.StatusAwaitingApproval && w.wantPartial {
		id = w.partial(id)
	} else {
		id = perform[move](id)
	}
	if got := w.status(id); got != move.To {
		w.t.Errorf("%s on %s: the request is %s", move, id, got)
	}
	return id
}

// received stores a request that no policy has decided yet, as one stored
// before a decision would stand, through the store: no route leaves a
// request in received.
func (w *walker) received() string {
	w.t.Helper()
	var in dueprocess.NewRequest
	if err := json.Unmarshal([]byte(walkReview), &in); err != nil {
		w.t.Fatal(err)
	}
	r, err := in.Check()
	if err != nil {
		w.t.Fatal(err)
	}
	p := mustPrincipal(w.t, w.e.db, w.e.de)
	r.AgencyID, r.OfficialID = p.Agency.ID, p.Official.ID
	err = w.e.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateRequest(ctx, r, p.Actor())
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID
}
