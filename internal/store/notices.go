package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// NoticePlan is what PlanNotices needs from outside the database: the
// policy's notice settings, and optionally each target's address.
//
// Addresses, when not nil, were looked up before the transaction with
// dueprocess.NoticeAddresses (the connectors' contact query talks to the
// platform's database, which a function passed to Transact must never do:
// it may run twice); a target missing from it has no address. When nil,
// e-mail targets are their own address and every other notice is written
// unresolved: the notice loop asks the contact query outside any
// transaction (ClaimUnresolvedNotices, ResolveNotice). Operations deep
// inside a transaction, such as a hold placed by a status move, pass nil.
type NoticePlan struct {
	Policy    dueprocess.NoticePolicy
	Addresses map[dueprocess.Target]string
}

// NoticePolicy returns the policy's notice section as serve set it on the
// DB (DB.Notice), or dueprocess.DefaultNoticePolicy when none was set:
// what an operation deep inside a transaction passes to PlanNotices.
func (tx *Tx) NoticePolicy() dueprocess.NoticePolicy {
	if tx.db.Notice == (dueprocess.NoticePolicy{}) {
		return dueprocess.DefaultNoticePolicy
	}
	return tx.db.Notice
}

// address returns t's address by the plan, and whether it is known.
func (p *NoticePlan) address(t dueprocess.Target) (string, bool) {
	if p.Addresses != nil {
		return p.Addresses[t], true
	}
	a := t.EmailAddress()
	return a, a != ""
}

// PlanNotices writes a user notice for each target of request requestID
// because of reason (its data was released, or a hold was placed), if the
// policy tells users of that: queued in the mail outbox now, withheld
// while a non-disclosure order is in force, delayed after an emergency,
// or undeliverable without an address (see dueprocess.PlanNotice). A
// target already told of the same reason is left alone, so calling it
// again is harmless. The release of a package and the placing of a hold
// call it in their own transaction; it records one audit entry.
func (tx *Tx) PlanNotices(ctx context.Context, requestID string, reason dueprocess.NoticeReason, plan NoticePlan) ([]dueprocess.Notice, error) {
	if err := dueprocess.CheckNoticeReason(reason); err != nil {
		return nil, err
	}
	if !plan.Policy.Wants(reason) {
		return nil, nil
	}
	lang := plan.Policy.Language
	if lang == "" {
		lang = dueprocess.DefaultNoticePolicy.Language
	}
	if err := dueprocess.CheckNoticeLanguage(lang); err != nil {
		return nil, err
	}
	r, err := tx.Request(ctx, requestID)
	if err != nil {
		return nil, err
	}
	var list []dueprocess.Notice
	counts := map[dueprocess.NoticeStatus]int{}
	for _, t := range r.Targets {
		var exists int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM notices WHERE request_id = $1 AND reason = $2 AND target_type = $3 AND target_value = $4`,
			r.ID, string(reason), string(t.Type), t.Value).Scan(&exists)
		if err != nil {
			return nil, mapError(err)
		}
		if exists > 0 {
			continue
		}
		n := dueprocess.Notice{ID: newID("ntc"), RequestID: r.ID, Target: t, Reason: reason, Language: lang, CreatedAt: tx.now}
		var known bool
		if n.Address, known = plan.address(t); known {
			dueprocess.PlanNotice(&n, r, tx.now, plan.Policy)
		} else {
			n.Status, n.Why = dueprocess.NoticeUnresolved, "waiting for the platform's contact query to give an address"
		}
		if err := tx.insertNotice(ctx, &n); err != nil {
			return nil, err
		}
		if n.Status == dueprocess.NoticeQueued {
			if err := tx.queueNotice(ctx, &n, r); err != nil {
				return nil, err
			}
		}
		counts[n.Status]++
		list = append(list, n)
	}
	if len(list) == 0 {
		return nil, nil
	}
	// The entry counts the notices by status; the targets and addresses
	// stay out of the log, which the public may read.
	return list, tx.Record(ctx, dueprocess.System, dueprocess.ActionNoticesPlanned, "request:"+r.ID,
		map[string]any{"reason": reason, "language": lang, "notices": counts})
}

func (tx *Tx) insertNotice(ctx context.Context, n *dueprocess.Notice) error {
	_, err := tx.exec(ctx, `INSERT INTO notices (id, request_id, target_type, target_value, reason, status, language, address,
		held_by, release_at, why, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		n.ID, n.RequestID, string(n.Target.Type), n.Target.Value, string(n.Reason), string(n.Status), n.Language, n.Address,
		n.HeldBy, tx.db.tsOrNil(n.ReleaseAt), n.Why, tx.db.ts(n.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert notice: %w", err)
	}
	return nil
}

// queueNotice writes notice n about request r to the outbox, in its
// language, and marks it queued.
func (tx *Tx) queueNotice(ctx context.Context, n *dueprocess.Notice, r *dueprocess.Request) error {
	facts := dueprocess.NoticeFacts{Target: n.Target, Request: r, Reason: n.Reason, Categories: r.DataCategories}
	if err := tx.queryRow(ctx, `SELECT name FROM agencies WHERE id = $1`, r.AgencyID).Scan(&facts.Agency); err != nil {
		return notFound(err, "agency "+r.AgencyID)
	}
	// What was released is what the second pair of eyes approved, which
	// may be fewer categories than were asked for.
	if n.Reason == dueprocess.NoticeReleased {
		approval, err := tx.latestReview(ctx, r.ID, dueprocess.ReviewKindApproval)
		if err != nil && !errors.Is(err, dueprocess.ErrConflict) {
			return err
		}
		if approval != nil && len(approval.Categories) > 0 {
			facts.Categories = approval.Categories
		}
	}
	m, err := dueprocess.UserNotice(n.Language, n.Address, facts)
	if err != nil {
		return err
	}
	mailID, err := tx.QueueMail(ctx, m)
	if err != nil {
		return err
	}
	n.Status, n.MailID, n.QueuedAt = dueprocess.NoticeQueued, mailID, &tx.now
	// A notice has one message: a second writer (a server whose lock
	// was not taken) finds mail_id set, and its transaction rolls back.
	return tx.tx.writeChecked(ctx, oneRow("unqueued notice "+n.ID), `UPDATE notices SET status = 'queued', mail_id = $2, queued_at = $3
		WHERE id = $1 AND mail_id IS NULL`, n.ID, mailID, tx.db.ts(tx.now))
}

// ClaimUnresolvedNotices leases up to limit notices whose address is still
// to be asked of the platform (see NoticePlan), oldest first, for lease:
// the notice loop asks the contact query for each outside any transaction
// and calls ResolveNotice. A loop that dies leaves them to be claimed
// again when the lease ends; asking twice is harmless.
func (db *DB) ClaimUnresolvedNotices(ctx context.Context, limit int, lease time.Duration) (list []dueprocess.Notice, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		list = nil
		ids, err := tx.ClaimDue(ctx, Claim{Table: "notices", Due: "status = 'unresolved' AND created_at <= $1", Order: "created_at, id", Limit: limit, Lease: lease})
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			l, err := tx.notices(ctx, `WHERE n.id = $1`, id)
			if err != nil {
				return err
			}
			list = append(list, l...)
		}
		return nil
	})
	return list, err
}

