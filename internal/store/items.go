package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps the items of content-restriction demands and the staff's
// action on each (docs/content.md). An action that restricts or removes
// content is proposed by one staff member and takes effect only when a
// different one confirms it, as an approval of disclosure does
// (review.go); every action that takes effect is appended to
// item_actions, which the platform polls.

// insertContent stores a content demand's requester type, reason and
// items, the items in bulk: a demand may list ten thousand.
func (tx *Tx) insertContent(ctx context.Context, r *dueprocess.Request) error {
	if r.Kind != dueprocess.KindContentRestriction {
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO content_requests (request_id, requester_type, reason) VALUES ($1, $2, $3)`,
		r.ID, string(r.RequesterType), string(r.Reason)); err != nil {
		return fmt.Errorf("content of %s: %w", r.ID, err)
	}
	t := tx.bulkTable("request_items", "request_id", "position", "url", "content_id", "ground", "quote")
	defer t.close()
	for _, it := range r.Items {
		t.add(r.ID, it.Index, it.URL, it.ContentID, it.Ground, it.Quote)
	}
	return t.flush(ctx)
}

// content fills in a content demand's requester type, reason and items.
func (db *DB) content(ctx context.Context, q querier, r *dueprocess.Request) error {
	if r.Kind != dueprocess.KindContentRestriction {
		return nil
	}
	var typ, reason string
	err := q.QueryRowContext(ctx, `SELECT requester_type, reason FROM content_requests WHERE request_id = $1`, r.ID).Scan(&typ, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		// A content demand taken in before items existed has none.
		return nil
	}
	if err != nil {
		return mapError(err)
	}
	r.RequesterType, r.Reason = dueprocess.RequesterType(typ), dueprocess.RemovalReason(reason)
	r.Items, err = db.items(ctx, q, r.ID)
	return err
}

func (db *DB) items(ctx context.Context, q querier, id string) ([]dueprocess.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT position, url, content_id, ground, quote, action, action_reason,
		proposed_action, proposed_reason, proposed_by, proposed_at FROM request_items WHERE request_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	items := []dueprocess.Item{}
	for rows.Next() {
		var it dueprocess.Item
		var action, pAction, pReason, pBy string
		var pAt *time.Time
		if err := rows.Scan(&it.Index, &it.URL, &it.ContentID, &it.Ground, &it.Quote, &action, &it.Reason,
			&pAction, &pReason, &pBy, nullTimeCol{&pAt}); err != nil {
			return nil, mapError(err)
		}
		it.Action = dueprocess.ItemAction(action)
		if pAction != "" && pAt != nil {
			it.Proposed = &dueprocess.ItemDecision{Action: dueprocess.ItemAction(pAction), Reason: pReason, StaffID: pBy, At: *pAt}
		}
		items = append(items, it)
	}
	return items, mapError(rows.Err())
}

// ItemRule is the policy's word on an action for a demand's items: nil,
// or an error that names the rule refusing it.
type ItemRule func(r *dueprocess.Request, a dueprocess.ItemAction) error

// contentInReview locks a content demand and checks that its items may be
// acted on: it must be in review (a paused demand waits for its pause to
// end, an escalated one for the human-rights officer).
func (tx *Tx) contentInReview(ctx context.Context, id string) (*dueprocess.Request, error) {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Kind != dueprocess.KindContentRestriction {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is a %s request; only content_restriction requests have items", r.ID, r.Kind)
	}
	if r.Status != dueprocess.StatusInReview {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; items are acted on only while the request is in_review", r.ID, r.Status)
	}
	return r, nil
}

// DecideItems records a staff member's action on items of a content
// demand. An action that neither restricts nor removes takes effect at
// once; one that does is proposed, and takes effect when a different
// staff member confirms it (ConfirmItems). The policy's rule may refuse
// the action.
func (tx *Tx) DecideItems(ctx context.Context, requestID string, staff *dueprocess.Staff, in *dueprocess.NewItemActions, rule ItemRule) ([]dueprocess.Item, error) {
	r, err := tx.contentInReview(ctx, requestID)
	if err != nil {
		return nil, err
	}
	idx, action, reason, err := in.Check(r)
	if err != nil {
		return nil, err
	}
	if rule != nil {
		if err := rule(r, action); err != nil {
			return nil, err
		}
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if action.Restricts() {
		for _, i := range idx {
			if _, err := tx.exec(ctx, `UPDATE request_items SET proposed_action = $1, proposed_reason = $2, proposed_by = $3, proposed_at = $4
				WHERE request_id = $5 AND position = $6`, string(action), reason, staff.ID, tx.db.ts(tx.now), r.ID, i); err != nil {
				return nil, fmt.Errorf("propose on %s item %d: %w", r.ID, i, err)
			}
		}
	} else if err := tx.applyItems(ctx, r, idx, action, reason, staff.ID, staff.ID); err != nil {
		return nil, err
	}
	if err := tx.Record(ctx, me, dueprocess.ActionItemsDecided, "request:"+r.ID, map[string]any{
		"items": idx, "action": action, "in_effect": !action.Restricts()}); err != nil {
		return nil, err
	}
	return tx.db.items(ctx, tx.tx, r.ID)
}

// ConfirmItems puts in effect the actions proposed on items of a content
// demand, by a staff member other than the one who proposed each: four
// eyes. An item without a proposal is a Conflict; one proposed by the
// confirming staff member is Forbidden.
func (tx *Tx) ConfirmItems(ctx context.Context, requestID string, staff *dueprocess.Staff, idx []int, note string) ([]dueprocess.Item, error) {
	r, err := tx.contentInReview(ctx, requestID)
	if err != nil {
		return nil, err
	}
	note, err = dueprocess.CheckNote(note)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, dueprocess.FieldError("items", "name at least one item by its index")
	}
	type group struct {
		action dueprocess.ItemAction
		reason string
		by     string
	}
	groups := map[group][]int{}
	var order []group
	for n, i := range idx {
		if i < 0 || i >= len(r.Items) {
			return nil, dueprocess.FieldError(fmt.Sprintf("items[%d]", n), "%d is not an item of %s", i, r.ID)
		}
		p := r.Items[i].Proposed
		switch {
		case p == nil:
			return nil, dueprocess.Errorf(dueprocess.Conflict, "item %d of %s has no proposed action to confirm", i, r.ID)
		case p.StaffID == staff.ID:
			return nil, dueprocess.Errorf(dueprocess.Forbidden, "you proposed the action on item %d; a different staff member with the approver role must confirm it (four eyes)", i)
		}
		g := group{p.Action, p.Reason, p.StaffID}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], i)
	}
	for _, g := range order {
		if err := tx.applyItems(ctx, r, groups[g], g.action, g.reason, g.by, staff.ID); err != nil {
			return nil, err
		}
		if err := tx.Record(ctx, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}, dueprocess.ActionItemsConfirmed, "request:"+r.ID, map[string]any{
			"items": groups[g], "action": g.action, "proposed_by": g.by, "note": note != ""}); err != nil {
			return nil, err
		}
	}
	return tx.db.items(ctx, tx.tx, r.ID)
}

// applyItems puts an action in effect on items and appends it to the
// feed the platform polls. On PostgreSQL the feed's table is locked
// first, so that its sequence numbers are taken in commit order and a
// poller that has read up to n never later finds a smaller one committed.
func (tx *Tx) applyItems(ctx context.Context, r *dueprocess.Request, idx []int, action dueprocess.ItemAction, reason, proposedBy, confirmedBy string) error {
	if tx.db.dialect == Postgres {
		if _, err := tx.exec(ctx, `LOCK TABLE item_actions IN EXCLUSIVE MODE`); err != nil {
			return err
		}
	}
	for _, i := range idx {
		if _, err := tx.exec(ctx, `UPDATE request_items SET action = $1, action_reason = $2, proposed_action = '', proposed_reason = '', proposed_by = '', proposed_at = NULL
			WHERE request_id = $3 AND position = $4`, string(action), reason, r.ID, i); err != nil {
			return fmt.Errorf("act on %s item %d: %w", r.ID, i, err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO item_actions (request_id, position, action, reason, proposed_by, confirmed_by, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, i, string(action), reason, proposedBy, confirmedBy, tx.db.ts(tx.now)); err != nil {
			return fmt.Errorf("feed of %s item %d: %w", r.ID, i, err)
		}
	}
	return nil
}

// MaxActionsPage is the most actions one poll returns.
const MaxActionsPage = 1000

// ActionsSince returns the actions that took effect after seq since,
// oldest first, at most limit (at most MaxActionsPage).
func (db *DB) ActionsSince(ctx context.Context, since int64, limit int) ([]dueprocess.AppliedAction, error) {
	if limit <= 0 || limit > MaxActionsPage {
		limit = MaxActionsPage
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT a.seq, a.request_id, r.jurisdiction, a.position, i.url, i.content_id, a.action,
		a.proposed_by, a.confirmed_by, a.at
		FROM item_actions a JOIN requests r ON r.id = a.request_id
		JOIN request_items i ON i.request_id = a.request_id AND i.position = a.position
		WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`, since, limit)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := []dueprocess.AppliedAction{}
	for rows.Next() {
		var a dueprocess.AppliedAction
		var action string
		if err := rows.Scan(&a.Seq, &a.RequestID, &a.Jurisdiction, &a.Item, &a.URL, &a.ContentID, &action,
			&a.ProposedBy, &a.ConfirmedBy, timeCol{&a.At}); err != nil {
			return nil, mapError(err)
		}
		a.Action = dueprocess.ItemAction(action)
		out = append(out, a)
	}
	return out, mapError(rows.Err())
}

