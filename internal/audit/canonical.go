package audit

import (
	"bytes"
	"math"
	"unicode/utf8"
)

// canonicalIndex reports whether data is, byte for byte, what Encode
// produces for some entry, and returns that entry's index. It is Verify's
// fast path: one pass over the bytes, with no allocation, where Decode
// parses the JSON, builds the entry and encodes it again.
//
// It is deliberately conservative. It turns down some canonical entries
// that are rare in practice (any string with an escape or a DEL byte, a
// body nested more than maxCanonicalDepth deep), and the caller then
// falls back to Decode, which also gives the precise error for bytes that
// really are bad. What it must never do is accept bytes that Decode
// rejects, or give another index: FuzzCanonicalIndex checks both.
func canonicalIndex(data []byte) (index int64, ok bool) {
	s := canonScanner{b: data}
	if !s.lit(`{"index":`) {
		return 0, false
	}
	if index, ok = s.index(); !ok {
		return 0, false
	}
	if !s.lit(`,"time":"`) || !s.time() || !s.lit(`","actor":{"type":`) || !s.token(false) {
		return 0, false
	}
	if s.lit(`,"id":`) {
		// Encode leaves an empty id out, so a canonical one is never "".
		if start := s.i; !s.str() || s.i-start == 2 {
			return 0, false
		}
	}
	if !s.lit(`},"action":`) || !s.token(true) || !s.lit(`,"object":`) || !s.str() || !s.lit(`,"body":`) {
		return 0, false
	}
	if s.i >= len(s.b) || s.b[s.i] != '{' || !s.value(0) {
		return 0, false
	}
	if !s.lit(`}`) || s.i != len(s.b) {
		return 0, false
	}
	return index, true
}

// maxCanonicalDepth bounds the nesting canonicalIndex follows in a body;
// deeper bodies go to Decode.
const maxCanonicalDepth = 32

// canonScanner walks the bytes of an entry from b[i] on.
type canonScanner struct {
	b []byte
	i int
}

// lit consumes p if the bytes go on with it.
func (s *canonScanner) lit(p string) bool {
	if len(s.b)-s.i < len(p) || string(s.b[s.i:s.i+len(p)]) != p {
		return false
	}
	s.i += len(p)
	return true
}

// index consumes a non-negative int64 written as strconv.AppendInt
// writes it: no sign, no leading zero, no overflow.
func (s *canonScanner) index() (int64, bool) {
	start := s.i
	var n int64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		d := int64(s.b[s.i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 1 && s.b[start] == '0' {
		return 0, false
	}
	return n, true
}

// time consumes a time as Encode writes it: UTC in RFC 3339 with the
// fraction's trailing zeros (and a dot with nothing after it) left out,
// in years 1 to 9999, and not the zero time, which Encode refuses.
func (s *canonScanner) time() bool {
	b := s.b[s.i:]
	const fixed = len("2006-01-02T15:04:05")
	if len(b) < fixed+1 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return false
	}
	i := fixed
	if b[i] == '.' {
		i++
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == start || i-start > 9 || b[i-1] == '0' {
			return false
		}
	} else if year == 1 && month == 1 && day == 1 && hour == 0 && minute == 0 && sec == 0 {
		return false
	}
	if i >= len(b) || b[i] != 'Z' {
		return false
	}
	s.i += i + 1
	return true
}

// daysIn returns the number of days in month of year, in the proleptic
// Gregorian calendar that package time uses.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// token consumes a quoted string whose text isToken accepts.
func (s *canonScanner) token(dots bool) bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	end := bytes.IndexByte(s.b[s.i+1:], '"')
	if end < 0 || !isToken(s.b[s.i+1:s.i+1+end], dots) {
		return false
	}
	s.i += end + 2
	return true
}

// str consumes a quoted string that encoding/json writes back unchanged
// and that needs no escape: valid UTF-8 without control characters, '"',
// '\\', the HTML characters '<', '>' and '&', DEL, U+2028 and U+2029.
// Strings with any of these go to Decode instead.
func (s *canonScanner) str() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	for i := s.i + 1; i < len(s.b); {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return true
		case c < 0x20 || c == '\\' || c == '<' || c == '>' || c == '&' || c == 0x7f:
			return false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(s.b[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return false
			}
			i += size
		}
	}
	return false
}

// value consumes a JSON value as json.Marshal writes what a Decoder with
// UseNumber read: objects with their keys strictly increasing (sorted, no
// key twice), no whitespace, numbers with their literal text.
func (s *canonScanner) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case (c == '{' || c == '[') && depth > maxCanonicalDepth:
		return false
	case c == '{':
		s.i++
		if s.lit(`}`) {
			return true
		}
		var prev []byte
		for {
			start := s.i
			if !s.str() {
				return false
			}
			// Keys need no escape here, so their bytes are their text,
			// and encoding/json sorts map keys by their bytes.
			key := s.b[start+1 : s.i-1]
			if prev != nil && bytes.Compare(prev, key) >= 0 {
				return false
			}
			prev = key
			if !s.lit(`:`) || !s.value(depth+1) {
				return false
			}
			if s.lit(`}`) {
				return true
			}
			if !s.lit(`,`) {
				return false
			}
		}
	case c == '[':
		s.i++
		if s.lit(`]`) {
			return true
		}
		for {
			if !s.value(depth + 1) {
				return false
			}
			if s.lit(`]`) {
				return true
			}
			if !s.lit(`,`) {
				return false
			}
		}
	case c == '"':
		return s.str()
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *canonScanner) number() bool {
	b, i := s.b, s.i
	digits := func() int {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}
