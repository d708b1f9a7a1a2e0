// Package gather collects the data an approved request allows from the
// platform's own databases: the "sql" connectors of docs/disclosure.md.
//
// A connectors file names one or more SQL sources (PostgreSQL URLs or
// SQLite files) and, per data category, one query with the named
// parameters :target_type, :target_value, :from and :to. The values are
// always bound as arguments, never written into the SQL. Queries run
// read-only, enforced by the database: PostgreSQL in a READ ONLY
// transaction with a statement timeout, SQLite on a file opened with
// mode=ro and query_only. Rows are streamed into a CSV file: a header of
// the column names, times in RFC 3339 UTC, NULL as an empty field, binary
// values in standard base64.
//
// The package knows nothing of requests, approvals or the store: its
// caller decides which categories, targets and window were approved.
package gather

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// Set is a parsed connectors file: its sources and queries. It is safe
// for concurrent use; Close it when done. A nil *Set is a server with no
// connectors file: it has no query, and gathers nothing.
type Set struct {
	sources map[string]*source
	queries map[dueprocess.DataCategory]*query
	contact *query // nil when no contact query is configured
}

// query is one configured query, rewritten for its source's driver.
type query struct {
	name   string // the category, or "contact"
	src    *source
	sql    string
	params []string // the parameter bound to each placeholder, in order
}

// Load reads and checks the connectors file at path. Errors name the file
// and line. No database is contacted.
func Load(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("connectors: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("connectors: %w", err)
	}
	s, err := parse(data)
	if err != nil {
		return nil, invalid("connectors file "+path, err)
	}
	return s, nil
}

// Parse checks a connectors file's contents and returns its Set. Errors
// are Invalid and name the line and the key at fault. No database is
// contacted, but the Set holds connection pools: Close it.
func Parse(data []byte) (*Set, error) {
	s, err := parse(data)
	if err != nil {
		return nil, invalid("connectors file", err)
	}
	return s, nil
}

func parse(data []byte) (*Set, error) {
	f, root, err := decode(data)
	if err != nil {
		return nil, err
	}
	return build(f, root)
}

func invalid(what string, err error) error {
	return &dueprocess.Error{Kind: dueprocess.Invalid, Message: what + ": " + err.Error()}
}

// Has reports whether a query is configured for category c.
func (s *Set) Has(c dueprocess.DataCategory) bool {
	if s == nil {
		return false
	}
	_, ok := s.queries[c]
	return ok
}

// Categories lists the categories that have a query, in the order of
// dueprocess.DataCategories.
func (s *Set) Categories() []dueprocess.DataCategory {
	var out []dueprocess.DataCategory
	for _, c := range dueprocess.DataCategories {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// HasContact reports whether a contact query is configured.
func (s *Set) HasContact() bool { return s != nil && s.contact != nil }

// Undated lists the categories whose query does not use both :from and
// :to, so that every row of the target is gathered whatever the approved
// window. That is right for data with no date, such as subscriber
// records, and a mistake for logs; "connectors check" shows the list.
func (s *Set) Undated() []dueprocess.DataCategory {
	var out []dueprocess.DataCategory
	for _, c := range s.Categories() {
		q := s.queries[c]
		if !slices.Contains(q.params, ParamFrom) || !slices.Contains(q.params, ParamTo) {
			out = append(out, c)
		}
	}
	return out
}

// String describes the set, with every password hidden.
func (s *Set) String() string {
	if s == nil {
		return "no connectors"
	}
	var src []string
	for _, name := range sortedKeys(s.sources) {
		src = append(src, s.sources[name].String())
	}
	var cats []string
	for _, c := range s.Categories() {
		cats = append(cats, string(c))
	}
	if s.contact != nil {
		cats = append(cats, "contact")
	}
	return fmt.Sprintf("sources %s; queries %s", strings.Join(src, ", "), strings.Join(cats, ", "))
}

// Close closes the sources' connection pools.
func (s *Set) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, src := range s.sources {
		if src.db != nil {
			errs = append(errs, src.db.Close())
		}
	}
	return errors.Join(errs...)
}
