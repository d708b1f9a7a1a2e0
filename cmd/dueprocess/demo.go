package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/web"
)

// The demo: a fresh database filled with a generated but realistic
// history, so that a newcomer sees a living console and transparency
// report in one command. The proportions follow what the large companies
// publish: the United States far ahead, most requests answered in part,
// and Hong Kong's data requests held from 1 July 2020.

// demoAgency is one requesting country of the demo, with its agency, how
// many requests it sends a half-year, and the share answered.
type demoAgency struct {
	code, name, domain string
	perHalf            int
	answered           float64
	processes          []dueprocess.LegalProcessType
}

var demoAgencies = []demoAgency{
	{"US", "Federal Bureau of Investigation", "fbi.gov", 90, 0.82, []dueprocess.LegalProcessType{dueprocess.ProcessSubpoena, dueprocess.ProcessSubpoena, dueprocess.ProcessCourtOrder, dueprocess.ProcessSearchWarrant, dueprocess.ProcessSearchWarrant}},
	{"GB", "Metropolitan Police Service", "met.police.uk", 30, 0.85, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther}},
	{"DE", "Bundeskriminalamt", "bka.bund.de", 35, 0.68, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther, dueprocess.ProcessMLAT}},
	{"FR", "Police nationale", "interieur.gouv.fr", 28, 0.71, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther}},
	{"IN", "Central Bureau of Investigation", "cbi.gov.in", 40, 0.55, []dueprocess.LegalProcessType{dueprocess.ProcessOther, dueprocess.ProcessCourtOrder}},
	{"BR", "Polícia Federal", "pf.gov.br", 25, 0.60, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther}},
	{"HK", "Hong Kong Police Force", "police.gov.hk", 12, 0.46, []dueprocess.LegalProcessType{dueprocess.ProcessOther, dueprocess.ProcessCourtOrder}},
	{"JP", "National Police Agency", "npa.go.jp", 10, 0.75, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther}},
	{"AU", "Australian Federal Police", "afp.gov.au", 12, 0.72, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessOther}},
	{"CA", "Royal Canadian Mounted Police", "rcmp-grc.gc.ca", 10, 0.70, []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder, dueprocess.ProcessSearchWarrant}},
	{"MX", "Fiscalía General de la República", "fgr.org.mx", 8, 0.50, []dueprocess.LegalProcessType{dueprocess.ProcessOther, dueprocess.ProcessCourtOrder}},
	{"TR", "Emniyet Genel Müdürlüğü", "egm.gov.tr", 9, 0.30, []dueprocess.LegalProcessType{dueprocess.ProcessOther, dueprocess.ProcessCourtOrder}},
}

// hkPause is the day Hong Kong's National Security Law took effect.
var hkPause = time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)

// seedDemo fills db with the demo history from 2019 to now and returns how
// many requests it stored. It refuses a database that holds requests.
func seedDemo(ctx context.Context, c *cli, db *store.DB, seed uint64, now time.Time) (int, map[string]*dueprocess.Official, error) {
	if err := demoEmpty(ctx, db); err != nil {
		return 0, nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	by := demoActor
	officials := map[string]*dueprocess.Official{}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for _, d := range demoAgencies {
			a := &dueprocess.Agency{Name: d.name, Jurisdiction: d.code, Kind: dueprocess.AgencyPolice, Domains: []string{d.domain},
				CallbackPhone: demoPhone(d.code)}
			if err := tx.CreateAgency(ctx, a, by); err != nil {
				return err
			}
			o := &dueprocess.Official{AgencyID: a.ID, Email: "liaison@" + d.domain, Name: "Liaison officer"}
			if err := tx.CreateOfficial(ctx, o, by); err != nil {
				return err
			}
			officials[d.code] = o
		}
		_, err := tx.Pause(ctx, &dueprocess.Pause{Jurisdiction: "HK", StartedAt: hkPause, StartedBy: by,
			Reason: "National Security Law in force from 1 July 2020: data requests held pending human-rights due diligence",
			Scope:  dueprocess.PauseScope{Kinds: []dueprocess.RequestKind{dueprocess.KindUserData, dueprocess.KindPreservation, dueprocess.KindEmergency}}})
		return err
	})
	if err != nil {
		return 0, nil, err
	}

	total := 0
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	var halves []time.Time
	for t := start; t.Before(now); t = t.AddDate(0, 6, 0) {
		halves = append(halves, t)
	}
	refs := map[string]int{}
	for hi, half := range halves {
		var batch []*dueprocess.Request
		for _, d := range demoAgencies {
			n := d.perHalf/2 + rng.IntN(d.perHalf+1)
			for range n {
				at := half.Add(time.Duration(rng.Int64N(int64(half.AddDate(0, 6, 0).Sub(half)))))
				if !at.Before(now) {
					continue
				}
				// References are numbered per agency: an import refuses
				// a reference its agency has used already.
				refs[d.code]++
				batch = append(batch, demoRequest(rng, d, officials[d.code], at, now, refs[d.code]))
			}
		}
		if len(batch) == 0 {
			continue
		}
		err := db.TransactAlone(ctx, func(tx *store.Tx) error {
			for _, r := range batch {
				r.ID = ""
			}
			return tx.ImportRequests(ctx, "demo", fmt.Sprintf("demo-%d", hi), batch, by)
		})
		if err != nil {
			return total, nil, err
		}
		total += len(batch)
		c.progress("generating", int64(hi+1), int64(len(halves)))
	}
	return total, officials, nil
}

