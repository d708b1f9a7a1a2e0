package gather

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// Limits and defaults of a connectors file.
const (
	maxFileSize    = 1 << 20 // a real file is a few kilobytes
	DefaultMaxRows = 100000
	DefaultTimeout = 30 * time.Second
	maxTimeout     = time.Hour
)

// file is the shape of a connectors file.
type file struct {
	Sources    map[string]*sourceFile `yaml:"sources"`
	Categories map[string]*queryFile  `yaml:"categories"`
	Contact    *queryFile             `yaml:"contact"`
}

type sourceFile struct {
	Type    string `yaml:"type"`
	URL     string `yaml:"url"`
	MaxRows *int   `yaml:"max_rows"`
	Timeout string `yaml:"timeout"`
}

type queryFile struct {
	Source string `yaml:"source"`
	Query  string `yaml:"query"`
}

var sourceName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// fieldNotFound is how go.yaml.in/yaml/v3 words an unknown key.
var fieldNotFound = regexp.MustCompile(`^(line \d+): field (\S+) not found in type \S+$`)

// cannotUnmarshal is how it words a value of the wrong type.
var cannotUnmarshal = regexp.MustCompile("^(line \\d+): cannot unmarshal !!\\w+ `(.*)` into (\\S+)$")

// decode reads data into a file, refusing unknown keys. It also returns the
// document's tree, from which errors take their line numbers.
func decode(data []byte) (*file, *yaml.Node, error) {
	if len(data) > maxFileSize {
		return nil, nil, fmt.Errorf("the file is %d bytes; a connectors file may have at most %d", len(data), maxFileSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, yamlError(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("the file holds no mapping; it needs \"sources:\" and \"categories:\" (see docs/disclosure.md)")
	}
	if err := refuseAliases(&doc); err != nil {
		return nil, nil, err
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, nil, yamlError(err)
	}
	return &f, doc.Content[0], nil
}

// refuseAliases refuses anchors and aliases: a connectors file has no use
// for them, and without them no part of the file is read twice.
func refuseAliases(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fmt.Errorf("line %d: YAML anchors and aliases are not allowed", n.Line)
	}
	for _, c := range n.Content {
		if err := refuseAliases(c); err != nil {
			return err
		}
	}
	return nil
}

// yamlError rewords the YAML library's errors: "unknown key" instead of
// the Go type it meant to fill.
func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if g := fieldNotFound.FindStringSubmatch(m); g != nil {
			m = fmt.Sprintf("%s: unknown key %q", g[1], g[2])
		} else if g := cannotUnmarshal.FindStringSubmatch(m); g != nil {
			want := "a " + g[3]
			if strings.HasPrefix(g[3], "int") || strings.HasPrefix(g[3], "*int") {
				want = "a whole number"
			}
			m = fmt.Sprintf("%s: %q is not %s", g[1], g[2], want)
		}
		msgs[i] = m
	}
	return errors.New(strings.Join(msgs, "; "))
}

