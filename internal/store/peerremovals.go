package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// pctColumns are peer_removals' percentage columns, by the action each
// stands for.
var pctColumns = []struct {
	col    string
	action dueprocess.ItemAction
}{
	{"pct_legal", dueprocess.ItemRestrict}, {"pct_policy", dueprocess.ItemRemoveUnderPolicy},
	{"pct_not_found", dueprocess.ItemNotFound}, {"pct_not_enough", dueprocess.ItemNotEnoughInfo},
	{"pct_no_action", dueprocess.ItemNoAction}, {"pct_already", dueprocess.ItemAlreadyRemoved},
}

// PeerRemovalFile is one published removals file, parsed.
type PeerRemovalFile struct {
	Name, SHA256 string
	Figures      []dueprocess.PublishedRemoval
}

// ImportPeerRemovals stores a company's published removals figures,
// replacing those of earlier files of the same names, in bulk, with one
// audit entry naming the files.
func (tx *Tx) ImportPeerRemovals(ctx context.Context, company string, files []PeerRemovalFile, by dueprocess.Actor) (int, error) {
	n := 0
	var names []map[string]any
	t := tx.bulkTable("peer_removals", "company", "period", "jurisdiction", "requester", "product", "reason", "requests", "items",
		"pct_legal", "pct_policy", "pct_not_found", "pct_not_enough", "pct_no_action", "pct_already", "source", "imported_at")
	defer t.close()
	for _, f := range files {
		res, err := tx.exec(ctx, `DELETE FROM peer_removals WHERE company = $1 AND source = $2`, company, f.Name)
		if err != nil {
			return 0, fmt.Errorf("replace %s: %w", f.Name, err)
		}
		replaced, err := res.RowsAffected()
		if err != nil {
			return 0, mapError(err)
		}
		for _, fig := range f.Figures {
			if fig.Company != company {
				return 0, dueprocess.Errorf(dueprocess.Invalid, "%s: a figure of %s in an import of %s", f.Name, fig.Company, company)
			}
			row := []any{fig.Company, fig.Period, fig.Jurisdiction, string(fig.Requester), fig.Product, string(fig.Reason), fig.Requests, ptrOrNil(fig.Items)}
			for _, p := range pctColumns {
				if v, ok := fig.Percent[p.action]; ok {
					row = append(row, v)
				} else {
					row = append(row, nil)
				}
			}
			t.add(append(row, f.Name, tx.db.ts(tx.now))...)
		}
		if err := t.flush(ctx); err != nil {
			return 0, fmt.Errorf("import %s: %w", f.Name, err)
		}
		n += len(f.Figures)
		names = append(names, map[string]any{"name": f.Name, "sha256": f.SHA256, "figures": len(f.Figures), "replaced": replaced})
	}
	return n, tx.Record(ctx, by, dueprocess.ActionPeersImported, "peers:"+company, map[string]any{"files": names, "removals": true})
}

// PeerRemovals returns a company's published removals figures for a
// jurisdiction, by period.
func (db *DB) PeerRemovals(ctx context.Context, company, jurisdiction string) ([]dueprocess.PublishedRemoval, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT period, requester, product, reason, requests, items,
		pct_legal, pct_policy, pct_not_found, pct_not_enough, pct_no_action, pct_already
		FROM peer_removals WHERE company = $1 AND jurisdiction = $2 ORDER BY period, requester, product, reason`, company, jurisdiction)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []dueprocess.PublishedRemoval
	for rows.Next() {
		f := dueprocess.PublishedRemoval{Company: company, Jurisdiction: jurisdiction, Percent: map[dueprocess.ItemAction]int64{}}
		var requester, reason string
		pct := make([]*int64, len(pctColumns))
		dest := []any{&f.Period, &requester, &f.Product, &reason, &f.Requests, &f.Items}
		for i := range pct {
			dest = append(dest, &pct[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, mapError(err)
		}
		f.Requester, f.Reason = dueprocess.RequesterType(requester), dueprocess.RemovalReason(reason)
		for i, p := range pct {
			if p != nil {
				f.Percent[pctColumns[i].action] = *p
			}
		}
		out = append(out, f)
	}
	return out, mapError(rows.Err())
}
