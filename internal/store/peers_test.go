package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

func TestPeerFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n, acc, pct := int64(241), int64(310), 46.0
		figs := []published.Figure{
			{Company: "meta", Period: "2019-H2", Jurisdiction: "HK", LegalProcess: "total", Requests: &n, Accounts: &acc, PercentSomeData: &pct},
			{Company: "meta", Period: "2019-H2", Jurisdiction: "HK", LegalProcess: "emergency"}, // nothing published
			{Company: "meta", Period: "2019-H2", Jurisdiction: "US", LegalProcess: "national_security_nsl",
				RequestsBand: &published.Band{Min: 0, Max: 499}, AccountsBand: &published.Band{Min: 500, Max: 999}},
		}
		importFigs := func(figs []published.Figure) int {
			t.Helper()
			var written int
			err := db.Transact(ctx, func(tx *store.Tx) (err error) {
				written, err = tx.ImportPeerFigures(ctx, "meta", []store.PeerFile{{Name: "meta.csv", SHA256: "ab", Figures: figs}}, dueprocess.System)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return written
		}
		if got := importFigs(figs); got != 3 {
			t.Errorf("wrote %d figures, want 3", got)
		}
		// Importing again, with one figure corrected, replaces rather than adds.
		corrected := int64(242)
		figs[0].Requests = &corrected
		importFigs(figs)
		got, err := db.PeerFigures(ctx, store.PeerFilter{Company: "meta"})
		if err != nil {
			t.Fatal(err)
		}
		want := []published.Figure{figs[1], figs[0], figs[2]} // ordered by legal process within HK
		if !reflect.DeepEqual(got, want) {
			t.Errorf("figures:\n got %+v\nwant %+v", got, want)
		}
		if hk, _ := db.PeerFigures(ctx, store.PeerFilter{Jurisdiction: "HK", Period: "2019-H2"}); len(hk) != 2 {
			t.Errorf("HK 2019-H2: %d figures, want 2", len(hk))
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.ImportPeerFigures(ctx, "google", []store.PeerFile{{Name: "meta.csv", Figures: figs}}, dueprocess.System)
			return err
		})
		if dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("meta figures imported as google: %v, want an error", err)
		}
	})
}

// TestImportPublishedReplacesFile: importing a corrected file used to
// update the figures it still had and keep those it had dropped. A file's
// figures are now replaced whole; another file's are left alone.
func TestImportPublishedReplacesFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n := int64(5)
		fig := func(juris string) published.Figure {
			return published.Figure{Company: "meta", Period: "2020-H2", Jurisdiction: juris, LegalProcess: "total", Requests: &n}
		}
		imp := func(files ...store.PeerFile) error {
			return db.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.ImportPeerFigures(ctx, "meta", files, dueprocess.System)
				return err
			})
		}
		jurisdictions := func() string {
			t.Helper()
			figs, err := db.PeerFigures(ctx, store.PeerFilter{Company: "meta"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range figs {
				got = append(got, f.Jurisdiction)
			}
			return strings.Join(got, " ")
		}
		if err := imp(store.PeerFile{Name: "meta-2020_H2.csv", Figures: []published.Figure{fig("CL"), fig("HK"), fig("SG")}},
			store.PeerFile{Name: "meta-extra-2020_H2.csv", Figures: []published.Figure{fig("US")}}); err != nil {
			t.Fatal(err)
		}
		if got := jurisdictions(); got != "CL HK SG US" {
			t.Fatalf("after the first import: %s", got)
		}
		// The corrected file no longer has SG.
		if err := imp(store.PeerFile{Name: "meta-2020_H2.csv", Figures: []published.Figure{fig("CL"), fig("HK")}}); err != nil {
			t.Fatal(err)
		}
		if got := jurisdictions(); got != "CL HK US" {
			t.Errorf("after a corrected file: %s, want CL HK US", got)
		}
		// Two files of one name in one import would erase each other.
		err := imp(store.PeerFile{Name: "a.csv", Figures: []published.Figure{fig("FR")}}, store.PeerFile{Name: "a.csv", Figures: []published.Figure{fig("DE")}})
		if !errors.Is(err, dueprocess.ErrInvalid) {
			t.Errorf("two files of one name: %v, want an Invalid error", err)
		}
		if got := jurisdictions(); got != "CL HK US" {
			t.Errorf("after a refused import: %s", got)
		}
	})
}
