package validate

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/payforge/wechatpay/wechatpay"
)

// Members is a JSON object read by Object: its members are looked up by name
// with Member and Keys. It holds the object's bytes, not a copy, and reads
// them again at each lookup: the answer checks look up a few names in a few
// objects, and reading the object once into a map would cost an allocation
// per member on every call.
//
// A name is matched as encoding/json matches an object's keys to a struct's
// fields, which is how the checked answer was decoded: after unescaping,
// without regard to case (Unicode case folding, "MCHID" is mchid), the last
// of several matching keys winning. So the checks look at exactly the values
// the decoded struct holds.
type Members struct {
	data []byte // a valid JSON object
}

// Object reads data, the JSON object at field of an answer ("" for the body
// itself), and checks that it holds each of the required properties with a
// value other than null; a missing one is a *wechatpay.DecodeError with
// wechatpay.ErrMissingField. It returns the object's members, for the
// checks of the objects inside it.
func Object(data []byte, field string, required ...string) (Members, error) {
	if !json.Valid(data) || data[skipSpace(data, 0)] != '{' {
		// Not an object: the error is encoding/json's own (or null's).
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return Members{}, &wechatpay.DecodeError{Field: field, Err: redact(err)}
		}
		return Members{}, &wechatpay.DecodeError{Field: field, Err: errors.New("null, not an object")}
	}
	obj := Members{data}
	if len(required) > 64 {
		for _, name := range required {
			if v, ok := obj.lookup(name); !ok || isNull(v) {
				return Members{}, &wechatpay.DecodeError{Field: Path(field, name), Err: wechatpay.ErrMissingField}
			}
		}
		return obj, nil
	}
	// One pass over the members: bit i of present says whether required[i]
	// was last seen with a value other than null.
	var present uint64
	obj.each(func(name, value []byte) {
		for i, want := range required {
			if keyIs(name, want) {
				if isNull(value) {
					present &^= 1 << i
				} else {
					present |= 1 << i
				}
			}
		}
	})
	for i, name := range required {
		if present&(1<<i) == 0 {
			return Members{}, &wechatpay.DecodeError{Field: Path(field, name), Err: wechatpay.ErrMissingField}
		}
	}
	return obj, nil
}

// Keys checks that obj, an object Object read at field, holds each of
// names, with any value, null included: the required properties the spec
// allows to be null. A missing one is a *wechatpay.DecodeError with
// wechatpay.ErrMissingField.
func Keys(obj Members, field string, names ...string) error {
	for _, name := range names {
		if _, ok := obj.lookup(name); !ok {
			return &wechatpay.DecodeError{Field: Path(field, name), Err: wechatpay.ErrMissingField}
		}
	}
	return nil
}

// Member returns the member name of an object Object read, and whether it is
// there with a value other than null.
func Member(obj Members, name string) ([]byte, bool) {
	v, ok := obj.lookup(name)
	return v, ok && !isNull(v)
}

// lookup returns the last value of the member name.
func (m Members) lookup(name string) (value []byte, ok bool) {
	m.each(func(n, v []byte) {
		if keyIs(n, name) {
			value, ok = v, true
		}
	})
	return value, ok
}

// each calls f with the name (as written, without its quotes) and the value
// of each member, in order. m.data is valid JSON (Object checked it), so
// the scan only needs to find where each token ends.
func (m Members) each(f func(name, value []byte)) {
	d := m.data
	if len(d) == 0 {
		return
	}
	i := skipSpace(d, 0) + 1 // past '{'
	for {
		i = skipSpace(d, i)
		if d[i] == '}' {
			return
		}
		end := stringEnd(d, i)
		name := d[i+1 : end]
		i = skipSpace(d, end+1) + 1 // past ':'
		i = skipSpace(d, i)
		vend := valueEnd(d, i)
		f(name, d[i:vend])
		i = skipSpace(d, vend)
		if d[i] == ',' {
			i++
		}
	}
}

// keyIs reports whether name, a member name as written in JSON (escapes
// and all), matches want as encoding/json matches a key to a field's name:
// equal under Unicode case folding once unescaped (invalid UTF-8 becoming
// U+FFFD). ASCII names without escapes are compared in place.
func keyIs(name []byte, want string) bool {
	plain := true
	for _, c := range name {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain && isASCII(want) {
		if len(name) != len(want) {
			return false
		}
		for i, c := range name {
			if lower(c) != lower(want[i]) {
				return false
			}
		}
		return true
	}
	quoted := make([]byte, 0, len(name)+2)
	quoted = append(append(append(quoted, '"'), name...), '"')
	var s string
	return json.Unmarshal(quoted, &s) == nil && strings.EqualFold(s, want)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the closing quote of the string that
// starts at d[i].
func stringEnd(d []byte, i int) int {
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(d)
}

// valueEnd returns the index just past the value that starts at d[i].
func valueEnd(d []byte, i int) int {
	switch d[i] {
	case '"':
		return stringEnd(d, i) + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				j = stringEnd(d, j)
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(d)
	default: // a number, true, false or null
		j := i
		for j < len(d) && d[j] != ',' && d[j] != '}' && d[j] != ']' && d[j] != ' ' && d[j] != '\t' && d[j] != '\n' && d[j] != '\r' {
			j++
		}
		return j
	}
}
