package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/charset"
	"github.com/dueprocess/dueprocess/internal/history"
	"github.com/dueprocess/dueprocess/internal/store"
)

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
	// The file is read three times and never held: once for its sha256,
	// then by the import's two passes (check every row, then store them),
	// so that a file of millions of rows needs no more memory than one of
	// ten.
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, charset.Sniff)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if err := charset.Check(head[:n]); err != nil {
		return fmt.Errorf("nothing imported: %s: %s", path, dueprocess.ErrorMessage(err))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sum := sha256.New()
	size, err := io.Copy(sum, f)
	if err != nil {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	h := &historyFile{c: c, db: db, path: path, f: f, size: size,
		officials: map[string]*dueprocess.Official{}, agencies: map[string]*dueprocess.Agency{}}
	var res *store.ImportResult
	err = db.TransactAlone(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ImportRequestRows(ctx, filepath.Base(path), hex.EncodeToString(sum.Sum(nil)), h.rows(ctx), c.operator())
		return err
	})
	// A row that repeats a stored request or an earlier row is named by
	// its line, as every other bad row is.
	var rowErr *store.ImportRowError
	if errors.As(err, &rowErr) {
		msg := fmt.Sprintf("%s:%d: reference: %s", path, rowErr.Row, dueprocess.ErrorMessage(rowErr.Err))
		if rowErr.Earlier >= 0 {
			msg += fmt.Sprintf(", first on line %d", rowErr.Earlier)
		}
		if rowErr.More > 0 {
			msg += fmt.Sprintf(" (and %d more rows like it)", rowErr.More)
		}
		return fmt.Errorf("nothing imported: %w", &dueprocess.Error{Kind: dueprocess.ErrorKind(rowErr.Err), Message: msg})
	}
	if err != nil {
		return fmt.Errorf("nothing imported: %w", err)
	}
	c.say("imported %d requests from %s (%s)", res.Import.Requests, path, idRanges(res.Years))
	return nil
}

// idRanges names the ids an import gave, one range per year, since each
// year numbers its requests from 1: "DP-2019-000001 to DP-2019-000003;
// DP-2020-000001" for three requests of 2019 and one of 2020.
func idRanges(years []store.ImportYear) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = y.FirstID
		if y.Requests > 1 {
			parts[i] += " to " + y.LastID
		}
	}
	return strings.Join(parts, "; ")
}

// historyFile reads the rows of a history file, checking each, as often as
// the import asks; the officials and agencies the rows name are looked up
// once.
type historyFile struct {
	c         *cli
	db        *store.DB
	path      string
	f         *os.File
	size      int64
	pass      int
	officials map[string]*dueprocess.Official
	agencies  map[string]*dueprocess.Agency
}

// rows returns the file's rows for store.ImportRequestRows: each call reads
// the file again from its start.
func (h *historyFile) rows(ctx context.Context) store.ImportRows {
	return func(yield func(store.ImportRow) error) error {
		h.pass++
		what := "checking"
		if h.pass%2 == 0 {
			what = "storing"
		}
		if _, err := h.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		return h.read(ctx, &countingReader{r: h.f}, what, yield)
	}
}

// countingReader counts the bytes read through it, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// read parses the file (internal/history checks every row as intake
// would) and checks what only the database knows: the official, and that
// the row's jurisdiction is their agency's.
func (h *historyFile) read(ctx context.Context, in *countingReader, what string, yield func(store.ImportRow) error) error {
	path := h.path
	rows, shown := 0, int64(-1)
	err := history.Parse(in, path, func(line int, email string, r *dueprocess.Request) error {
		var err error
		o := h.officials[email]
		if o == nil {
			if o, err = h.db.OfficialByEmail(ctx, email); err != nil {
				return history.Errorf(path, line, "official", dueprocess.Errorf(dueprocess.Invalid, "no official %q is registered; add them first with dueprocess official add", email))
			}
			h.officials[email] = o
		}
		a := h.agencies[o.AgencyID]
		if a == nil {
			if a, err = h.db.Agency(ctx, o.AgencyID); err != nil {
				return err
			}
			h.agencies[o.AgencyID] = a
		}
		if dueprocess.Country(r.Jurisdiction) != dueprocess.Country(a.Jurisdiction) {
			return history.Errorf(path, line, "jurisdiction", dueprocess.Errorf(dueprocess.Invalid, "%s is not the jurisdiction of %s (%s)", r.Jurisdiction, a.Name, a.Jurisdiction))
		}
		r.AgencyID, r.OfficialID = a.ID, o.ID
		if err := yield(store.ImportRow{Line: line, Request: r}); err != nil {
			return err
		}
		rows++
		// The bar moves by whole percents: a line of output per row would
		// cost more than the row.
		if pct := 100 * in.n / max(h.size, 1); pct != shown {
			shown = pct
			h.c.progress(what, min(in.n, h.size), h.size)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rows == 0 {
		return fmt.Errorf("%s holds no requests", path)
	}
	if shown < 100 {
		h.c.progress(what, h.size, h.size) // ends the bar's line
	}
	return nil
}
