package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/charset"
	"github.com/dueprocess/dueprocess/internal/store"
)

// importColumns are the columns of a history file (docs/import.md); the
// first ten are required, the rest may be left out or empty.
var importColumns = []string{"received", "official", "kind", "jurisdiction", "legal_process", "reference", "issued_by",
	"targets", "data_categories", "status", "offence", "deadline", "emergency_harm", "emergency_justification"}

const requiredImportColumns = 10

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
		br := bufio.NewReaderSize(h.f, 1<<16)
		if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
			br.Discard(3)
		}
		return h.read(ctx, br, what, yield)
	}
}

func (h *historyFile) read(ctx context.Context, r io.Reader, what string, yield func(store.ImportRow) error) error {
	path := h.path
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: no header line: %w", path, err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(name)
		if !slices.Contains(importColumns, name) {
			return fmt.Errorf("%s:1: unknown column %q (the columns are %s)", path, name, strings.Join(importColumns, ", "))
		}
		if _, dup := col[name]; dup {
			return fmt.Errorf("%s:1: column %q is given twice", path, name)
		}
		col[name] = i
	}
	for _, name := range importColumns[:requiredImportColumns] {
		if _, ok := col[name]; !ok {
			return fmt.Errorf("%s:1: the column %q is missing", path, name)
		}
	}
	rows, shown := 0, int64(-1)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field string, e error) error {
			return fmt.Errorf("%s:%d: %s: %s", path, line, field, dueprocess.ErrorMessage(e))
		}
		r, err := historyRow(get)
		if err != nil {
			return bad(dueprocess.ErrorField(err), err)
		}
		email := get("official")
		o := h.officials[email]
		if o == nil {
			if o, err = h.db.OfficialByEmail(ctx, email); err != nil {
				return bad("official", dueprocess.Errorf(dueprocess.Invalid, "no official %q is registered; add them first with dueprocess official add", email))
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
			return bad("jurisdiction", dueprocess.Errorf(dueprocess.Invalid, "%s is not the jurisdiction of %s (%s)", r.Jurisdiction, a.Name, a.Jurisdiction))
		}
		r.AgencyID, r.OfficialID = a.ID, o.ID
		if err := yield(store.ImportRow{Line: line, Request: r}); err != nil {
			return err
		}
		rows++
		// The bar moves by whole percents: a line of output per row would
		// cost more than the row.
		if pct := 100 * cr.InputOffset() / max(h.size, 1); pct != shown {
			shown = pct
			h.c.progress(what, min(cr.InputOffset(), h.size), h.size)
		}
	}
	if rows == 0 {
		return fmt.Errorf("%s holds no requests", path)
	}
	if shown < 100 {
		h.c.progress(what, h.size, h.size) // ends the bar's line
	}
	return nil
}

// historyRow turns one row into a request, checked as intake checks one,
// with its received date and status.
func historyRow(get func(string) string) (*dueprocess.Request, error) {
	var n dueprocess.NewRequest
	n.Kind, n.Jurisdiction, n.Deadline = get("kind"), get("jurisdiction"), get("deadline")
	n.LegalProcess = &struct {
		Type      string `json:"type"`
		Reference string `json:"reference"`
		IssuedBy  string `json:"issued_by"`
		IssuedOn  string `json:"issued_on"`
	}{Type: get("legal_process"), Reference: get("reference"), IssuedBy: get("issued_by")}
	if o := get("offence"); o != "" {
		n.Offence = &struct {
			Category    string `json:"category"`
			Description string `json:"description"`
		}{Category: o}
	}
	for _, t := range strings.Split(get("targets"), ";") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		typ, value, ok := strings.Cut(t, ":")
		if !ok {
			return nil, dueprocess.FieldError("targets", "%q is not type:value, such as username:alice", t)
		}
		n.Targets = append(n.Targets, struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}{strings.TrimSpace(typ), strings.TrimSpace(value)})
	}
	for _, c := range strings.Split(get("data_categories"), ";") {
		if c = strings.TrimSpace(c); c != "" {
			n.DataCategories = append(n.DataCategories, c)
		}
	}
	if h := get("emergency_harm"); h != "" || n.Kind == string(dueprocess.KindEmergency) {
		n.Emergency = &struct {
			Harm          string `json:"harm"`
			Justification string `json:"justification"`
		}{h, get("emergency_justification")}
	}
	r, err := n.Check()
	if err != nil {
		return nil, err
	}
	received, err := dueprocess.ParseDate(get("received"))
	if err != nil {
		return nil, dueprocess.FieldError("received", "%s", err.Error())
	}
	if received.After(time.Now()) {
		return nil, dueprocess.FieldError("received", "%s is in the future", received)
	}
	r.ReceivedAt = received.Time.Add(12 * time.Hour)
	status := dueprocess.Status(get("status"))
	if !slices.Contains(dueprocess.Statuses, status) {
		return nil, dueprocess.FieldError("status", "%q is not a status (%s)", status, statusList())
	}
	r.Status = status
	return r, nil
}

func statusList() string {
	s := make([]string, len(dueprocess.Statuses))
	for i, st := range dueprocess.Statuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}
