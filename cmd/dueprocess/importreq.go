package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/charset"
	"github.com/dueprocess/dueprocess/internal/history"
	"github.com/dueprocess/dueprocess/internal/store"
)

// maxImportFile bounds a history file; a service's years of requests fit.
const maxImportFile = 256 << 20

func importRequests(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("import requests", "import requests FILE.csv",
		"Loads requests an earlier system or a spreadsheet recorded, keeping their received\n"+
			"dates and statuses, so that the transparency report covers the years before\n"+
			"dueprocess. Every row is checked first; a bad row is named with its line and\n"+
			"nothing from the file is stored. A file imported before, or a row whose agency and\n"+
			"reference are stored already, is refused. The layout is in docs/import.md, with a\n"+
			"template in docs/import-template.csv.")
	dsn := c.dbFlag(fs)
	path, err := parseOne(fs, args, "CSV file")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) > maxImportFile {
		return fmt.Errorf("%s is over %d MB", path, maxImportFile>>20)
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	list, lines, err := readHistory(ctx, c, db, path, data)
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	sum := sha256.Sum256(data)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for _, r := range list {
			r.ID, r.Decision = "", nil // the op may run twice; start afresh
		}
		return tx.ImportRequests(ctx, filepath.Base(path), hex.EncodeToString(sum[:]), list, c.operator())
	})
	// A row that repeats a stored request or an earlier row is named by
	// its line, as every other bad row is.
	var rowErr *store.ImportRowError
	if errors.As(err, &rowErr) {
		msg := fmt.Sprintf("%s:%d: reference: %s", path, lines[rowErr.Row], dueprocess.ErrorMessage(rowErr.Err))
		if rowErr.Earlier >= 0 {
			msg += fmt.Sprintf(", first on line %d", lines[rowErr.Earlier])
		}
		if rowErr.More > 0 {
			msg += fmt.Sprintf(" (and %d more rows like it)", rowErr.More)
		}
		return fmt.Errorf("nothing imported: %w", &dueprocess.Error{Kind: dueprocess.ErrorKind(rowErr.Err), Message: msg})
	}
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	c.say("imported %d requests from %s (%s to %s)", len(list), path, list[0].ID, list[len(list)-1].ID)
	return nil
}

// readHistory reads and checks every row of a history file. It returns the
// requests with the line each began on.
func readHistory(ctx context.Context, c *cli, db *store.DB, path string, data []byte) ([]*dueprocess.Request, []int, error) {
	if err := charset.Check(data); err != nil {
		return nil, nil, fmt.Errorf("%s: %s", path, dueprocess.ErrorMessage(err))
	}
	officials := map[string]*dueprocess.Official{}
	agencies := map[string]*dueprocess.Agency{}
	total := int64(bytes.Count(data, []byte("\n")))
	var list []*dueprocess.Request
	var lines []int
	err := history.Parse(bytes.NewReader(data), path, func(line int, email string, r *dueprocess.Request) error {
		var err error
		o := officials[email]
		if o == nil {
			if o, err = db.OfficialByEmail(ctx, email); err != nil {
				return history.Errorf(path, line, "official", dueprocess.Errorf(dueprocess.Invalid, "no official %q is registered; add them first with dueprocess official add", email))
			}
			officials[email] = o
		}
		a := agencies[o.AgencyID]
		if a == nil {
			if a, err = db.Agency(ctx, o.AgencyID); err != nil {
				return err
			}
			agencies[o.AgencyID] = a
		}
		if dueprocess.Country(r.Jurisdiction) != dueprocess.Country(a.Jurisdiction) {
			return history.Errorf(path, line, "jurisdiction", dueprocess.Errorf(dueprocess.Invalid, "%s is not the jurisdiction of %s (%s)", r.Jurisdiction, a.Name, a.Jurisdiction))
		}
		r.AgencyID, r.OfficialID = a.ID, o.ID
		list = append(list, r)
		lines = append(lines, line)
		c.progress("checking", min(int64(line), total), total)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, fmt.Errorf("%s holds no requests", path)
	}
	return list, lines, nil
}
