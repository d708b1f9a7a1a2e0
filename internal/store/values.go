package store

import (
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// timeLayout is how SQLite stores instants: UTC with a fixed number of
// digits, so that text order is time order. PostgreSQL gets a time.Time.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// ts converts t to the value the database stores.
func (db *DB) ts(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// tsOrNil is ts for optional instants.
func (db *DB) tsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.ts(*t)
}

// dateOrNil converts a calendar date to its stored form, NULL when zero.
func dateOrNil(d dueprocess.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// textOrNil stores "" as NULL.
func textOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeCol scans an instant stored by either database.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T as a time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	for _, layout := range []string{timeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			*c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot parse %q as a time", s)
}

// nullTimeCol scans an optional instant.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

// dateCol scans a calendar date, NULL as the zero Date.
type dateCol struct{ d *dueprocess.Date }

func (c dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.d = dueprocess.Date{}
	case time.Time:
		*c.d = dueprocess.DateOf(v)
	case string, []byte:
		s := fmt.Sprint(v)
		if b, ok := v.([]byte); ok {
			s = string(b)
		}
		if len(s) > 10 {
			s = s[:10] // "2026-03-01T00:00:00Z" from a DATE column
		}
		d, err := dueprocess.ParseDate(s)
		if err != nil {
			return err
		}
		*c.d = d
	default:
		return fmt.Errorf("cannot scan %T as a date", src)
	}
	return nil
}

// nullString scans text that may be NULL into a plain string.
type nullString struct{ s *string }

func (c nullString) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot scan %T as text", src)
	}
	return nil
}
