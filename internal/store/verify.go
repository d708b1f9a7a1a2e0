package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// verifySender finds who sent r and computes its signals: the official of
// the API's token, or for a demand entered from paper the official the
// demand names, found in the agency by e-mail address or added to it (an
// official need not have a portal account). A request from a suspended
// agency or official (possible only on paper) is stored flagged.
func (tx *Tx) verifySender(ctx context.Context, r *dueprocess.Request, by dueprocess.Actor, origin Origin) error {
	a, err := origin.Agency, error(nil)
	if a == nil || a.ID != r.AgencyID {
		if a, err = tx.db.agency(ctx, tx.tx, r.AgencyID); err != nil {
			return &dueprocess.Error{Kind: dueprocess.Invalid, Field: "agency_id", Message: fmt.Sprintf("no agency %s in the registry", r.AgencyID)}
		}
	}
	r.Channel = origin.Channel
	if r.Channel == "" {
		r.Channel = dueprocess.ChannelAPI
	}
	if origin.Sender != nil {
		sender := *origin.Sender
		r.Sender = &sender
	}
	var o *dueprocess.Official
	switch {
	case origin.Official != nil && origin.Official.ID == r.OfficialID:
		o = origin.Official
	case r.OfficialID != "":
		if o, err = tx.db.official(ctx, tx.tx, r.OfficialID); err != nil {
			return err
		}
		if o.AgencyID != a.ID {
			return &dueprocess.Error{Kind: dueprocess.Invalid, Field: "official_id", Message: fmt.Sprintf("official %s is not of %s", o.ID, a.Name)}
		}
	case r.Sender != nil:
		if o, err = tx.namedOfficial(ctx, a, r.Sender, by); err != nil {
			return err
		}
		r.OfficialID = o.ID
	default:
		return dueprocess.Errorf(dueprocess.Internal, "a submission names neither an official nor a sender")
	}
	from := o.Email
	if r.Sender != nil {
		from = r.Sender.Email
	}
	if r.Signals, err = tx.signals(ctx, r, o, a, from, origin); err != nil {
		return err
	}
	switch {
	case a.SuspendedAt != nil:
		r.Flag = fmt.Sprintf("%s is suspended: %s", a.Name, a.SuspendedReason)
	case o.SuspendedAt != nil:
		r.Flag = fmt.Sprintf("%s is suspended: %s", o.Name, o.SuspendedReason)
	}
	return nil
}

