package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/dueprocess/dueprocess"
)

// readJSONBody reads a JSON request body of at most max bytes. The body
// must be labelled application/json (parameters such as charset=utf-8 are
// allowed): a body sent without a type, or as a form, was not meant for a
// JSON API, and guessing would let a cross-site form post reach it.
func readJSONBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Content-Type", Message: "is required: send the body as application/json"}
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return nil, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Content-Type", Message: fmt.Sprintf("must be application/json, not %q", ct)}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &dueprocess.Error{Kind: dueprocess.TooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", max)}
	}
	if err != nil {
		return nil, dueprocess.Errorf(dueprocess.Invalid, "cannot read the body: %v", err)
	}
	return body, nil
}

// readStrict reads a small JSON body into v, as decodeStrict does.
func readStrict(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readJSONBody(w, r, 64<<10)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

// strictJSON are the options of every JSON body the API accepts. The
// standard library's encoding/json takes the last of two members with the
// same name, matches names regardless of case and turns invalid UTF-8 into
// U+FFFD without a word: a body could then say one thing to a proxy, a log
// or a person and another to us, and a mangled reference would be stored as
// if it had been sent. The JSON v2 semantics refuse all three; they are
// spelled out here so that no change of defaults can loosen them.
var strictJSON = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.MatchCaseInsensitiveNames(false),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// decodeStrict decodes exactly one JSON value into v. It refuses unknown
// fields, fields in another case than documented ("KIND"), a field given
// twice in one object, and invalid UTF-8, and names the field at fault in
// the house's path form ("legal_process.reference", "targets[0].value").
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return dueprocess.Errorf(dueprocess.Invalid, "the body is empty; a JSON object is required")
	}
	err := json.Unmarshal(body, v, strictJSON)
	if err == nil {
		return nil
	}
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.As(err, &syn):
		field := fieldPath(syn.JSONPointer)
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			return dueprocess.FieldError(field, "is given twice in the same object; give each field once")
		case errors.Is(syn.Err, io.ErrUnexpectedEOF):
			return dueprocess.Errorf(dueprocess.Invalid, "the body is not valid JSON: it ends too early")
		case strings.Contains(syn.Err.Error(), "UTF-8") || strings.Contains(syn.Err.Error(), "surrogate"):
			// The decoder's error for this is internal to it; its text is
			// the only thing that tells it apart.
			if field == "" {
				return dueprocess.Errorf(dueprocess.Invalid, "the body is not valid UTF-8 (at byte %d); JSON must be sent as UTF-8", syn.ByteOffset)
			}
			return dueprocess.FieldError(field, "is not valid UTF-8 (at byte %d); JSON must be sent as UTF-8", syn.ByteOffset)
		}
		if field != "" {
			return dueprocess.FieldError(field, "is not valid JSON: %v (at byte %d)", syn.Err, syn.ByteOffset)
		}
		return dueprocess.Errorf(dueprocess.Invalid, "the body is not valid JSON: %v (at byte %d)", syn.Err, syn.ByteOffset)
	case errors.As(err, &sem):
		field := fieldPath(sem.JSONPointer)
		switch {
		case errors.Is(sem.Err, json.ErrUnknownName):
			return dueprocess.FieldError(field, "is not a known field (names are matched exactly, as documented, in lower case)")
		case field == "" && sem.JSONKind != '{':
			return dueprocess.Errorf(dueprocess.Invalid, "the body must be a JSON object, not %s", jsonKind(sem.JSONKind))
		case sem.Err != nil && sem.GoType != nil && sem.GoType.Kind() == reflect.Struct:
			// A type's own UnmarshalJSON (a date) said what is wrong.
			return dueprocess.FieldError(field, "%v", sem.Err)
		case sem.GoType != nil:
			return dueprocess.FieldError(field, "must be %s, not %s", goKind(sem.GoType), jsonKind(sem.JSONKind))
		}
		return dueprocess.FieldError(field, "%v", sem.Err)
	}
	return dueprocess.Errorf(dueprocess.Invalid, "the body is not valid JSON: %v", err)
}

// fieldPath turns a JSON pointer ("/targets/0/value") into the field path
// the API's errors use everywhere else ("targets[0].value"). A number after
// the first token is taken for an array index: no body the API accepts has
// an object with numeric names.
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if tok == "" {
			// A member named "" must still be named, or an error about
			// it would name no field at all.
			tok = `""`
		}
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func jsonKind(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "something else"
}

func goKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}
