// Package specerr holds the errors the generator reports about a spec, each
// located in it: the file, the line and column where the loader recorded
// them, and a dotted path into the document. Callers tell them apart with
// errors.As, never by their text.
package specerr

import (
	"fmt"
	"strconv"
)

// Location is a place in a spec.
type Location struct {
	// File names the spec as the generator was given it.
	File string
	// Line and Column are 1-based; 0 when the loader recorded none.
	Line, Column int
	// Path is the dotted path into the document, such as
	// "paths./x.post.requestBody"; empty when the problem concerns the
	// whole file.
	Path string
}

// Position is the file and, when known, ":LINE" or ":LINE:COLUMN".
func (l Location) Position() string {
	switch {
	case l.Line == 0:
		return l.File
	case l.Column == 0:
		return l.File + ":" + strconv.Itoa(l.Line)
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
}

// suffix is " at PATH", or "" without a path.
func (l Location) suffix() string {
	if l.Path == "" {
		return ""
	}
	return " at " + l.Path
}

// UnsupportedError is a construct the generator cannot turn into correct Go
// code, such as a multipart body or a oneOf. The spec may be valid OpenAPI.
type UnsupportedError struct {
	Location
	// Reason says what is not supported, such as "multipart/form-data body".
	Reason string
}

func (e *UnsupportedError) Error() string {
	return e.Position() + ": unsupported: " + e.Reason + e.suffix()
}

// SpecError is a spec the generator refuses for a reason other than an
// unsupported construct: names that collide once converted to Go, a name
// with nothing to make a Go name of, a malformed vendor extension.
type SpecError struct {
	Location
	// Reason says what is wrong, such as "names collide after conversion
	// to Go: ...".
	Reason string
}

func (e *SpecError) Error() string {
	return e.Position() + ": " + e.Reason + e.suffix()
}

// LoadError is a document that kin-openapi cannot load (bad YAML, an
// unresolved or external $ref) or finds invalid.
type LoadError struct {
	Location
	// Invalid reports whether the document loaded but failed validation.
	Invalid bool
	// Err is kin-openapi's error.
	Err error
}

func (e *LoadError) Error() string {
	if e.Invalid {
		return e.Position() + ": invalid spec: " + e.Err.Error()
	}
	return e.Position() + ": cannot load the spec: " + e.Err.Error()
}

func (e *LoadError) Unwrap() error { return e.Err }
