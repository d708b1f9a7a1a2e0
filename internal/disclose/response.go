package disclose

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// Response builds the answer the requesting agency reads for r: the
// outcome, what became of each category asked for and why, any narrowing
// asked for, and the package once released. The caller has checked that
// r is the agency's own.
func (s *Service) Response(ctx context.Context, r *dueprocess.Request) (*dueprocess.Response, error) {
	reviews, err := s.DB.Reviews(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	gathered, err := s.DB.Gathered(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	pkg, err := s.DB.Package(ctx, r.ID)
	if err != nil && !errors.Is(err, dueprocess.ErrNotFound) {
		return nil, err
	}
	resp := &dueprocess.Response{RequestID: r.ID, Categories: []dueprocess.CategoryAnswer{}}
	resp.Describe(r.Status)
	proposal := latest(reviews, dueprocess.ReviewKindProposal)
	approval := latest(reviews, dueprocess.ReviewKindApproval)
	if proposal != nil && proposal.Decision == string(dueprocess.ReviewRequestNarrowing) {
		resp.Narrowing = proposal.Note
	}
	for _, c := range r.DataCategories {
		resp.Categories = append(resp.Categories, answerFor(r, c, proposal, approval, gathered, pkg))
	}
	if pkg != nil {
		resp.Package = &dueprocess.PackageLink{URL: "/api/v1/requests/" + r.ID + "/package", SHA256: pkg.CiphertextSHA256,
			Bytes: pkg.Bytes, ExpiresAt: pkg.ExpiresAt, Encryption: pkg.Encryption, DownloadedAt: pkg.DownloadedAt}
	}
	return resp, nil
}

// answerFor says what became of category c: refused by the policy or by
// review (with the reason), not held, produced, or still pending.
func answerFor(r *dueprocess.Request, c dueprocess.DataCategory, proposal, approval *dueprocess.Review,
	gathered []dueprocess.GatheredFile, pkg *dueprocess.Package) dueprocess.CategoryAnswer {
	a := dueprocess.CategoryAnswer{Category: c, Outcome: dueprocess.AnswerPending}
	if r.Decision != nil {
		if v, ok := r.Decision.Categories[c]; ok && !v.Allowed {
			a.Outcome, a.Reason = dueprocess.AnswerRefused, dueprocess.RefusalReason(v)
			return a
		}
	}
	switch r.Status {
	case dueprocess.StatusRefused:
		a.Outcome, a.Reason = dueprocess.AnswerRefused, policyReasons(r.Decision)
		return a
	case dueprocess.StatusRejected:
		a.Outcome, a.Reason = dueprocess.AnswerRefused, "our review rejected the request"
		if proposal != nil && proposal.Note != "" {
			a.Reason += ": " + proposal.Note
		}
		return a
	case dueprocess.StatusNoData:
		if approval == nil || slices.Contains(approval.Categories, c) {
			a.Outcome, a.Reason = dueprocess.AnswerNotHeld, "we hold no such data on the accounts named"
			return a
		}
	}
	if approval == nil {
		return a
	}
	if !slices.Contains(approval.Categories, c) {
		a.Outcome, a.Reason = dueprocess.AnswerRefused, "our review approved disclosure of other categories only"
		if approval.Note != "" {
			a.Reason += ": " + approval.Note
		}
		return a
	}
	produced := false
	for _, f := range gathered {
		produced = produced || (f.Category == c && !f.NoData && f.PackageID != "")
	}
	// Once released, an approved category nothing was produced for is not
	// held: the release closes the gathering.
	switch {
	case produced && pkg != nil:
		a.Outcome = dueprocess.AnswerProduced
	case pkg != nil || r.Status == dueprocess.StatusNoData:
		a.Outcome, a.Reason = dueprocess.AnswerNotHeld, "we hold no such data on the accounts named in the period asked for"
	}
	return a
}

func latest(reviews []dueprocess.Review, kind string) *dueprocess.Review {
	for i := len(reviews) - 1; i >= 0; i-- {
		if reviews[i].Kind == kind {
			return &reviews[i]
		}
	}
	return nil
}

func policyReasons(d *dueprocess.Decision) string {
	if d == nil || len(d.Reasons) == 0 {
		return "our policy does not allow us to answer this request"
	}
	var texts []string
	for _, r := range d.Reasons {
		if r.Outcome == dueprocess.OutcomeRefuse && r.Text != "" {
			texts = append(texts, r.Text)
		}
	}
	if len(texts) == 0 {
		return "our policy does not allow us to answer this request"
	}
	return strings.Join(texts, "; ")
}
