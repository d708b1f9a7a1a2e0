package published

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/charset"
)

// ParseError is an error in a published file. It names the file, the line
// and, where one cell is at fault, the column, so that whoever imports a
// file can find the cell in a spreadsheet.
type ParseError struct {
	File   string
	Line   int    // 1-based; 0 when the fault is in the file as a whole
	Column string // the header text of the column at fault, if any
	Msg    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap makes a ParseError an Invalid dueprocess error, so that the command
// line and the web layer report it as bad input with its whole message.
func (e *ParseError) Unwrap() error {
	return &dueprocess.Error{Kind: dueprocess.Invalid, Message: e.Error()}
}

// lineEndings turns CRLF and bare CR into LF. encoding/csv accepts CRLF but
// reads a bare CR as part of a field, and Meta's 2019 H2 file ends every line
// with a bare CR, so without this the whole file would be one record.
type lineEndings struct {
	r      io.Reader
	lastCR bool // the previous chunk ended with a CR, whose LF may come next
}

func (l *lineEndings) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		// Rewrite in place: the output is never longer than the input.
		w := 0
		for _, c := range p[:n] {
			switch {
			case c == '\r':
				p[w] = '\n'
				w++
				l.lastCR = true
			case c == '\n' && l.lastCR:
				l.lastCR = false // the LF of a CRLF, already written
			default:
				p[w] = c
				w++
				l.lastCR = false
			}
		}
		// A chunk that was only the LF of a CRLF yields nothing; read again
		// rather than return 0, nil, which io.Reader discourages.
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// newCSV returns a csv.Reader over r with the byte-order mark (Meta's files
// to 2020 H1 start with one) dropped and line endings made LF. A file in
// UTF-16 or UTF-32 is refused with a message naming its encoding.
func newCSV(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReader(r)
	// A short file gives io.EOF here; the csv.Reader will report it.
	head, err := br.Peek(charset.Sniff)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if err := charset.Check(head); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, bom) {
		br.Discard(len(bom))
	}
	cr := csv.NewReader(&lineEndings{r: br})
	// Every row of a layout has as many cells as its header; a row that does
	// not was cut or shifted, and its figures would land in wrong columns.
	cr.FieldsPerRecord = 0
	return cr, nil
}

// table reads a CSV file row by row and keeps what error messages need: the
// file name, the header and the current line.
type table struct {
	name   string
	cr     *csv.Reader
	header []string
	col    map[string]int // header text, trimmed, to index
	row    []string
	line   int
}

func openTable(r io.Reader, name string) (*table, error) {
	cr, err := newCSV(r)
	if err != nil {
		return nil, &ParseError{File: name, Msg: err.Error()}
	}
	t := &table{name: name, cr: cr}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Msg: "the file is empty; a header line was expected"}
	}
	if err != nil {
		return nil, t.csvError(err)
	}
	t.header = make([]string, len(header))
	t.col = make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		t.header[i] = h
		if _, dup := t.col[h]; dup {
			return nil, &ParseError{File: name, Line: 1, Column: h, Msg: "the column appears twice in the header"}
		}
		t.col[h] = i
	}
	return t, nil
}

// next reads the next row; it returns false at the end of the file.
func (t *table) next() (bool, error) {
	row, err := t.cr.Read()
	if err == io.EOF {
		return false, nil
	}
	if errors.Is(err, csv.ErrFieldCount) {
		line, _ := t.cr.FieldPos(0)
		return false, &ParseError{File: t.name, Line: line,
			Msg: fmt.Sprintf("the row has %d cells where the header has %d", len(row), len(t.header))}
	}
	if err != nil {
		return false, t.csvError(err)
	}
	t.row = row
	t.line, _ = t.cr.FieldPos(0)
	return true, nil
}

func (t *table) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: t.name, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &ParseError{File: t.name, Msg: err.Error()}
}

// has reports whether the header has the column.
func (t *table) has(column string) bool {
	_, ok := t.col[column]
	return ok
}

// cell returns the trimmed text of the current row in the column; the
// column must be in the header.
func (t *table) cell(column string) string {
	return strings.TrimSpace(t.row[t.col[column]])
}

// errorf returns a ParseError at the current line.
func (t *table) errorf(column, format string, args ...any) error {
	return &ParseError{File: t.name, Line: t.line, Column: column, Msg: fmt.Sprintf(format, args...)}
}

// blank reports whether every cell of the current row is empty. Meta's files
// end with rows of bare commas.
func (t *table) blank() bool {
	for _, c := range t.row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// count reads a count cell: a number, a band such as "0 - 249", or nothing.
func (t *table) count(column string) (*int64, *Band, error) {
	n, b, err := parseCount(t.cell(column))
	if err != nil {
		return nil, nil, t.errorf(column, "%v", err)
	}
	return n, b, nil
}

// percent reads a percentage cell such as "88%" or "81", or nothing.
func (t *table) percent(column string) (*float64, error) {
	p, err := parsePercent(t.cell(column))
	if err != nil {
		return nil, t.errorf(column, "%v", err)
	}
	return p, nil
}

// none reports whether s is how the companies write "nothing published":
// an empty cell, or a dash (Apple writes " -").
func none(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "-" || s == "–" || s == "—"
}

// parseCount reads "73,956", "12", " -" (nil, nil) or a band "1,251 - 1,499"
// (nil, band). A band is told from a dash for none by the digits around it.
func parseCount(s string) (*int64, *Band, error) {
	s = strings.TrimSpace(s)
	if none(s) {
		return nil, nil, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		min, err1 := parseInt(strings.TrimSpace(lo))
		max, err2 := parseInt(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("%q is neither a count nor a band such as \"0 - 249\"", s)
		}
		if min > max {
			return nil, nil, fmt.Errorf("band %q runs backwards", s)
		}
		return nil, &Band{Min: min, Max: max}, nil
	}
	n, err := parseInt(s)
	if err != nil {
		return nil, nil, err
	}
	return &n, nil, nil
}

// parseInt reads a non-negative whole number, with or without thousands
// separators; when there are separators they must group by three, so that
// a decimal comma ("1,5") is not read as fifteen.
func parseInt(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a count such as 73,956", s)
	if s == "" {
		return 0, bad
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if g == "" || !digits(g) || (i == 0 && len(g) > 3 && len(groups) > 1) || (i > 0 && len(g) != 3) {
			return 0, bad
		}
	}
	n, err := strconv.ParseInt(strings.Join(groups, ""), 10, 64)
	if err != nil {
		return 0, bad
	}
	return n, nil
}

// parsePercent reads "88%", "88", "74.4%" or nothing, and checks that the
// share lies between 0 and 100.
func parsePercent(s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if none(s) {
		return nil, nil
	}
	num := strings.TrimSpace(strings.TrimSuffix(s, "%"))
	// ParseFloat alone would also take "NaN", "-1", "1e2" and hexadecimal;
	// a published percentage is digits with at most one decimal point.
	whole, frac, _ := strings.Cut(num, ".")
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || whole == "" || !digits(whole) || !digits(frac) {
		return nil, fmt.Errorf("%q is not a percentage such as 88%%", s)
	}
	if p > 100 {
		return nil, fmt.Errorf("%q is more than 100%%", s)
	}
	return &p, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// suggest returns "; did you mean "X"?" naming the candidate closest to
// column, if one is close enough to be a misspelling of it (ignoring case,
// at most one edit in six characters), and "" otherwise.
func suggest(column string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := dueprocess.EditDistance(strings.ToLower(column), strings.ToLower(c))
		if d > max(1, len([]rune(c))/6) {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}
