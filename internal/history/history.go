// Package history reads the files of earlier requests that "dueprocess
// import requests" loads (docs/import.md). It checks each row as intake
// checks a request, but needs no database, so that its parser can be
// fuzzed; the command checks what only the database knows.
package history

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Columns are the columns of a history file (docs/import.md); the first
// RequiredColumns are required, the rest may be left out or empty.
var Columns = []string{"received", "official", "kind", "jurisdiction", "legal_process", "reference", "issued_by",
	"targets", "data_categories", "status", "offence", "deadline", "emergency_harm", "emergency_justification"}

// RequiredColumns is how many of Columns, from the first, a file must have.
const RequiredColumns = 10

// Parse reads a history file from in, the file at path, and calls
// row with each row's line, its official's e-mail address and its request,
// in the file's order, stopping at the first error, its own or row's. It
// needs no database, so that it can be fuzzed: what it cannot check, the
// official and the agency, row checks.
func Parse(in io.Reader, path string, row func(line int, official string, r *dueprocess.Request) error) error {
	br := bufio.NewReader(in)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: no header line: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !slices.Contains(Columns, h) {
			return fmt.Errorf("%s:1: unknown column %q (the columns are %s)", path, h, strings.Join(Columns, ", "))
		}
		if _, dup := col[h]; dup {
			return fmt.Errorf("%s:1: column %q is given twice", path, h)
		}
		col[h] = i
	}
	for _, h := range Columns[:RequiredColumns] {
		if _, ok := col[h]; !ok {
			return fmt.Errorf("%s:1: the column %q is missing", path, h)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		// FieldPos panics when Read returned no record, as it does for a
		// quote left open at the end of the file; the error says the line.
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		r, err := readRow(get)
		if err != nil {
			return Errorf(path, line, dueprocess.ErrorField(err), err)
		}
		if err := row(line, get("official"), r); err != nil {
			return err
		}
	}
}

// Errorf names the file, line and field of a bad row.
func Errorf(path string, line int, field string, e error) error {
	return fmt.Errorf("%s:%d: %s: %s", path, line, field, dueprocess.ErrorMessage(e))
}

// readRow turns one row into a request, checked as intake checks one,
// with its received date and status.
func readRow(get func(string) string) (*dueprocess.Request, error) {
	var n dueprocess.NewRequest
	n.Kind, n.Jurisdiction, n.Deadline = get("kind"), get("jurisdiction"), get("deadline")
	n.LegalProcess = &dueprocess.NewLegalProcess{Type: get("legal_process"), Reference: get("reference"), IssuedBy: get("issued_by")}
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
		n.Targets = append(n.Targets, dueprocess.NewTarget{Type: strings.TrimSpace(typ), Value: strings.TrimSpace(value)})
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
