package main

import (
	"bytes"
	"context"
	"os"

	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
)

// writeRemovals writes the content demands of period in Google's removals
// layout, to out or standard output. The layout has no place for a
// checkpoint, so none is signed for it.
func (c *cli) writeRemovals(ctx context.Context, db *store.DB, period, out string) error {
	start, end, err := report.ParsePeriod(period)
	if err != nil {
		return flagError(err)
	}
	counts, err := db.RemovalCounts(ctx, start.Time, end.Time.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.WriteRemovalsCSV(&buf, end, report.Removals(counts)); err != nil {
		return err
	}
	if out == "" {
		_, err = c.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	c.say("wrote the removals of %s to %s", period, out)
	return nil
}