// demoRequest makes one request of agency d received at at, with the
// agency's ref-th reference.
func demoRequest(rng *rand.Rand, d demoAgency, o *dueprocess.Official, at, now time.Time, ref int) *dueprocess.Request {
	r := &dueprocess.Request{AgencyID: o.AgencyID, OfficialID: o.ID, Jurisdiction: d.code, ReceivedAt: at,
		LegalProcess: dueprocess.LegalProcess{Reference: fmt.Sprintf("%s-%d-%05d", strings.ToUpper(d.domain[:3]), at.Year(), ref), IssuedBy: d.name}}
	switch x := rng.Float64(); {
	case x < 0.80:
		r.Kind = dueprocess.KindUserData
	case x < 0.88:
		r.Kind = dueprocess.KindEmergency
	case x < 0.96:
		r.Kind = dueprocess.KindPreservation
	default:
		r.Kind = dueprocess.KindContentRestriction
	}
	r.LegalProcess.Type = d.processes[rng.IntN(len(d.processes))]
	switch r.Kind {
	case dueprocess.KindEmergency:
		r.LegalProcess.Type = dueprocess.ProcessEmergency
		r.Emergency = &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath, Justification: "A person in immediate danger."}
		r.DataCategories = []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryLocation}
	case dueprocess.KindContentRestriction:
		r.Offence = &dueprocess.Offence{Category: "defamation"}
	default:
		r.DataCategories = []dueprocess.DataCategory{dueprocess.CategorySubscriber}
		if rng.IntN(3) == 0 {
			r.DataCategories = append(r.DataCategories, dueprocess.CategoryIPLogs)
		}
		r.Offence = &dueprocess.Offence{Category: []string{"fraud", "child sexual abuse material", "drug trafficking", "harassment", "homicide"}[rng.IntN(5)]}
	}
	for i := range 1 + rng.IntN(3) {
		typ := dueprocess.TargetUsername
		if r.Kind == dueprocess.KindContentRestriction {
			typ = dueprocess.TargetURL
		}
		v := fmt.Sprintf("user%05d", rng.IntN(100000)+i)
		if typ == dueprocess.TargetURL {
			v = "https://example.com/posts/" + v
		}
		r.Targets = append(r.Targets, dueprocess.Target{Type: typ, Value: v})
	}
	// Where it ended: recent requests are still open; Hong Kong's data
	// requests from the pause on are held.
	age := now.Sub(at)
	switch x := rng.Float64(); {
	case d.code == "HK" && !at.Before(hkPause) && r.Kind != dueprocess.KindContentRestriction:
		r.Status = dueprocess.StatusPaused
	case age < 20*24*time.Hour:
		r.Status = []dueprocess.Status{dueprocess.StatusInReview, dueprocess.StatusAwaitingApproval, dueprocess.StatusEscalated}[rng.IntN(3)]
	case x < d.answered:
		r.Status = dueprocess.StatusDisclosed
		if r.Kind == dueprocess.KindPreservation || r.Kind == dueprocess.KindContentRestriction {
			r.Status = dueprocess.StatusApproved
		}
	case x < d.answered+0.10:
		r.Status = dueprocess.StatusNoData
	case x < d.answered+0.18:
		r.Status = dueprocess.StatusRejected
	case x < d.answered+0.24:
		r.Status = dueprocess.StatusRefused
	default:
		r.Status = dueprocess.StatusWithdrawn
	}
	return r
}

