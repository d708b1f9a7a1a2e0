package store_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestReportCountsMatchRecount creates requests across half-years and
// jurisdictions, moves them through the workflow at random, pauses and
// resumes, and checks after each step that the counts kept up to date
// equal a full recount from the requests.
func TestReportCountsMatchRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rng := rand.New(rand.NewPCG(1, 2))
		agencies := map[string][2]string{}
		for _, j := range []string{"HK", "DE", "US"} {
			a, o := fixture(t, db, j, "police-"+strings.ToLower(j)+".example")
			agencies[j] = [2]string{a.ID, o.ID}
		}
		var ids []string
		for i := range 60 {
			j := []string{"HK", "DE", "US"}[i%3]
			r := sampleRequest(t)
			r.Jurisdiction = j
			if j == "US" && i%2 == 0 {
				r.Jurisdiction = "US-CA" // counted under its country
			}
			r.AgencyID, r.OfficialID = agencies[j][0], agencies[j][1]
			r.Kind = dueprocess.RequestKinds[rng.IntN(len(dueprocess.RequestKinds))]
			r.LegalProcess.Type = dueprocess.LegalProcessTypes[rng.IntN(len(dueprocess.LegalProcessTypes))]
			r.Targets = r.Targets[:1+rng.IntN(len(r.Targets))]
			r.ReceivedAt = time.Date(2019+rng.IntN(7), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 12, 0, 0, 0, time.UTC)
			intake(t, db, r)
			ids = append(ids, r.ID)
		}
		check := func(when string) {
			t.Helper()
			kept, err := db.ReportCounts(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			recount, err := db.RecountReport(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(kept, recount) {
				t.Fatalf("%s: kept counts differ from a recount:\nkept    %v\nrecount %v", when, kept, recount)
			}
		}
		check("after intake")
		for step := range 80 {
			id := ids[rng.IntN(len(ids))]
			to := dueprocess.Statuses[rng.IntN(len(dueprocess.Statuses))]
			db.Transact(ctx, func(tx *store.Tx) error { return tx.SetStatus(ctx, id, to, dueprocess.System, "") }) // refused moves change nothing
			if step%20 == 0 {
				check("after status changes")
			}
		}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.Pause(ctx, &dueprocess.Pause{Jurisdiction: "HK", Reason: "r", StartedBy: dueprocess.System})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		check("after a pause")
		db.Transact(ctx, func(tx *store.Tx) error {
			_, _, err := tx.Resume(ctx, "HK", "done", dueprocess.System, pauseDecider)
			return err
		})
		check("after a resume")

		one, _ := db.ReportCounts(ctx, "2021-H2")
		var n int64
		for _, c := range one {
			if c.Period != "2021-H2" {
				t.Errorf("a count of %s in 2021-H2's", c.Period)
			}
			n += c.Requests
		}
		recount, _ := db.RecountReport(ctx, "2021-H2")
		var m int64
		for _, c := range recount {
			m += c.Requests
		}
		if n != m || n == 0 {
			t.Errorf("2021-H2: %d requests kept, %d recounted", n, m)
		}
	})
}
