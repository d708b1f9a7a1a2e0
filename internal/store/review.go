package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// This file keeps staff review: proposals, four-eyes approvals, human-
// rights assessments and case assignments. Who may call what is the web
// layer's to check (roles); what may happen in which state, and that the
// approver is not the proposer, is checked here, inside the transaction,
// so that two servers cannot both let it through.

// lockRequest reads a request's status inside the transaction, locking its
// row on PostgreSQL so that two reviews of one request take turns.
func (tx *Tx) lockRequest(ctx context.Context, id string) (*dueprocess.Request, error) {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT id FROM requests WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("lock request %s: %w", id, err)
		}
	}
	return tx.Request(ctx, id)
}

func (tx *Tx) insertReview(ctx context.Context, rv *dueprocess.Review) error {
	rv.ID = newID("rv")
	rv.At = tx.now
	var legality, necessity, proportionality any
	if a := rv.Assessment; a != nil {
		legality, necessity, proportionality = a.Legality, a.Necessity, a.Proportionality
	}
	_, err := tx.exec(ctx, `INSERT INTO reviews (id, request_id, kind, staff_id, decision, categories, note, legality, necessity, proportionality, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		rv.ID, rv.RequestID, rv.Kind, rv.StaffID, rv.Decision, joinList(rv.Categories), rv.Note, legality, necessity, proportionality, tx.db.ts(rv.At))
	if err != nil {
		return fmt.Errorf("record review of %s: %w", rv.RequestID, err)
	}
	return nil
}

// Propose records a reviewer's decision on a request in review and moves
// it on: an approval to awaiting_approval (a second person must confirm
// it), the other decisions to their status at once. An escalated request
// must first pass a human-rights assessment.
func (tx *Tx) Propose(ctx context.Context, requestID string, staff *dueprocess.Staff, p *dueprocess.NewProposal) (*dueprocess.Review, error) {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case dueprocess.StatusInReview:
	case dueprocess.StatusEscalated:
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is escalated: it needs a human-rights assessment before anyone reviews it", r.ID)
	default:
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only a request in review can be reviewed", r.ID, r.Status)
	}
	d, cats, note, err := p.Check(r)
	if err != nil {
		return nil, err
	}
	rv := &dueprocess.Review{RequestID: r.ID, Kind: dueprocess.ReviewKindProposal, StaffID: staff.ID, Decision: string(d), Categories: cats, Note: note}
	if err := tx.insertReview(ctx, rv); err != nil {
		return nil, err
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := tx.Record(ctx, me, dueprocess.ActionRequestReviewed, "request:"+r.ID, map[string]any{
		"review_id": rv.ID, "decision": d, "categories": cats}); err != nil {
		return nil, err
	}
	return rv, tx.SetStatus(ctx, r.ID, d.Status(), me, "review: "+string(d))
}

// Approve confirms the latest proposal to approve a request, by a staff
// member other than the one who proposed it: four eyes. The proposer
// trying to confirm their own proposal is Forbidden, with a message that
// says why.
func (tx *Tx) Approve(ctx context.Context, requestID string, staff *dueprocess.Staff, note string) (*dueprocess.Review, error) {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.Status != dueprocess.StatusAwaitingApproval {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only a request awaiting approval can be approved", r.ID, r.Status)
	}
	proposal, err := tx.latestReview(ctx, r.ID, dueprocess.ReviewKindProposal)
	if err != nil {
		return nil, err
	}
	if proposal.StaffID == staff.ID {
		return nil, dueprocess.Errorf(dueprocess.Forbidden, "you proposed this approval; a different staff member with the approver role must confirm it (four eyes)")
	}
	note, err = dueprocess.CheckNote(note)
	if err != nil {
		return nil, err
	}
	rv := &dueprocess.Review{RequestID: r.ID, Kind: dueprocess.ReviewKindApproval, StaffID: staff.ID, Decision: proposal.Decision,
		Categories: proposal.Categories, Note: note}
	if err := tx.insertReview(ctx, rv); err != nil {
		return nil, err
	}
	status := dueprocess.StatusApproved
	if proposal.Decision == string(dueprocess.ReviewPartiallyApprove) {
		status = dueprocess.StatusPartiallyApproved
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := tx.Record(ctx, me, dueprocess.ActionRequestApproved, "request:"+r.ID, map[string]any{
		"review_id": rv.ID, "proposal_id": proposal.ID, "proposed_by": proposal.StaffID, "categories": proposal.Categories}); err != nil {
		return nil, err
	}
	return rv, tx.SetStatus(ctx, r.ID, status, me, "approved by a second staff member")
}

// AssessHumanRights records the human-rights officer's assessment of an
// escalated request: with conclusion proceed it returns to review, with
// refuse it is refused.
func (tx *Tx) AssessHumanRights(ctx context.Context, requestID string, staff *dueprocess.Staff, conclusion string, a dueprocess.Assessment, note string) (*dueprocess.Review, error) {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.Status != dueprocess.StatusEscalated {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only an escalated request gets a human-rights assessment", r.ID, r.Status)
	}
	rv := &dueprocess.Review{RequestID: r.ID, Kind: dueprocess.ReviewKindHumanRights, StaffID: staff.ID, Decision: conclusion,
		Categories: []dueprocess.DataCategory{}, Note: note, Assessment: &a}
	if err := tx.insertReview(ctx, rv); err != nil {
		return nil, err
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := tx.Record(ctx, me, dueprocess.ActionHumanRightsAssessed, "request:"+r.ID, map[string]any{
		"review_id": rv.ID, "conclusion": conclusion}); err != nil {
		return nil, err
	}
	to := dueprocess.StatusInReview
	if conclusion == dueprocess.HumanRightsRefuse {
		to = dueprocess.StatusRefused
	}
	return rv, tx.SetStatus(ctx, r.ID, to, me, "human-rights assessment: "+conclusion)
}

func (tx *Tx) latestReview(ctx context.Context, requestID, kind string) (*dueprocess.Review, error) {
	list, err := tx.db.reviews(ctx, tx.tx, requestID)
	if err != nil {
		return nil, err
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Kind == kind {
			return &list[i], nil
		}
	}
	return nil, dueprocess.Errorf(dueprocess.Conflict, "%s has no %s", requestID, kind)
}

// Reviews returns a request's review steps, oldest first.
func (db *DB) Reviews(ctx context.Context, requestID string) ([]dueprocess.Review, error) {
	return db.reviews(ctx, db.sql, requestID)
}

func (db *DB) reviews(ctx context.Context, q querier, requestID string) ([]dueprocess.Review, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, request_id, kind, staff_id, decision, categories, note, legality, necessity, proportionality, created_at
		FROM reviews WHERE request_id = $1 ORDER BY created_at, id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.Review{}
	for rows.Next() {
		var rv dueprocess.Review
		var cats, legality, necessity, proportionality string
		if err := rows.Scan(&rv.ID, &rv.RequestID, &rv.Kind, &rv.StaffID, &rv.Decision, &cats, &rv.Note,
			nullString{&legality}, nullString{&necessity}, nullString{&proportionality}, timeCol{&rv.At}); err != nil {
			return nil, mapError(err)
		}
		rv.Categories = splitList[dueprocess.DataCategory](cats)
		if rv.Kind == dueprocess.ReviewKindHumanRights {
			rv.Assessment = &dueprocess.Assessment{Legality: legality, Necessity: necessity, Proportionality: proportionality}
		}
		list = append(list, rv)
	}
	return list, mapError(rows.Err())
}

// Assign puts a staff member on a request's case, which lets them see its
// targets and documents.
func (tx *Tx) Assign(ctx context.Context, requestID, staffID string, by dueprocess.Actor) error {
	if _, err := tx.Request(ctx, requestID); err != nil {
		return err
	}
	if _, err := tx.db.staff(ctx, tx.tx, staffID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO assignments (request_id, staff_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (request_id, staff_id) DO NOTHING`, requestID, staffID, by.ID, tx.db.ts(tx.now))
	if err != nil {
		return fmt.Errorf("assign %s: %w", requestID, err)
	}
	return tx.Record(ctx, by, dueprocess.ActionRequestAssigned, "request:"+requestID, map[string]any{"staff_id": staffID})
}

// Assignees returns the ids of the staff assigned to a request.
func (db *DB) Assignees(ctx context.Context, requestID string) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT staff_id FROM assignments WHERE request_id = $1 ORDER BY assigned_at, staff_id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		ids = append(ids, id)
	}
	return ids, mapError(rows.Err())
}

// AssignedAmong returns which of ids are assigned to staffID.
func (db *DB) AssignedAmong(ctx context.Context, staffID string, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{staffID}
	in := ""
	for i, id := range ids {
		if i > 0 {
			in += ", "
		}
		args = append(args, id)
		in += fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT request_id FROM assignments WHERE staff_id = $1 AND request_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		out[id] = true
	}
	return out, mapError(rows.Err())
}

// Withdraw records that the requesting agency withdrew an unfinished
// request.
func (tx *Tx) Withdraw(ctx context.Context, requestID, reason string, by dueprocess.Actor) error {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if !r.Status.Open() {
		return dueprocess.Errorf(dueprocess.Conflict, "%s is %s, which is final; it cannot be withdrawn", r.ID, r.Status)
	}
	return tx.SetStatus(ctx, r.ID, dueprocess.StatusWithdrawn, by, "withdrawn: "+reason)
}
