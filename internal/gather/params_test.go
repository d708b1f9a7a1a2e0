package gather

import (
	"slices"
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	for _, c := range []struct {
		d          dialect
		in, want   string
		wantParams []string
	}{
		{postgresDialect, "SELECT a FROM t WHERE v = :target_value AND at >= :from AND at < :to",
			"SELECT a FROM t WHERE v = $1::text AND at >= $2::timestamptz AND at < $3::timestamptz",
			[]string{"target_value", "from", "to"}},
		{sqliteDialect, "SELECT a FROM t WHERE v = :target_value AND at >= :from AND at < :to",
			"SELECT a FROM t WHERE v = ?1 AND at >= ?2 AND at < ?3", []string{"target_value", "from", "to"}},
		// A name used twice is bound once.
		{postgresDialect, "SELECT 1 WHERE :target_type = 'x' AND :target_value = 'y' OR :target_type = 'z'",
			"SELECT 1 WHERE $1::text = 'x' AND $2::text = 'y' OR $1::text = 'z'", []string{"target_type", "target_value"}},
		// Casts, string literals, quoted identifiers and comments are left alone.
		{postgresDialect, `SELECT at::date, ':from', "a:to", E'\':to', $$ :to $$, $q$ :to $q$ /* :to /* :to */ */ -- :to
FROM t WHERE v = :target_value::bigint;`,
			`SELECT at::date, ':from', "a:to", E'\':to', $$ :to $$, $q$ :to $q$ /* :to /* :to */ */ -- :to
FROM t WHERE v = $1::text::bigint`, []string{"target_value"}},
		{sqliteDialect, "SELECT [a:to], `b:to`, 'it''s :to' FROM t WHERE v = :target_value -- done", "SELECT [a:to], `b:to`, 'it''s :to' FROM t WHERE v = ?1 -- done", []string{"target_value"}},
		// PostgreSQL's jsonb "?" operator and identifiers with "$" stay.
		{postgresDialect, "SELECT a$b FROM t WHERE j ? 'k' AND v = :target_value", "SELECT a$b FROM t WHERE j ? 'k' AND v = $1::text", []string{"target_value"}},
		// Array slices with numbers are not parameters.
		{postgresDialect, "SELECT a[1:2] FROM t WHERE v = :target_value", "SELECT a[1:2] FROM t WHERE v = $1::text", []string{"target_value"}},
	} {
		got, err := rewrite(c.in, c.d, paramNames)
		if err != nil {
			t.Errorf("rewrite(%q, %s): %v", c.in, c.d, err)
			continue
		}
		if got.text != c.want || !slices.Equal(got.params, c.wantParams) {
			t.Errorf("rewrite(%q, %s)\n got %q %v\nwant %q %v", c.in, c.d, got.text, got.params, c.want, c.wantParams)
		}
	}
}

func TestRewriteErrors(t *testing.T) {
	for _, c := range []struct {
		d        dialect
		in, want string
	}{
		{postgresDialect, "SELECT :nope", "unknown parameter :nope"},
		{postgresDialect, "SELECT 1; SELECT 2", "only one statement"},
		{postgresDialect, "SELECT 1; -- fine\n; DROP TABLE t", "only one statement"},
		{postgresDialect, "SELECT 'abc", "unterminated string literal"},
		{postgresDialect, `SELECT "abc`, "unterminated quoted identifier"},
		{postgresDialect, "SELECT /* /* */", "unterminated /* comment"},
		{postgresDialect, "SELECT $x$ abc", "unterminated dollar-quoted string $x$"},
		{postgresDialect, "SELECT $1", "positional parameter $1"},
		{sqliteDialect, "SELECT ?1", `SQLite parameter "?"`},
		{sqliteDialect, "SELECT @name", `SQLite parameter "@"`},
		{sqliteDialect, "SELECT $name", `SQLite parameter "$"`},
		{sqliteDialect, "SELECT [abc", "unterminated [identifier]"},
		{sqliteDialect, " ; ", "empty"},
	} {
		_, err := rewrite(c.in, c.d, paramNames)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rewrite(%q, %s): got %v, want an error saying %q", c.in, c.d, err, c.want)
		}
	}
}

// FuzzRewrite checks that the rewriter never panics on any text, binds
// only known parameters, and gives each a placeholder.
func FuzzRewrite(f *testing.F) {
	f.Add("SELECT a::date, ':x' FROM t WHERE v = :target_value /* :y */", true)
	f.Add("SELECT $$:to$$, E'\\'' , [x:y] FROM t WHERE v = :from", false)
	f.Fuzz(func(t *testing.T, q string, pg bool) {
		d := sqliteDialect
		if pg {
			d = postgresDialect
		}
		r, err := rewrite(q, d, paramNames)
		if err != nil {
			return
		}
		for i, p := range r.params {
			if !slices.Contains(paramNames, p) || slices.Index(r.params, p) != i {
				t.Errorf("rewrite(%q): parameters %v", q, r.params)
			}
			if ph := placeholder(d, p, i+1); !strings.Contains(r.text, ph) {
				t.Errorf("rewrite(%q) = %q, without the placeholder %s of :%s", q, r.text, ph, p)
			}
		}
	})
}
