// Package disclose answers an approved request: it gathers the approved
// categories (files added by hand, or a Gatherer's connectors), seals them
// into an age-encrypted package for the requesting official, hands the
// package out once, and deletes what must not be kept. It joins the blob
// store and the database: files and packages are written to the blob
// store outside any transaction, and then one store operation records
// them, so that a record never points to a blob that is not there. What
// was written for a change that then failed is deleted again.
package disclose

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Gatherer exports one data category about one target from the platform:
// the connectors (internal/gather's *gather.Set satisfies it).
type Gatherer interface {
	// Has reports whether a connector is configured for category c.
	Has(c dueprocess.DataCategory) bool
	// Gather writes a CSV to w for target t in [from, to) UTC; rows == 0
	// means no data held.
	Gather(ctx context.Context, c dueprocess.DataCategory, t dueprocess.Target, from, to time.Time, w io.Writer) (rows int, err error)
}

// Service does the disclosure work of the server.
type Service struct {
	DB    *store.DB
	Blobs *blob.Store
	// Gatherer runs the connectors; nil when none are configured, and
	// then only files added by hand are gathered.
	Gatherer Gatherer
	// Decide is the policy, asked once more before a release whether a
	// pause of the policy file holds the request.
	Decide store.Decider
	// Lifetime is how long a package may be downloaded (default
	// dueprocess.PackageLifetime).
	Lifetime time.Duration
	Log      *slog.Logger
}

func (s *Service) lifetime() time.Duration {
	if s.Lifetime > 0 {
		return s.Lifetime
	}
	return dueprocess.PackageLifetime
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// forget deletes blobs written for a change that was not recorded, or
// whose records were sealed, unless something else refers to them: blobs
// are shared by content, and a document or another file may hold the same
// bytes. A failure is logged, not returned: the change itself is decided.
func (s *Service) forget(ctx context.Context, sums ...string) {
	for _, sum := range sums {
		if sum == "" {
			continue
		}
		used, err := s.DB.BlobInUse(ctx, sum)
		if err == nil && !used {
			err = s.Blobs.Delete(ctx, sum)
		}
		if err != nil {
			s.log().Error("could not delete a blob no longer needed", "blob", sum, "err", err)
		}
	}
}

// checkGathering refuses, before anything is written, a request that may
// not gather: not approved by four eyes, or not in an approved status. The
// store checks again inside its transaction.
func (s *Service) checkGathering(ctx context.Context, requestID string) (*dueprocess.Request, *store.Approval, error) {
	r, err := s.DB.Request(ctx, requestID)
	if err != nil {
		return nil, nil, err
	}
	if r.Status != dueprocess.StatusApproved && r.Status != dueprocess.StatusPartiallyApproved {
		return nil, nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only an approved or partially approved request can be gathered for or released", r.ID, r.Status)
	}
	ap, err := s.DB.Approval(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	return r, ap, nil
}
