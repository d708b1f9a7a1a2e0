package dueprocess

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. The web
// layer maps each kind to one HTTP status in a single table.
type Kind string

const (
	Invalid         Kind = "invalid"         // the input is wrong; the message says how
	NotFound        Kind = "not_found"       // no such object, or not visible to the caller
	Conflict        Kind = "conflict"        // the change clashes with stored state
	Unauthenticated Kind = "unauthenticated" // no credentials, or bad ones
	Forbidden       Kind = "forbidden"       // authenticated but not allowed
	TooLarge        Kind = "too_large"       // a body or file over its limit
	Gone            Kind = "gone"            // it existed, and is no more (a package downloaded once)
	RateLimited     Kind = "rate_limited"    // too many calls; retry later
	Unavailable     Kind = "unavailable"     // a dependency is down; retry later
	Internal        Kind = "internal"        // a bug or an unexpected failure
)

// Error is the one error type of dueprocess. Message is safe to show to the
// caller; Err is the internal cause, which is logged but never shown.
type Error struct {
	Kind    Kind
	Message string
	Field   string // the input field at fault, for Invalid errors
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind with no message,
// so that errors.Is(err, dueprocess.ErrNotFound) works for any not-found.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Field == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is. They carry only a kind.
var (
	ErrNotFound        = &Error{Kind: NotFound}
	ErrConflict        = &Error{Kind: Conflict}
	ErrInvalid         = &Error{Kind: Invalid}
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
	ErrForbidden       = &Error{Kind: Forbidden}
)

// Errorf returns an error of the given kind with a message safe to show.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error that names the input field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err, or Internal for errors that are not ours.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorMessage returns the message of err that is safe to show, or a
// generic one for errors that are not ours.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	if errors.As(err, &e) && e.Kind != Internal {
		return string(e.Kind)
	}
	return "internal error"
}

// ErrorField returns the input field named by err, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
