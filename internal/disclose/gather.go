package disclose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// AddFile gathers a file by hand: body, at most
// dueprocess.MaxGatheredFileSize bytes, named name, of category c, which
// the approval must allow (else a Conflict naming it).
func (s *Service) AddFile(ctx context.Context, requestID string, c dueprocess.DataCategory, name string, body io.Reader, by dueprocess.Actor) (*dueprocess.GatheredFile, error) {
	_, ap, err := s.checkGathering(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ap.Confirmation.Categories, c) {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s was not approved for %s (approved: %s); it cannot be gathered",
			c, requestID, categoryList(ap.Confirmation.Categories))
	}
	ref, err := s.Blobs.Put(ctx, body, dueprocess.MaxGatheredFileSize, nil)
	if err != nil {
		return nil, err
	}
	f := dueprocess.GatheredFile{Category: c, Name: name, Bytes: ref.Size, SHA256: ref.SHA256, Source: dueprocess.SourceManual}
	added, err := s.record(ctx, requestID, []dueprocess.GatheredFile{f}, by)
	if err != nil {
		return nil, err
	}
	return &added[0], nil
}

// record records gathered files in one transaction, and deletes their
// blobs again if that fails.
func (s *Service) record(ctx context.Context, requestID string, files []dueprocess.GatheredFile, by dueprocess.Actor) ([]dueprocess.GatheredFile, error) {
	var added []dueprocess.GatheredFile
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		added, err = tx.AddGathered(ctx, requestID, files, by)
		return err
	})
	if err != nil {
		sums := make([]string, len(files))
		for i, f := range files {
			sums[i] = f.SHA256
		}
		s.forget(ctx, sums...)
		return nil, err
	}
	return added, nil
}

// Collected is what a collect gathered.
type Collected struct {
	RequestID string                    `json:"request_id"`
	Gathered  []dueprocess.GatheredFile `json:"gathered"`
	// Skipped are approved categories no connector serves: add them by
	// hand.
	Skipped []dueprocess.DataCategory `json:"skipped"`
}

// Collect runs the Gatherer for each approved category and each target of
// the request, over the request's date range, outside any transaction;
// writes each non-empty result to the blob store; and records the files,
// and "no data held" for each category and target that gave no rows, in
// one transaction. A category and target gathered before is not gathered
// again.
func (s *Service) Collect(ctx context.Context, requestID string, by dueprocess.Actor) (*Collected, error) {
	if s.Gatherer == nil {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "no connectors are configured (dueprocess serve --connectors FILE); add the files by hand with POST /api/v1/requests/%s/files", requestID)
	}
	r, ap, err := s.checkGathering(ctx, requestID)
	if err != nil {
		return nil, err
	}
	have, err := s.DB.Gathered(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	from, to := span(r, s.DB.Now())
	out := &Collected{RequestID: r.ID, Gathered: []dueprocess.GatheredFile{}, Skipped: []dueprocess.DataCategory{}}
	var files []dueprocess.GatheredFile
	for _, c := range ap.Confirmation.Categories {
		if !s.Gatherer.Has(c) {
			out.Skipped = append(out.Skipped, c)
			continue
		}
		for i, t := range r.Targets {
			if done(have, c, t) {
				continue
			}
			f, err := s.gatherOne(ctx, c, t, i, from, to)
			if err != nil {
				s.forget(ctx, sums(files)...)
				return nil, err
			}
			files = append(files, f)
		}
	}
	if len(files) > 0 {
		if out.Gathered, err = s.record(ctx, r.ID, files, by); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// gatherOne runs the Gatherer for one category and target (the i-th).
func (s *Service) gatherOne(ctx context.Context, c dueprocess.DataCategory, t dueprocess.Target, i int, from, to time.Time) (dueprocess.GatheredFile, error) {
	target := t
	f := dueprocess.GatheredFile{Category: c, Target: &target, Source: dueprocess.SourceConnector}
	var buf bytes.Buffer
	rows, err := s.Gatherer.Gather(ctx, c, t, from, to, &limited{w: &buf, n: dueprocess.MaxGatheredFileSize})
	if errors.Is(err, errTooLarge) {
		return f, &dueprocess.Error{Kind: dueprocess.TooLarge, Message: fmt.Sprintf("the connector for %s gave more than %d bytes for one target; narrow the date range or gather by hand", c, dueprocess.MaxGatheredFileSize)}
	}
	if err != nil {
		return f, &dueprocess.Error{Kind: dueprocess.Unavailable, Message: fmt.Sprintf("the connector for %s failed; nothing was recorded", c), Err: err}
	}
	if rows == 0 {
		f.NoData = true
		return f, nil
	}
	ref, err := s.Blobs.Put(ctx, &buf, dueprocess.MaxGatheredFileSize, nil)
	if err != nil {
		return f, err
	}
	f.Name = fmt.Sprintf("%s-target%d.csv", c, i+1)
	f.Rows, f.Bytes, f.SHA256 = rows, ref.Size, ref.SHA256
	return f, nil
}

// span is the request's date range as [from, to) in UTC: both ends of a
// request's range are inclusive days. Without a range, everything up to
// now.
func span(r *dueprocess.Request, now time.Time) (time.Time, time.Time) {
	if r.DateRange == nil {
		return time.Unix(0, 0).UTC(), now.UTC()
	}
	from := time.Unix(0, 0).UTC()
	if !r.DateRange.From.IsZero() {
		from = r.DateRange.From.Time.UTC()
	}
	to := now.UTC()
	if !r.DateRange.To.IsZero() {
		to = r.DateRange.To.Time.UTC().AddDate(0, 0, 1)
	}
	return from, to
}

func done(have []dueprocess.GatheredFile, c dueprocess.DataCategory, t dueprocess.Target) bool {
	for _, h := range have {
		if h.Source == dueprocess.SourceConnector && h.Category == c && h.Target != nil && *h.Target == t {
			return true
		}
	}
	return false
}

func sums(files []dueprocess.GatheredFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, f.SHA256)
	}
	return out
}

func categoryList(cats []dueprocess.DataCategory) string {
	if len(cats) == 0 {
		return "none"
	}
	out := string(cats[0])
	for _, c := range cats[1:] {
		out += ", " + string(c)
	}
	return out
}

var errTooLarge = errors.New("too large")

// limited is a writer that fails once more than n bytes are written.
type limited struct {
	w io.Writer
	n int64
}

func (l *limited) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		return 0, errTooLarge
	}
	l.n -= int64(len(p))
	return l.w.Write(p)
}
