package emit

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/payforge/wechatpay/generator/internal/model"
)

// exampleString is the example value of a string field, the first of these
// that passes the field's rules (length, pattern, and for a path parameter
// not being "." or ".."):
//
//   - the spec's example;
//   - the field's name in angle brackets, such as "<contract_display_account>";
//   - a string built from the pattern (see sample), using the letters of
//     the field's name where the pattern allows them, such as
//     "https://notifyurl" for ^https://[^?#]+$;
//   - the same with as few characters as the pattern allows.
//
// When none passes (a pattern sample cannot satisfy, or lengths it cannot
// meet), it falls back to the spec's example, else the bracketed name, as
// they are: that example's request does not pass Validate, and the reader
// has to fill the field in.
func exampleString(s *model.Schema, name string, example any, inPath bool) string {
	var re *regexp.Regexp
	if s.Pattern != nil {
		// The builder compiled it already.
		re = regexp.MustCompile(s.Pattern.Expr)
	}
	passes := func(v string) bool {
		n := utf8.RuneCountInString(v)
		switch {
		case v == "" || !utf8.ValidString(v):
			return false
		case s.MinLength != nil && uint64(n) < *s.MinLength, s.MaxLength != nil && uint64(n) > *s.MaxLength:
			return false
		case re != nil && !re.MatchString(v):
			return false
		case inPath && (v == "." || v == ".."):
			return false
		}
		return true
	}
	ex, _ := example.(string)
	candidates := []string{ex, "<" + name + ">"}
	if re != nil {
		hint := strings.Map(func(r rune) rune {
			if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return r
			}
			return -1
		}, name)
		if v, ok := sample(s.Pattern.Expr, hint); ok {
			candidates = append(candidates, v)
		}
		if v, ok := sample(s.Pattern.Expr, ""); ok {
			candidates = append(candidates, v)
		}
	} else if (s.MinLength != nil || s.MaxLength != nil) && (s.MinLength == nil || *s.MinLength <= maxExampleLength) {
		// The name, cut or padded to fit; not padded beyond
		// maxExampleLength, which no reader would type.
		v := []rune(name)
		if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
			v = v[:*s.MaxLength]
		}
		for s.MinLength != nil && uint64(len(v)) < *s.MinLength {
			v = append(v, 'x')
		}
		candidates = append(candidates, string(v))
	}
	for _, c := range candidates {
		if passes(c) {
			return c
		}
	}
	if ex != "" {
		return ex
	}
	return "<" + name + ">"
}

// maxExampleLength is the longest string exampleString pads the field's
// name to, and maxExampleItems the most elements an example array holds: a
// spec's minLength or minItems can be as large as 2147483647, and the
// example that would meet it would not fit in memory. Above them the
// example does not pass Validate, and the reader has to fill the field in.
const (
	maxExampleLength = 256
	maxExampleItems  = 16
)

// sample returns a string the regular expression expr matches, built from its
// syntax tree: literal text as it is, the first alternative of each choice,
// and for a repeated character class the characters of hint it allows (as
// many as the repetition takes), else its minimum count of a plain character
// it allows (a letter or a digit when it can). It reports false for what it
// cannot build, such as word boundaries. The caller checks the result
// against the expression.
func sample(expr, hint string) (string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !sampleNode(&b, re, []rune(hint)) {
		return "", false
	}
	return b.String(), true
}

func sampleNode(b *strings.Builder, re *syntax.Regexp, hint []rune) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		r, ok := plainRune(re)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpCapture:
		return sampleNode(b, re.Sub[0], hint)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !sampleNode(b, sub, hint) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return sampleNode(b, re.Sub[0], hint)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		sub := re.Sub[0]
		if single(sub) {
			// Take the characters of the hint the class allows.
			var taken []rune
			for _, r := range hint {
				if hi >= 0 && len(taken) >= hi {
					break
				}
				if matchesRune(sub, r) {
					taken = append(taken, r)
				}
			}
			if len(taken) >= lo && len(taken) > 0 {
				b.WriteString(string(taken))
				return true
			}
		}
		for range lo {
			if !sampleNode(b, sub, hint) {
				return false
			}
		}
		return true
	}
	return false
}

// single reports whether re matches exactly one character.
func single(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 1
	}
	return false
}

// matchesRune reports whether r is a character re, a single-character
// expression, matches.
func matchesRune(re *syntax.Regexp, r rune) bool {
	switch re.Op {
	case syntax.OpAnyChar:
		return true
	case syntax.OpAnyCharNotNL:
		return r != '\n'
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return unicode.SimpleFold(re.Rune[0]) == r || re.Rune[0] == r || unicode.ToLower(re.Rune[0]) == unicode.ToLower(r)
		}
		return re.Rune[0] == r
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= r && r <= re.Rune[i+1] {
				return true
			}
		}
	}
	return false
}

// plainRune picks a character a single-character expression matches: a
// lower-case letter, an upper-case one or a digit when it allows one, else
// the first printable character it allows.
func plainRune(re *syntax.Regexp) (rune, bool) {
	if re.Op == syntax.OpLiteral {
		return re.Rune[0], true
	}
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
		if matchesRune(re, r) {
			return r, true
		}
	}
	if re.Op == syntax.OpCharClass {
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r-re.Rune[i] < 256; r++ {
				if unicode.IsPrint(r) && r != ' ' {
					return r, true
				}
			}
		}
	}
	return 0, false
}