func demoCmd(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprintf(c.stderr, "Usage: dueprocess demo [serve flags]\n\n"+
			"Fills a new database (default ./dueprocess-demo.db) with a generated history\n"+
			"(agencies in a dozen countries, requests of every kind since 2019, the Hong Kong\n"+
			"pause from 1 July 2020), demo staff of every role, an official with a portal\n"+
			"account, and ten open cases of the last three weeks played through the API (in\n"+
			"review, four eyes, escalated, ready to release, disclosed, a hold, a narrowing,\n"+
			"a content demand, an EU production order, a notice withheld by a court), then\n"+
			"serves it. It prints how to sign in: every demo account has one password and one\n"+
			"fixed TOTP secret, printed for anyone to use, so it refuses a database that holds\n"+
			"requests, agencies or staff. Open /console, /portal and /transparency. Takes the\n"+
			"flags of \"dueprocess serve\".\n\n"+
			"The demo keeps its own data folder (documents and its own audit key) beside its\n"+
			"database: ./dueprocess-demo-data for ./dueprocess-demo.db, DB-data for another\n"+
			"file DB.db. It ignores DUEPROCESS_DB and DUEPROCESS_DATA, which name a real\n"+
			"instance's, so that its invented history is never mixed with real data nor\n"+
			"signed with a real instance's key; only --db and --data choose other places.\n")
		return nil
	}
	// DUEPROCESS_DB and DUEPROCESS_DATA name the real instance's database
	// and folder when they are set, so the demo ignores them: only its own
	// flags put it elsewhere.
	dsn, data := "dueprocess-demo.db", ""
	for i, a := range args {
		if a == "--db" && i+1 < len(args) {
			dsn = args[i+1]
		} else if v, ok := strings.CutPrefix(a, "--db="); ok {
			dsn = v
		} else if (a == "--data" || a == "-data") && i+1 < len(args) {
			data = args[i+1]
		} else if v, ok := strings.CutPrefix(a, "--data="); ok {
			data = v
		} else if v, ok := strings.CutPrefix(a, "-data="); ok {
			data = v
		}
	}
	if data == "" {
		data = demoDataDir(dsn)
	}
	// The documents go where serve will look for them, and the sign-in
	// address printed is the one it will listen on.
	blobs := demoFlag(args, "blobs", c.setting("DUEPROCESS_BLOBS", ""))
	addr := demoFlag(args, "addr", c.setting("DUEPROCESS_ADDR", "127.0.0.1:8080"))
	connectors, err := fillDemo(ctx, c, dsn, data, blobs, addr, time.Now().UTC())
	if err != nil {
		return err
	}
	// --data and --connectors go first, so that those the caller gives
	// come later and win; a real instance's DUEPROCESS_CONNECTORS is not
	// the demo's.
	return serveCmd(ctx, c, append([]string{"--db", dsn, "--data", data, "--connectors", connectors}, withoutDB(args)...))
}

// demoDataDir returns the demo's data folder for its database dsn: beside
// a SQLite file, named after it; for PostgreSQL, ./dueprocess-demo-data.
// Never the real instance's folder: the demo's invented history must not
// be signed with the real log's key, nor its documents mixed with real ones.
func demoDataDir(dsn string) string {
	if store.IsPostgres(dsn) {
		return "dueprocess-demo-data"
	}
	return strings.TrimSuffix(dsn, filepath.Ext(dsn)) + "-data"
}

// withoutDB drops --db from args, which demo passes on itself.
func withoutDB(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--db":
			i++
		case strings.HasPrefix(args[i], "--db="):
		default:
			out = append(out, args[i])
		}
	}
	return out
}

// fillDemo fills the new database dsn, with its data folder data and its
// documents where blobSpec says (as serve's --blobs), with the demo's
// history, people and open cases at now, and prints how to sign in at addr.
func fillDemo(ctx context.Context, c *cli, dsn, data, blobSpec, addr string, now time.Time) (connectorsPath string, err error) {
	db, err := c.openDB(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer db.Close()
	pol := policy.Default()
	db.HoldTerms, db.Notice = pol.HoldTerms, pol.Notice()
	// The history ends where the open cases begin, so that request ids
	// follow the order of receipt.
	n, officials, err := seedDemo(ctx, c, db, 2020, now.AddDate(0, 0, -22))
	if err != nil {
		return "", err
	}
	acc, err := demoStaff(ctx, db, officials)
	if err != nil {
		return "", err
	}
	// The demo's own key, in its own folder, which serve then finds.
	signer, _, err := c.serverKey(ctx, db, data, DefaultOrigin)
	if err != nil {
		return "", err
	}
	blobs, _, err := c.openBlobs(ctx, blobSpec, data, db)
	if err != nil {
		return "", err
	}
	if connectorsPath, err = demoPlatform(filepath.Join(data, "platform"), now); err != nil {
		return "", err
	}
	gather, err := loadConnectors(connectorsPath)
	if err != nil {
		return "", err
	}
	defer gather.Close()
	cfg := web.Config{DB: db, Blobs: blobs, Decide: bindPolicy(pol), Notice: pol.Notice(), Gatherer: gather, Contacts: contacter(gather),
		Checkpoints: &audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: signer.Name()}}
	cases, err := playDemo(ctx, db, cfg, officials, acc.staff, now)
	if err != nil {
		return "", err
	}
	printDemo(c.stdout, "http://"+addr, acc, cases, n+len(cases), now)
	return connectorsPath, nil
}

// demoFlag returns the value of the flag --name (or -name) among args, or
// fallback.
func demoFlag(args []string, name, fallback string) string {
	for i, a := range args {
		if (a == "--"+name || a == "-"+name) && i+1 < len(args) {
			return args[i+1]
		} else if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		} else if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
			return v
		}
	}
	return fallback
}
