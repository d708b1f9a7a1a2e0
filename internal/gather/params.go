package gather

import (
	"fmt"
	"strings"
)

// The named parameters a query may use. Their values reach the database as
// bound arguments, never as SQL text.
const (
	ParamTargetType  = "target_type"
	ParamTargetValue = "target_value"
	ParamFrom        = "from"
	ParamTo          = "to"
)

// paramNames lists the parameters in the order errors name them.
var paramNames = []string{ParamTargetType, ParamTargetValue, ParamFrom, ParamTo}

// dialect is the SQL flavour of a source.
type dialect string

const (
	postgresDialect dialect = "postgres"
	sqliteDialect   dialect = "sqlite"
)

// rewritten is a query with its named parameters turned into the driver's
// numbered placeholders: params[i] is the name bound to placeholder i+1.
type rewritten struct {
	text   string
	params []string
}

// uses reports whether the query refers to the named parameter.
func (r rewritten) uses(name string) bool {
	for _, p := range r.params {
		if p == name {
			return true
		}
	}
	return false
}

// rewrite turns the named parameters of query (":target_value") into the
// numbered placeholders of d ("$2::text" in PostgreSQL, "?2" in SQLite),
// leaving alone what only looks like one: PostgreSQL casts ("x::date"),
// string literals, quoted identifiers and comments. allowed lists the names
// the query may use. A query may hold one statement, with at most a
// trailing semicolon.
//
// In PostgreSQL the target's parameters are typed text and the window's
// timestamptz, so a query never depends on the server guessing a type from
// context; the transaction runs in UTC, so that comparing a timestamptz
// with a timestamp column compares UTC times.
func rewrite(query string, d dialect, allowed []string) (rewritten, error) {
	var out strings.Builder
	var r rewritten
	number := map[string]int{}
	s := query
	ended := false // a top-level ";" was seen
	for i := 0; i < len(s); {
		c := s[i]
		if ended && !isSpace(c) && !startsComment(s, i) {
			return r, fmt.Errorf("only one statement is allowed, but text follows the \";\" at offset %d", i-1)
		}
		n, err := skipQuoted(s, i, d)
		if err != nil {
			return r, err
		}
		if n > i {
			out.WriteString(s[i:n])
			i = n
			continue
		}
		switch {
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			out.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(s) && isIdentStart(s[i+1]):
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j])) {
				j++
			}
			name := s[i+1 : j]
			if !contains(allowed, name) {
				return r, unknownParam(name, allowed)
			}
			if _, ok := number[name]; !ok {
				r.params = append(r.params, name)
				number[name] = len(r.params)
			}
			out.WriteString(placeholder(d, name, number[name]))
			i = j
		case c == ';':
			ended = true
			out.WriteByte(c)
			i++
		default:
			if err := refusePositional(s, i, d); err != nil {
				return r, err
			}
			out.WriteByte(c)
			i++
		}
	}
	r.text = strings.TrimRight(strings.TrimSpace(out.String()), ";")
	if strings.TrimSpace(r.text) == "" {
		return r, fmt.Errorf("the query is empty")
	}
	return r, nil
}

// placeholder is the driver's placeholder for parameter number n.
func placeholder(d dialect, name string, n int) string {
	if d == sqliteDialect {
		return fmt.Sprintf("?%d", n)
	}
	if name == ParamFrom || name == ParamTo {
		return fmt.Sprintf("$%d::timestamptz", n)
	}
	return fmt.Sprintf("$%d::text", n)
}

func unknownParam(name string, allowed []string) error {
	if contains(paramNames, name) {
		return fmt.Errorf("parameter :%s cannot be used here; this query may use :%s", name, strings.Join(allowed, ", :"))
	}
	return fmt.Errorf("unknown parameter :%s; the parameters are :%s (a PostgreSQL cast is written ::type)", name, strings.Join(allowed, ", :"))
}

// refusePositional refuses the driver's own placeholders outside quotes:
// the connector binds only the named parameters, so a "$1" or "?" would
// fail at run time, or worse, be bound to a value the author did not mean.
// PostgreSQL's "?" is a jsonb operator and stays allowed there.
func refusePositional(s string, i int, d dialect) error {
	c := s[i]
	var next byte
	if i+1 < len(s) {
		next = s[i+1]
	}
	switch {
	case d == postgresDialect && c == '$' && isDigit(next):
		return fmt.Errorf("positional parameter $%c: use the named parameters :%s", next, strings.Join(paramNames, ", :"))
	case d == sqliteDialect && (c == '?' || ((c == '$' || c == '@') && (isIdentStart(next) || isDigit(next)))):
		return fmt.Errorf("SQLite parameter %q: use the named parameters :%s", string(c), strings.Join(paramNames, ", :"))
	}
	return nil
}

// skipQuoted returns the end of the literal, quoted identifier or comment
// starting at i, or i when none starts there. An unterminated one is an
// error, since the rest of the query would be read the wrong way.
func skipQuoted(s string, i int, d dialect) (int, error) {
	c := s[i]
	switch {
	case c == '\'':
		return closeQuote(s, i, '\'', escapeString(s, i, d), "string literal")
	case c == '"':
		return closeQuote(s, i, '"', false, "quoted identifier")
	case c == '`' && d == sqliteDialect:
		return closeQuote(s, i, '`', false, "quoted identifier")
	case c == '[' && d == sqliteDialect:
		if j := strings.IndexByte(s[i+1:], ']'); j >= 0 {
			return i + 1 + j + 1, nil
		}
		return 0, fmt.Errorf("unterminated [identifier] at offset %d", i)
	case c == '-' && strings.HasPrefix(s[i:], "--"):
		if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
			return i + j + 1, nil
		}
		return len(s), nil
	case c == '/' && strings.HasPrefix(s[i:], "/*"):
		return closeComment(s, i, d == postgresDialect)
	case c == '$' && d == postgresDialect && (i == 0 || !isIdentPart(s[i-1])):
		return closeDollar(s, i)
	}
	return i, nil
}

// escapeString reports whether the string literal at i is a PostgreSQL
// escape string (E'...'), in which a backslash escapes the next character.
func escapeString(s string, i int, d dialect) bool {
	if d != postgresDialect || i == 0 || (s[i-1] != 'E' && s[i-1] != 'e') {
		return false
	}
	return i == 1 || !isIdentPart(s[i-2])
}

// closeQuote finds the end of a run quoted by q, in which a doubled q
// stands for itself.
func closeQuote(s string, i int, q byte, backslash bool, what string) (int, error) {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated %s starting at offset %d", what, i)
}

// closeComment finds the end of a block comment; PostgreSQL's nest.
func closeComment(s string, i int, nested bool) (int, error) {
	depth := 0
	for j := i; j+1 < len(s); j++ {
		switch {
		case s[j] == '/' && s[j+1] == '*' && (nested || depth == 0):
			depth++
			j++
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated /* comment starting at offset %d", i)
}

// closeDollar finds the end of a PostgreSQL dollar-quoted string
// ($$...$$ or $tag$...$tag$), or returns i when the "$" starts none.
func closeDollar(s string, i int) (int, error) {
	j := i + 1
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && isIdentPart(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return i, nil
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag), nil
	}
	return 0, fmt.Errorf("unterminated dollar-quoted string %s starting at offset %d", tag, i)
}

func startsComment(s string, i int) bool {
	return strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "/*")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