// ResolveNotice gives an unresolved notice the address the contact query
// found ("" for none) and plans it as PlanNotices would have (queued,
// withheld, delayed or undeliverable), under policy p. A notice resolved
// already, by another server whose lease ran out, is left alone.
func (db *DB) ResolveNotice(ctx context.Context, id, address string, p dueprocess.NoticePolicy) error {
	return db.Transact(ctx, func(tx *Tx) error {
		list, err := tx.notices(ctx, `WHERE n.id = $1 AND n.status = 'unresolved'`, id)
		if err != nil || len(list) == 0 {
			return err
		}
		n := &list[0]
		r, err := tx.Request(ctx, n.RequestID)
		if err != nil {
			return err
		}
		n.Address = address
		dueprocess.PlanNotice(n, r, tx.now, p)
		if _, err := tx.exec(ctx, `UPDATE notices SET status = $2, address = $3, held_by = $4, release_at = $5, why = $6, claimed_until = NULL
			WHERE id = $1`, n.ID, string(n.Status), n.Address, n.HeldBy, tx.db.tsOrNil(n.ReleaseAt), n.Why); err != nil {
			return err
		}
		if n.Status == dueprocess.NoticeQueued {
			if err := tx.queueNotice(ctx, n, r); err != nil {
				return err
			}
		}
		return tx.Record(ctx, dueprocess.System, dueprocess.ActionNoticeResolved, "notice:"+n.ID,
			map[string]any{"request": n.RequestID, "status": n.Status, "release_at": n.ReleaseAt})
	})
}