// namedOfficial returns the official of agency a with the sender's e-mail
// address, adding one if there is none. The address need not be at one of
// the agency's domains: the demand is recorded as it came, and the domain
// signals say what is wrong with it.
func (tx *Tx) namedOfficial(ctx context.Context, a *dueprocess.Agency, s *dueprocess.Sender, by dueprocess.Actor) (*dueprocess.Official, error) {
	o, err := scanOfficial(tx.tx.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE lower(email) = $1`, strings.ToLower(s.Email)))
	if err == nil {
		if o.AgencyID != a.ID {
			return nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "sender.email",
				Message: fmt.Sprintf("%s is the address of an official of another agency; a demand in their name must say that agency", s.Email)}
		}
		return o, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, mapError(err)
	}
	o = &dueprocess.Official{ID: newID("of"), AgencyID: a.ID, Email: s.Email, Name: s.Name, CreatedAt: tx.now}
	if _, err := tx.exec(ctx, `INSERT INTO officials (id, agency_id, email, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		o.ID, o.AgencyID, o.Email, o.Name, tx.db.ts(o.CreatedAt)); err != nil {
		return nil, fmt.Errorf("add official named by a paper demand: %w", err)
	}
	return o, tx.Record(ctx, by, dueprocess.ActionOfficialCreated, "official:"+o.ID, map[string]any{"agency_id": o.AgencyID, "from": "paper intake"})
}

func signalCodes(list []dueprocess.Signal) []string {
	codes := make([]string, len(list))
	for i, s := range list {
		codes[i] = s.Code
	}
	return codes
}

// alertSignals alerts the administrators to a new emergency, or a new
// request with a signal that needs a callback, naming each: neither can be
// released before a callback.
func (tx *Tx) alertSignals(ctx context.Context, r *dueprocess.Request) error {
	var serious []string
	for _, s := range r.Signals {
		if dueprocess.NeedsCallback(s.Code) {
			serious = append(serious, s.Text)
		}
	}
	if r.Kind == dueprocess.KindEmergency {
		serious = append(serious, "It is an emergency.")
	}
	if len(serious) == 0 {
		return nil
	}
	return tx.alert(ctx, &dueprocess.Alert{Kind: dueprocess.AlertSignals, RequestID: r.ID, AgencyID: r.AgencyID, OfficialID: r.OfficialID,
		Text: fmt.Sprintf("Request %s needs a callback before anything is released: %s", r.ID, strings.Join(serious, " "))})
}

// alert stores an alert for the administrators, shown in the console
// until dismissed. A forgery or a suspension also writes an e-mail to each
// of them to the outbox, in this transaction; an alert about signals stays
// on the banner, since every emergency raises one.
func (tx *Tx) alert(ctx context.Context, al *dueprocess.Alert) error {
	al.ID, al.At = newID("al"), tx.now
	if err := tx.tx.write(ctx, `INSERT INTO alerts (id, at, kind, request_id, agency_id, official_id, text) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		al.ID, tx.db.ts(al.At), al.Kind, al.RequestID, al.AgencyID, al.OfficialID, al.Text); err != nil {
		return fmt.Errorf("alert: %w", err)
	}
	if al.Kind == dueprocess.AlertSignals {
		return nil
	}
	admins, err := tx.staffWhoMay(ctx, dueprocess.PermRegistryManage)
	if err != nil {
		return err
	}
	for i := range admins {
		if _, err := tx.QueueMail(ctx, dueprocess.AlertMail(al, &admins[i])); err != nil {
			return err
		}
	}
	return nil
}

// staffWhoMay returns the staff members, not disabled, who hold perm.
func (tx *Tx) staffWhoMay(ctx context.Context, perm dueprocess.Permission) ([]dueprocess.Staff, error) {
	roles := perm.Roles()
	if len(roles) == 0 {
		return nil, nil
	}
	args := make([]any, len(roles))
	marks := make([]string, len(roles))
	for i, r := range roles {
		args[i], marks[i] = string(r), fmt.Sprintf("$%d", i+1)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT DISTINCT s.id, s.email, s.name FROM staff s JOIN staff_roles r ON r.staff_id = s.id
		WHERE s.disabled_at IS NULL AND r.role IN (`+strings.Join(marks, ", ")+`) ORDER BY s.id`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []dueprocess.Staff
	for rows.Next() {
		var s dueprocess.Staff
		if err := rows.Scan(&s.ID, &s.Email, &s.Name); err != nil {
			return nil, mapError(err)
		}
		list = append(list, s)
	}
	return list, mapError(rows.Err())
}

// Alerts lists the alerts not yet dismissed, newest first.
func (db *DB) Alerts(ctx context.Context) ([]dueprocess.Alert, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, kind, request_id, agency_id, official_id, text FROM alerts
		WHERE dismissed_at IS NULL ORDER BY at DESC, id LIMIT 100`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.Alert{}
	for rows.Next() {
		var a dueprocess.Alert
		if err := rows.Scan(&a.ID, timeCol{&a.At}, &a.Kind, &a.RequestID, &a.AgencyID, &a.OfficialID, &a.Text); err != nil {
			return nil, mapError(err)
		}
		list = append(list, a)
	}
	return list, mapError(rows.Err())
}

// DismissAlert takes an alert off the console's banner.
func (tx *Tx) DismissAlert(ctx context.Context, id string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE alerts SET dismissed_at = $1 WHERE id = $2 AND dismissed_at IS NULL`, tx.db.ts(tx.now), id)
	if err != nil {
		return fmt.Errorf("dismiss alert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.NotFound, "alert %s not found or already dismissed", id)
	}
	return tx.Record(ctx, by, dueprocess.ActionAlertDismissed, "alert:"+id, nil)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
