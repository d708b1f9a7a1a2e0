package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// openStatuses is the SQL list of the statuses of requests still being
// handled, which a suspension flags.
func openStatuses() string {
	var list []string
	for _, s := range dueprocess.Statuses {
		if s.Open() {
			list = append(list, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(list, ", ") + ")"
}

// SuspendOfficial suspends an official at once: every token of theirs is
// revoked and every portal session ended (and a token that escaped would still fail, since
// PrincipalByTokenHash refuses a suspended official), their open requests
// are flagged, nothing of theirs can be released (CheckReleasable), and
// the administrators are alerted. Suspending a suspended official is a
// Conflict.
func (tx *Tx) SuspendOfficial(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	o, err := tx.db.official(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if o.SuspendedAt != nil {
		return dueprocess.Errorf(dueprocess.Conflict, "official %s is suspended already, since %s (%s)", o.Name, o.SuspendedAt.Format("2006-01-02 15:04"), o.SuspendedReason)
	}
	if _, err := tx.exec(ctx, `UPDATE officials SET suspended_at = $1, suspended_reason = $2 WHERE id = $3`, tx.db.ts(tx.now), reason, id); err != nil {
		return fmt.Errorf("suspend official: %w", err)
	}
	flag := fmt.Sprintf("%s is suspended: %s", o.Name, reason)
	tokens, flagged, err := tx.cutOff(ctx, `official_id = $2`, `official_id = $2`, flag, id)
	if err != nil {
		return err
	}
	if err := tx.alert(ctx, &dueprocess.Alert{Kind: dueprocess.AlertSuspension, AgencyID: o.AgencyID, OfficialID: o.ID,
		Text: fmt.Sprintf("Official %s (%s) is suspended: %s. %d tokens revoked, %d open requests flagged.", o.Name, o.Email, reason, tokens, flagged)}); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionOfficialSuspended, "official:"+id, map[string]any{
		"reason": reason, "tokens_revoked": tokens, "requests_flagged": flagged})
}

// SuspendAgency suspends a whole agency: as SuspendOfficial, for every
// official of the agency.
func (tx *Tx) SuspendAgency(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	a, err := tx.db.agency(ctx, tx.tx, id)
	if err != nil {
		return err
	}
	if a.SuspendedAt != nil {
		return dueprocess.Errorf(dueprocess.Conflict, "agency %s is suspended already, since %s (%s)", a.Name, a.SuspendedAt.Format("2006-01-02 15:04"), a.SuspendedReason)
	}
	if _, err := tx.exec(ctx, `UPDATE agencies SET suspended_at = $1, suspended_reason = $2 WHERE id = $3`, tx.db.ts(tx.now), reason, id); err != nil {
		return fmt.Errorf("suspend agency: %w", err)
	}
	flag := fmt.Sprintf("%s is suspended: %s", a.Name, reason)
	tokens, flagged, err := tx.cutOff(ctx, `official_id IN (SELECT id FROM officials WHERE agency_id = $2)`, `agency_id = $2`, flag, id)
	if err != nil {
		return err
	}
	if err := tx.alert(ctx, &dueprocess.Alert{Kind: dueprocess.AlertSuspension, AgencyID: a.ID,
		Text: fmt.Sprintf("Agency %s is suspended: %s. %d tokens revoked, %d open requests flagged.", a.Name, reason, tokens, flagged)}); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencySuspended, "agency:"+id, map[string]any{
		"reason": reason, "tokens_revoked": tokens, "requests_flagged": flagged})
}

// cutOff revokes the tokens and ends the sessions that tokenWhere selects
// (both have official_id) and flags the open
// requests that requestWhere selects, each with $2 bound to id.
func (tx *Tx) cutOff(ctx context.Context, tokenWhere, requestWhere, flag, id string) (tokens, flagged int64, err error) {
	res, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND `+tokenWhere, tx.db.ts(tx.now), id)
	if err != nil {
		return 0, 0, fmt.Errorf("revoke tokens: %w", err)
	}
	tokens, _ = res.RowsAffected()
	// Their portal sessions end too (SessionByHash refuses them anyway).
	if _, err := tx.exec(ctx, `UPDATE sessions SET ended_at = $1 WHERE ended_at IS NULL AND `+tokenWhere, tx.db.ts(tx.now), id); err != nil {
		return 0, 0, fmt.Errorf("end sessions: %w", err)
	}
	res, err = tx.exec(ctx, `UPDATE requests SET flag = $1 WHERE `+requestWhere+` AND status IN `+openStatuses(), flag, id)
	if err != nil {
		return 0, 0, fmt.Errorf("flag requests: %w", err)
	}
	flagged, _ = res.RowsAffected()
	return tokens, flagged, nil
}

// ReinstateOfficial lifts an official's suspension, with the reason on
// record, and takes the flag off their requests that are not refused as
// forged. Their revoked tokens stay revoked: new ones must be issued.
func (tx *Tx) ReinstateOfficial(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE officials SET suspended_at = NULL, suspended_reason = '' WHERE id = $1 AND suspended_at IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("reinstate official: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "official %s is not suspended", id)
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET flag = '' WHERE official_id = $1 AND forged_at IS NULL`, id); err != nil {
		return fmt.Errorf("reinstate official: %w", err)
	}
	return tx.Record(ctx, by, dueprocess.ActionOfficialReinstated, "official:"+id, map[string]any{"reason": reason})
}

// ReinstateAgency lifts an agency's suspension (see ReinstateOfficial).
// Officials suspended one by one stay suspended.
func (tx *Tx) ReinstateAgency(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE agencies SET suspended_at = NULL, suspended_reason = '' WHERE id = $1 AND suspended_at IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("reinstate agency: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "agency %s is not suspended", id)
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET flag = '' WHERE agency_id = $1 AND forged_at IS NULL
		AND official_id IN (SELECT id FROM officials WHERE agency_id = $1 AND suspended_at IS NULL)`, id); err != nil {
		return fmt.Errorf("reinstate agency: %w", err)
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencyReinstated, "agency:"+id, map[string]any{"reason": reason})
}

// SetAgencyContact sets an agency's callback number and supervisor
// contact in our registry, values checked by dueprocess.CheckAgencyContact.
func (tx *Tx) SetAgencyContact(ctx context.Context, id, phone, supervisor string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE agencies SET callback_phone = $1, supervisor_contact = $2 WHERE id = $3`, phone, supervisor, id)
	if err != nil {
		return fmt.Errorf("set agency contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "agency %s not found", id)
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencyContactSet, "agency:"+id, map[string]any{"callback_phone": phone, "supervisor_contact": supervisor})
}

// SetAgencyKey registers the agency's request-signing key, a note
// verifier key checked by auth.CheckSigningKey ("" removes it).
func (tx *Tx) SetAgencyKey(ctx context.Context, id, vkey string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE agencies SET signing_key = $1 WHERE id = $2`, vkey, id)
	if err != nil {
		return fmt.Errorf("set agency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "agency %s not found", id)
	}
	return tx.Record(ctx, by, dueprocess.ActionAgencyKeySet, "agency:"+id, map[string]any{"signing_key": vkey})
}