// ReleaseNotices queues up to limit withheld and delayed notices whose
// time has come (the day after the order ended; the emergency delay over),
// each marked queued in the same transaction as its message is written to
// the outbox, so that each goes out exactly once however many servers run
// this. It returns the notices queued.
//
// On PostgreSQL the notices are chosen FOR UPDATE SKIP LOCKED, so that
// servers running this at once take different ones; on SQLite the
// transaction holds the one write lock.
func (db *DB) ReleaseNotices(ctx context.Context, limit int) (released []string, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		released = nil
		lock := ""
		if tx.db.dialect == Postgres {
			// Only the notices are locked: the outbox is the nullable
			// side of the join, which PostgreSQL cannot lock.
			lock = " FOR UPDATE OF n SKIP LOCKED"
		}
		list, err := tx.notices(ctx, `WHERE n.status IN ('withheld', 'delayed') AND n.release_at IS NOT NULL AND n.release_at <= $1
			ORDER BY n.release_at, n.id LIMIT $2`+lock, tx.db.ts(tx.now), limit)
		if err != nil {
			return err
		}
		for i := range list {
			n := &list[i]
			if err := tx.releaseNotice(ctx, n); err != nil {
				return err
			}
			if err := tx.Record(ctx, dueprocess.System, dueprocess.ActionNoticeReleased, "notice:"+n.ID,
				map[string]any{"request": n.RequestID, "held_by": n.HeldBy, "release_at": n.ReleaseAt}); err != nil {
				return err
			}
			released = append(released, n.ID)
		}
		return nil
	})
	return released, err
}

func (tx *Tx) releaseNotice(ctx context.Context, n *dueprocess.Notice) error {
	r, err := tx.Request(ctx, n.RequestID)
	if err != nil {
		return err
	}
	return tx.queueNotice(ctx, n, r)
}

// LiftNondisclosure sends the notices of request requestID that a
// non-disclosure order without an end date withholds: staff lift it, with
// a reason, when the order is lifted or has lapsed. With none withheld so
// it is a Conflict.
func (tx *Tx) LiftNondisclosure(ctx context.Context, requestID string, by *dueprocess.Staff, reason string) ([]dueprocess.Notice, error) {
	reason, err := dueprocess.CheckLiftReason(reason)
	if err != nil {
		return nil, err
	}
	if _, err := tx.lockRequest(ctx, requestID); err != nil {
		return nil, err
	}
	list, err := tx.notices(ctx, `WHERE n.request_id = $1 AND n.status = 'withheld' AND n.release_at IS NULL ORDER BY n.id`, requestID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s has no notice withheld by an order without an end date; only those can be lifted", requestID)
	}
	for i := range list {
		n := &list[i]
		n.LiftedBy, n.LiftReason = by.ID, reason
		if _, err := tx.exec(ctx, `UPDATE notices SET lifted_by = $2, lift_reason = $3 WHERE id = $1`, n.ID, by.ID, reason); err != nil {
			return nil, err
		}
		if err := tx.releaseNotice(ctx, n); err != nil {
			return nil, err
		}
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: by.ID}
	return list, tx.Record(ctx, me, dueprocess.ActionNondisclosureLifted, "request:"+requestID,
		map[string]any{"reason": reason, "notices": len(list)})
}

// Notices returns the notices of a request, oldest first, with sent or
// failed as the outbox says for those queued.
func (db *DB) Notices(ctx context.Context, requestID string) ([]dueprocess.Notice, error) {
	return db.notices(ctx, db.sql, `WHERE n.request_id = $1 ORDER BY n.created_at, n.id`, requestID)
}

func (tx *Tx) notices(ctx context.Context, where string, args ...any) ([]dueprocess.Notice, error) {
	return tx.db.notices(ctx, tx.tx, where, args...)
}

const noticeColumns = `n.id, n.request_id, n.target_type, n.target_value, n.reason, n.status, n.language, n.address, n.held_by,
	n.release_at, n.why, n.mail_id, n.created_at, n.queued_at, n.lifted_by, n.lift_reason, o.status, o.sent_at`

func (db *DB) notices(ctx context.Context, q querier, where string, args ...any) ([]dueprocess.Notice, error) {
	from := ` FROM notices n LEFT JOIN outbox o ON o.id = n.mail_id `
	rows, err := q.QueryContext(ctx, `SELECT `+noticeColumns+from+where, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("notices: %w", err))
	}
	defer rows.Close()
	list := []dueprocess.Notice{}
	for rows.Next() {
		var n dueprocess.Notice
		var ttype, reason, status, mailStatus string
		err := rows.Scan(&n.ID, &n.RequestID, &ttype, &n.Target.Value, &reason, &status, &n.Language, &n.Address, &n.HeldBy,
			nullTimeCol{&n.ReleaseAt}, &n.Why, nullString{&n.MailID}, timeCol{&n.CreatedAt}, nullTimeCol{&n.QueuedAt},
			&n.LiftedBy, &n.LiftReason, nullString{&mailStatus}, nullTimeCol{&n.SentAt})
		if err != nil {
			return nil, mapError(err)
		}
		n.Target.Type, n.Reason, n.Status = dueprocess.TargetType(ttype), dueprocess.NoticeReason(reason), dueprocess.NoticeStatus(status)
		switch dueprocess.MailStatus(mailStatus) {
		case dueprocess.MailSent:
			n.Status = dueprocess.NoticeSent
		case dueprocess.MailFailed:
			n.Status = dueprocess.NoticeFailed
		}
		list = append(list, n)
	}
	return list, mapError(rows.Err())
}
