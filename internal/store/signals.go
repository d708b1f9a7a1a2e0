package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/lookalike"
)

// Thresholds of the signals (docs/verification.md).
const (
	// NewAccountAge: an official's account younger than this is new.
	NewAccountAge = 30 * 24 * time.Hour
	// BurstCount requests from one official within BurstWindow, this one
	// included, are a burst.
	BurstCount  = 5
	BurstWindow = time.Hour
)

// Origin is where a submission came from: the channel, the sender a
// paper demand names, and for the API the address and token it used.
type Origin struct {
	Channel dueprocess.Channel
	Sender  *dueprocess.Sender
	Address string
	TokenID string
	// Agency and Official, when set, are the caller's as authentication
	// read them an instant ago (dueprocess.Principal), which spares
	// reading them again; otherwise intake reads them.
	Agency   *dueprocess.Agency
	Official *dueprocess.Official
}

// signals computes the signals of request r from official o of agency a,
// sent by email address from, with what the store knows of the
// official's earlier requests and of the addresses their tokens were
// used from. It also records this use of the token, so that the next
// request from the same place is not new.
func (tx *Tx) signals(ctx context.Context, r *dueprocess.Request, o *dueprocess.Official, a *dueprocess.Agency, from string, origin Origin) ([]dueprocess.Signal, error) {
	var out []dueprocess.Signal
	add := func(code, format string, args ...any) {
		out = append(out, dueprocess.Signal{Code: code, Text: fmt.Sprintf(format, args...)})
	}
	// One round trip, each part bounded by an index whatever the number
	// of requests an official or agency has sent: EXISTS stops at the
	// first row, the burst counts at most BurstCount. The token's places
	// are false without a token.
	var sent, sentEmergency bool
	var recent int64
	var dup string
	var p places
	err := tx.tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM requests WHERE official_id = $1),
		EXISTS (SELECT 1 FROM requests WHERE official_id = $1 AND kind = $2),
		(SELECT COUNT(*) FROM (SELECT 1 FROM requests WHERE official_id = $1 AND received_at > $3 LIMIT $4) AS recent),
		(SELECT id FROM requests WHERE agency_id = $5 AND process_reference = $6 AND process_type = $7 AND kind = $8 ORDER BY id LIMIT 1),
		EXISTS (SELECT 1 FROM token_addresses WHERE token_id = $9),
		EXISTS (SELECT 1 FROM token_addresses WHERE token_id = $9 AND address = $10),
		EXISTS (SELECT 1 FROM token_addresses WHERE agency_id = $5),
		EXISTS (SELECT 1 FROM token_addresses WHERE agency_id = $5 AND address = $10)`,
		o.ID, string(dueprocess.KindEmergency), tx.db.ts(tx.now.Add(-BurstWindow)), BurstCount,
		a.ID, r.LegalProcess.Reference, string(r.LegalProcess.Type), string(r.Kind), origin.TokenID, origin.Address).
		Scan(&sent, &sentEmergency, &recent, nullString{&dup}, &p.tokenUsed, &p.tokenHere, &p.agencyUsed, &p.agencyHere)
	if err != nil {
		return nil, mapError(fmt.Errorf("signals: %w", err))
	}
	if !sent {
		add(dueprocess.SignalFirstRequest, "This is the first request from %s.", o.Name)
	}
	if age := tx.now.Sub(o.CreatedAt); age < NewAccountAge {
		add(dueprocess.SignalNewAccount, "%s was registered %d days ago; accounts younger than %d days are new.", o.Name, int(age.Hours()/24), int(NewAccountAge.Hours()/24))
	}
	if recent+1 >= BurstCount {
		add(dueprocess.SignalBurst, "%s sent %d requests within %s.", o.Name, recent+1, BurstWindow)
	}
	if r.Kind == dueprocess.KindEmergency && !sentEmergency {
		add(dueprocess.SignalFirstEmergency, "%s never sent an emergency request before.", o.Name)
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	switch res := lookalike.Check(domain, a.Domains); {
	case res.Lookalike != "":
		add(dueprocess.SignalDomainLookalike, "The sender's domain %s looks like %s, a domain of %s, but is not it.", domain, res.Lookalike, a.Name)
	case !res.Listed:
		add(dueprocess.SignalDomainNotListed, "The sender's domain %s is not one of the domains of %s (%s).", domain, a.Name, strings.Join(a.Domains, ", "))
	}
	if r.Jurisdiction != a.Jurisdiction && (strings.Contains(a.Jurisdiction, "-") || dueprocess.Country(r.Jurisdiction) != a.Jurisdiction) {
		add(dueprocess.SignalOutsideJuris, "The request is for %s, but %s acts in %s.", r.Jurisdiction, a.Name, a.Jurisdiction)
	}
	if dup != "" {
		add(dueprocess.SignalDuplicate, "Request %s already rests on the same %s %s: this may be a replay.", dup, r.LegalProcess.Type, r.LegalProcess.Reference)
	}
	if origin.Channel != dueprocess.ChannelAPI {
		add(dueprocess.SignalPaper, "The request arrived by %s and was entered by staff; only a callback confirms the sender.", strings.ReplaceAll(string(origin.Channel), "_", " "))
	}
	if origin.TokenID == "" || origin.Address == "" {
		return out, nil
	}
	return append(out, p.signals(a, origin)...), tx.usedFrom(ctx, a, origin, p)
}

// places is what the store knows of where a token and its agency were
// used from before.
type places struct {
	tokenUsed, tokenHere, agencyUsed, agencyHere bool
}

// signals returns the signals of a token used from an address new to it
// or to its agency.
func (p places) signals(a *dueprocess.Agency, origin Origin) []dueprocess.Signal {
	var out []dueprocess.Signal
	if p.tokenUsed && !p.tokenHere {
		out = append(out, dueprocess.Signal{Code: dueprocess.SignalTokenNewAddress,
			Text: fmt.Sprintf("The API token was used from %s, where it was never used before.", origin.Address)})
	}
	if p.agencyUsed && !p.agencyHere {
		out = append(out, dueprocess.Signal{Code: dueprocess.SignalAgencyNewAddress,
			Text: fmt.Sprintf("No official of %s ever used the API from %s before.", a.Name, origin.Address)})
	}
	return out
}

// usedFrom records a token's first use from an address, held back with
// the request's other writes.
func (tx *Tx) usedFrom(ctx context.Context, a *dueprocess.Agency, origin Origin, p places) error {
	if p.tokenHere {
		return nil
	}
	if err := tx.tx.write(ctx, `INSERT INTO token_addresses (token_id, agency_id, address, first_seen) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		origin.TokenID, a.ID, origin.Address, tx.db.ts(tx.now)); err != nil {
		return fmt.Errorf("token addresses: %w", err)
	}
	return nil
}
