package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
)

// writeRemovals writes the content demands of period in Google's removals
// layout, to out or standard output. The layout has no place for a
// checkpoint, so none is signed for it.
func (c *cli) writeRemovals(ctx context.Context, db *store.DB, period, out string) error {
	return c.writePeriodFile(period, out, "removals", func(start, end dueprocess.Date, w io.Writer) error {
		counts, err := db.RemovalCounts(ctx, start.Time, end.Time.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		return report.WriteRemovalsCSV(w, end, report.Removals(counts))
	})
}

// writeRemovalsDetailed writes the content demands of period in Google's
// detailed removals layout, requests by reason, to out or standard output.
func (c *cli) writeRemovalsDetailed(ctx context.Context, db *store.DB, period, out string) error {
	return c.writePeriodFile(period, out, "removals by reason", func(start, end dueprocess.Date, w io.Writer) error {
		counts, err := db.RemovalCounts(ctx, start.Time, end.Time.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		return report.WriteRemovalsDetailedCSV(w, end, report.RemovalsByReason(counts))
	})
}

// writeDSAOrders writes the orders to act against illegal content (DSA
// Art. 9) received in period, by member state and type of illegal
// content, with the median times of Art. 15(1)(a), to out or standard
// output.
func (c *cli) writeDSAOrders(ctx context.Context, db *store.DB, period, out string) error {
	return c.writePeriodFile(period, out, "DSA orders", func(start, end dueprocess.Date, w io.Writer) error {
		counts, err := db.DSAOrderCounts(ctx, start.Time, end.Time.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		return report.WriteDSAOrdersCSV(w, end, report.DSAOrders(counts))
	})
}

// writePeriodFile writes what write makes of period's first and last day
// to out, or to standard output when out is empty; nothing is written to
// out unless all of it was made.
func (c *cli) writePeriodFile(period, out, what string, write func(start, end dueprocess.Date, w io.Writer) error) error {
	start, end, err := report.ParsePeriod(period)
	if err != nil {
		return flagError(err)
	}
	var buf bytes.Buffer
	if err := write(start, end, &buf); err != nil {
		return err
	}
	if out == "" {
		_, err = c.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	c.say("wrote the %s of %s to %s", what, period, out)
	return nil
}

// readRemovals reads path as one of Google's removals files if its
// header says it is one; ok is false for any other file.
func readRemovals(path string) (f store.PeerRemovalFile, ok bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return f, false, err
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if !published.IsGoogleRemovals(string(first)) {
		return f, false, nil
	}
	if len(data) > maxPublishedFile {
		return f, false, fmt.Errorf("%s is over %d MB; is it a transparency-report CSV?", path, maxPublishedFile>>20)
	}
	figs, _, err := published.ParseGoogleRemovals(bytes.NewReader(data), path)
	if err != nil {
		return f, false, err
	}
	sum := sha256.Sum256(data)
	return store.PeerRemovalFile{Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:]), Figures: figs}, true, nil
}
