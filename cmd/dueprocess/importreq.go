package main

import (
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
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no header line: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !slices.Contains(importColumns, h) {
			return nil, nil, fmt.Errorf("%s:1: unknown column %q (the columns are %s)", path, h, strings.Join(importColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("%s:1: column %q is given twice", path, h)
		}
		col[h] = i
	}
	for _, h := range importColumns[:requiredImportColumns] {
		if _, ok := col[h]; !ok {
			return nil, nil, fmt.Errorf("%s:1: the column %q is missing", path, h)
		}
	}
	officials := map[string]*dueprocess.Official{}
	agencies := map[string]*dueprocess.Agency{}
	total := int64(bytes.Count(data, []byte("\n")))
	var list []*dueprocess.Request
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
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
			return nil, nil, bad(dueprocess.ErrorField(err), err)
		}
		email := get("official")
		o := officials[email]
		if o == nil {
			if o, err = db.OfficialByEmail(ctx, email); err != nil {
				return nil, nil, bad("official", dueprocess.Errorf(dueprocess.Invalid, "no official %q is registered; add them first with dueprocess official add", email))
			}
			officials[email] = o
		}
		a := agencies[o.AgencyID]
		if a == nil {
			if a, err = db.Agency(ctx, o.AgencyID); err != nil {
				return nil, nil, err
			}
			agencies[o.AgencyID] = a
		}
		if dueprocess.Country(r.Jurisdiction) != dueprocess.Country(a.Jurisdiction) {
			return nil, nil, bad("jurisdiction", dueprocess.Errorf(dueprocess.Invalid, "%s is not the jurisdiction of %s (%s)", r.Jurisdiction, a.Name, a.Jurisdiction))
		}
		r.AgencyID, r.OfficialID = a.ID, o.ID
		list = append(list, r)
		lines = append(lines, line)
		c.progress("checking", min(int64(line), total), total)
	}
	if len(list) == 0 {
		return nil, nil, fmt.Errorf("%s holds no requests", path)
	}
	return list, lines, nil
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