// RemovalCounts returns, for each content demand received in [from, to),
// its jurisdiction, requester type, and its items by the action in effect
// ("" for none yet): what the removals report is computed from.
func (db *DB) RemovalCounts(ctx context.Context, from, to time.Time) ([]dueprocess.RemovalCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.id, r.jurisdiction, c.requester_type, c.reason, i.action, COUNT(*)
		FROM requests r JOIN content_requests c ON c.request_id = r.id JOIN request_items i ON i.request_id = r.id
		WHERE r.received_at >= $1 AND r.received_at < $2
		GROUP BY r.id, r.jurisdiction, c.requester_type, c.reason, i.action ORDER BY r.id`, db.ts(from), db.ts(to))
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []dueprocess.RemovalCount
	for rows.Next() {
		var id, j, typ, reason, action string
		var n int64
		if err := rows.Scan(&id, &j, &typ, &reason, &action, &n); err != nil {
			return nil, mapError(err)
		}
		if len(out) == 0 || out[len(out)-1].RequestID != id {
			out = append(out, dueprocess.RemovalCount{RequestID: id, Jurisdiction: j,
				RequesterType: dueprocess.RequesterType(typ), Reason: dueprocess.RemovalReason(reason), Items: map[dueprocess.ItemAction]int64{}})
		}
		out[len(out)-1].Items[dueprocess.ItemAction(strings.TrimSpace(action))] += n
	}
	return out, mapError(rows.Err())
}