// lineOf returns the line of the value at path in the tree, or of the
// deepest key on the path that exists, for errors about it.
func lineOf(n *yaml.Node, path ...string) int {
	line := n.Line
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, next = n.Content[i].Line, n.Content[i+1]
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// build checks a decoded file and makes its Set. Each error names the line
// and the key at fault.
func build(f *file, root *yaml.Node) (*Set, error) {
	fail := func(path []string, format string, args ...any) error {
		path = slices.DeleteFunc(path, func(k string) bool { return k == "" })
		return fmt.Errorf("line %d: %s: %s", lineOf(root, path...), strings.Join(path, "."), fmt.Sprintf(format, args...))
	}
	if len(f.Sources) == 0 {
		return nil, fail([]string{"sources"}, "at least one source is needed")
	}
	s := &Set{sources: map[string]*source{}, queries: map[dueprocess.DataCategory]*query{}}
	for _, name := range sortedKeys(f.Sources) {
		src, err := newSource(name, f.Sources[name], func(key, format string, args ...any) error {
			return fail([]string{"sources", name, key}, format, args...)
		})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.sources[name] = src
	}
	if len(f.Categories) == 0 && f.Contact == nil {
		s.Close()
		return nil, fail([]string{"categories"}, "no query is configured; name at least one data category (%s)", categoryList())
	}
	for _, name := range sortedKeys(f.Categories) {
		c := dueprocess.DataCategory(name)
		if !slices.Contains(dueprocess.DataCategories, c) {
			s.Close()
			return nil, fail([]string{"categories", name}, "unknown data category %q; the categories are %s", name, categoryList())
		}
		q, err := s.newQuery(name, f.Categories[name], paramNames, func(key, format string, args ...any) error {
			return fail(append([]string{"categories", name}, key), format, args...)
		})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.queries[c] = q
	}
	if f.Contact != nil {
		q, err := s.newQuery("contact", f.Contact, []string{ParamTargetType, ParamTargetValue}, func(key, format string, args ...any) error {
			return fail([]string{"contact", key}, format, args...)
		})
		if err != nil {
			s.Close()
			return nil, err
		}
		s.contact = q
	}
	return s, nil
}

// newSource checks one source and opens its (lazy) connection pool.
func newSource(name string, sf *sourceFile, fail func(key, format string, args ...any) error) (*source, error) {
	if !sourceName.MatchString(name) {
		return nil, fail("", "a source's name is 1 to 64 letters, digits, \"_\" or \"-\"")
	}
	if sf == nil {
		return nil, fail("url", "missing")
	}
	if sf.Type != "" && sf.Type != "sql" {
		return nil, fail("type", "unknown source type %q; the only type is sql", sf.Type)
	}
	src := &source{name: name, maxRows: DefaultMaxRows, timeout: DefaultTimeout}
	if sf.MaxRows != nil {
		if *sf.MaxRows < 1 {
			return nil, fail("max_rows", "%d is not a positive number of rows", *sf.MaxRows)
		}
		src.maxRows = *sf.MaxRows
	}
	if sf.Timeout != "" {
		d, err := time.ParseDuration(sf.Timeout)
		if err != nil || d < time.Millisecond || d > maxTimeout {
			return nil, fail("timeout", "%q is not a duration from 1ms to 1h, such as 30s or 2m", sf.Timeout)
		}
		src.timeout = d
	}
	if strings.TrimSpace(sf.URL) == "" {
		return nil, fail("url", "missing; give a postgres:// URL or the path of a SQLite file")
	}
	if err := src.open(sf.URL); err != nil {
		return nil, fail("url", "%v", err)
	}
	return src, nil
}

// newQuery checks one query and rewrites it for its source's driver.
func (s *Set) newQuery(name string, qf *queryFile, allowed []string, fail func(key, format string, args ...any) error) (*query, error) {
	if qf == nil || strings.TrimSpace(qf.Query) == "" {
		return nil, fail("query", "missing; give the SQL that selects this data for :target_value")
	}
	src, err := s.pickSource(qf.Source)
	if err != nil {
		return nil, fail("source", "%v", err)
	}
	r, err := rewrite(qf.Query, src.dialect, allowed)
	if err != nil {
		return nil, fail("query", "%v", err)
	}
	// A query that ignores the target would hand over every user's data
	// for each request.
	if !r.uses(ParamTargetValue) {
		return nil, fail("query", "the query does not use :target_value, so it would return the same rows for every target")
	}
	return &query{name: name, src: src, sql: r.text, params: r.params}, nil
}

// pickSource returns the named source, or the only one when name is empty.
func (s *Set) pickSource(name string) (*source, error) {
	if name == "" {
		if len(s.sources) == 1 {
			for _, src := range s.sources {
				return src, nil
			}
		}
		return nil, fmt.Errorf("missing; with several sources each query names one (%s)", strings.Join(sortedKeys(s.sources), ", "))
	}
	src, ok := s.sources[name]
	if !ok {
		return nil, fmt.Errorf("no source is named %q; the sources are %s", name, strings.Join(sortedKeys(s.sources), ", "))
	}
	return src, nil
}

func categoryList() string {
	names := make([]string, len(dueprocess.DataCategories))
	for i, c := range dueprocess.DataCategories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
