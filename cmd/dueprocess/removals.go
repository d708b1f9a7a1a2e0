package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/published"
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
