package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// PeerFile is one published CSV file, parsed: its name, the sha256 of its
// bytes (so the audit log says exactly which file was imported), and its
// figures.
type PeerFile struct {
	Name    string
	SHA256  string
	Figures []dueprocess.PublishedFigure
}

// ImportPeerFigures stores the figures of files. A file replaces
// everything an earlier import of a file of that name (for the company)
// stored, so that a figure a corrected file no longer has disappears
// rather than lingers; and a figure already stored from another file for
// the same company, product, period, jurisdiction and legal process is
// replaced, so that no figure is counted twice. It records one audit entry
// naming each file, its hash and how many figures it replaced, and returns
// the number of figures written.
func (tx *Tx) ImportPeerFigures(ctx context.Context, company string, files []PeerFile, by dueprocess.Actor) (int, error) {
	n := 0
	var names []map[string]any
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		// Figures are kept by file name; two files of one name in one
		// import would have the second erase the first.
		if seen[f.Name] {
			return 0, dueprocess.Errorf(dueprocess.Invalid, "two files are named %s; a file's figures are kept by its name", f.Name)
		}
		seen[f.Name] = true
		res, err := tx.exec(ctx, `DELETE FROM peer_figures WHERE company = $1 AND source = $2`, company, f.Name)
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
		}
		err = insertRows(ctx, tx.tx, `INSERT INTO peer_figures (company, product, period, jurisdiction, legal_process, requests, accounts,
				percent_some_data, requests_min, requests_max, accounts_min, accounts_max, source, imported_at) VALUES `,
			` ON CONFLICT (company, product, period, jurisdiction, legal_process) DO UPDATE SET
				requests = excluded.requests, accounts = excluded.accounts, percent_some_data = excluded.percent_some_data,
				requests_min = excluded.requests_min, requests_max = excluded.requests_max,
				accounts_min = excluded.accounts_min, accounts_max = excluded.accounts_max,
				source = excluded.source, imported_at = excluded.imported_at`, 14, len(f.Figures), func(i int) []any {
				fig := f.Figures[i]
				var rmin, rmax, amin, amax any
				if fig.RequestsBand != nil {
					rmin, rmax = fig.RequestsBand.Min, fig.RequestsBand.Max
				}
				if fig.AccountsBand != nil {
					amin, amax = fig.AccountsBand.Min, fig.AccountsBand.Max
				}
				return []any{fig.Company, fig.Product, fig.Period, fig.Jurisdiction, fig.LegalProcess,
					ptrOrNil(fig.Requests), ptrOrNil(fig.Accounts), ptrOrNil(fig.PercentSomeData), rmin, rmax, amin, amax,
					f.Name, tx.db.ts(tx.now)}
			})
		if err != nil {
			return 0, fmt.Errorf("import %s: %w", f.Name, err)
		}
		n += len(f.Figures)
		names = append(names, map[string]any{"name": f.Name, "sha256": f.SHA256, "figures": len(f.Figures), "replaced": replaced})
	}
	err := tx.Record(ctx, by, dueprocess.ActionPeersImported, "peers:"+company, map[string]any{"files": names})
	return n, err
}

func ptrOrNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// PeerFilter selects peer figures; empty fields match anything.
type PeerFilter struct {
	Company      string
	Jurisdiction string
	Period       string
}

// PeerFigures returns the stored peer figures that match f, ordered by
// company, product, period, jurisdiction and legal process.
func (db *DB) PeerFigures(ctx context.Context, f PeerFilter) ([]dueprocess.PublishedFigure, error) {
	q := `SELECT company, product, period, jurisdiction, legal_process, requests, accounts, percent_some_data,
		requests_min, requests_max, accounts_min, accounts_max FROM peer_figures WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ col, v string }{{"company", f.Company}, {"jurisdiction", f.Jurisdiction}, {"period", f.Period}} {
		if c.v != "" {
			args = append(args, c.v)
			q += fmt.Sprintf(" AND %s = $%d", c.col, len(args))
		}
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY company, product, period, jurisdiction, legal_process`, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("read peer figures: %w", err))
	}
	defer rows.Close()
	list := []dueprocess.PublishedFigure{}
	for rows.Next() {
		var fig dueprocess.PublishedFigure
		var req, acc, rmin, rmax, amin, amax sql.NullInt64
		var pct sql.NullFloat64
		if err := rows.Scan(&fig.Company, &fig.Product, &fig.Period, &fig.Jurisdiction, &fig.LegalProcess,
			&req, &acc, &pct, &rmin, &rmax, &amin, &amax); err != nil {
			return nil, mapError(err)
		}
		if req.Valid {
			fig.Requests = &req.Int64
		}
		if acc.Valid {
			fig.Accounts = &acc.Int64
		}
		if pct.Valid {
			fig.PercentSomeData = &pct.Float64
		}
		if rmin.Valid {
			fig.RequestsBand = &dueprocess.Band{Min: rmin.Int64, Max: rmax.Int64}
		}
		if amin.Valid {
			fig.AccountsBand = &dueprocess.Band{Min: amin.Int64, Max: amax.Int64}
		}
		list = append(list, fig)
	}
	return list, mapError(rows.Err())
}
