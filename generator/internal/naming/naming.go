// Package naming turns the names a spec uses (snake_case, kebab-case,
// camelCase, or words in any script) into Go identifiers and file names.
//
// Every function is deterministic: the same input gives the same output on
// every machine, so generated code never changes by itself.
package naming

import (
	"fmt"
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms maps a lower-case word to the spelling Go code uses for it: the
// common Go initialisms, plus the run-together words of WeChat Pay's field
// names (mchid, appid, openid, unionid).
var initialisms = map[string]string{
	"acl":     "ACL",
	"api":     "API",
	"appid":   "AppID",
	"ascii":   "ASCII",
	"cpu":     "CPU",
	"css":     "CSS",
	"dns":     "DNS",
	"eof":     "EOF",
	"guid":    "GUID",
	"html":    "HTML",
	"http":    "HTTP",
	"https":   "HTTPS",
	"id":      "ID",
	"ids":     "IDs",
	"ip":      "IP",
	"json":    "JSON",
	"mchid":   "MchID",
	"openid":  "OpenID",
	"qps":     "QPS",
	"ram":     "RAM",
	"rfc":     "RFC",
	"rpc":     "RPC",
	"sha256":  "SHA256",
	"sla":     "SLA",
	"smtp":    "SMTP",
	"sql":     "SQL",
	"ssh":     "SSH",
	"tcp":     "TCP",
	"tls":     "TLS",
	"ttl":     "TTL",
	"udp":     "UDP",
	"ui":      "UI",
	"uid":     "UID",
	"unionid": "UnionID",
	"uri":     "URI",
	"url":     "URL",
	"utf8":    "UTF8",
	"uuid":    "UUID",
	"xml":     "XML",
	"xsrf":    "XSRF",
	"xss":     "XSS",
}

// Words splits name into words. ASCII letters and digits make up words;
// every other ASCII character separates them; a change from lower to upper
// case starts a word ("outTradeNo" → out, Trade, No; "HTTPServer" → HTTP,
// Server). A non-ASCII letter or digit becomes a word of its own, spelled "X"
// and its code point in upper-case hex ("金" → X91D1), so that identifiers
// stay ASCII; other non-ASCII characters separate words.
func Words(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case r < utf8.RuneSelf && (isASCIILetter(r) || isASCIIDigit(r)):
			if len(cur) > 0 && isUpper(r) {
				prev := cur[len(cur)-1]
				nextLower := i+1 < len(runes) && isLower(runes[i+1])
				if isLower(prev) || isASCIIDigit(prev) || (isUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			flush()
			words = append(words, fmt.Sprintf("X%04X", r))
		default:
			flush()
		}
	}
	flush()
	return words
}

func isASCIILetter(r rune) bool { return isLower(r) || isUpper(r) }
func isASCIIDigit(r rune) bool  { return '0' <= r && r <= '9' }
func isLower(r rune) bool       { return 'a' <= r && r <= 'z' }
func isUpper(r rune) bool       { return 'A' <= r && r <= 'Z' }

// exportedWord spells one word as part of an exported identifier.
func exportedWord(w string) string {
	lower := strings.ToLower(w)
	if s, ok := initialisms[lower]; ok {
		return s
	}
	if w[0] == 'X' && len(w) > 1 && isCodePointWord(w) {
		return w
	}
	return strings.ToUpper(lower[:1]) + lower[1:]
}

// isCodePointWord reports whether w is a word Words made from a non-ASCII
// character: "X" and upper-case hex digits.
func isCodePointWord(w string) bool {
	if len(w) < 5 || w[0] != 'X' {
		return false
	}
	for _, r := range w[1:] {
		if !isASCIIDigit(r) && !('A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// Exported returns the exported Go identifier for name: service_id →
// ServiceID, mchid → MchID, terminateByCode → TerminateByCode, type → Type.
// A name that would start with a digit gets the prefix "X" (3ds → X3ds). It
// fails when name holds no letter or digit at all.
func Exported(name string) (string, error) {
	words := Words(name)
	if len(words) == 0 {
		return "", fmt.Errorf("%q has no letter or digit to make a Go name from", name)
	}
	var b strings.Builder
	for _, w := range words {
		b.WriteString(exportedWord(w))
	}
	s := b.String()
	if isASCIIDigit(rune(s[0])) {
		s = "X" + s
	}
	return s, nil
}

// Unexported returns the unexported Go identifier for name: out_contract_code
// → outContractCode, id → id, mchid → mchID, url_path → urlPath. Go keywords
// get the suffix "_" (type → type_). It fails like Exported.
func Unexported(name string) (string, error) {
	words := Words(name)
	if len(words) == 0 {
		return "", fmt.Errorf("%q has no letter or digit to make a Go name from", name)
	}
	var b strings.Builder
	for i, w := range words {
		e := exportedWord(w)
		if i == 0 {
			e = lowerFirst(e)
		}
		b.WriteString(e)
	}
	s := b.String()
	if isASCIIDigit(rune(s[0])) {
		s = "x" + s
	}
	if token.IsKeyword(s) {
		s += "_"
	}
	return s, nil
}

// lowerFirst lower-cases the leading word of an exported spelling: "ID" →
// "id", "MchID" → "mchID", "Service" → "service", "X91D1" → "x91D1".
func lowerFirst(e string) string {
	if strings.ToUpper(e) == e && !isCodePointWord(e) {
		return strings.ToLower(e)
	}
	return strings.ToLower(e[:1]) + e[1:]
}

// Snake returns name as lower-case words joined by "_", for file names:
// terminateByCode → terminate_by_code.
func Snake(name string) string {
	words := Words(name)
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return strings.Join(words, "_")
}

// Kebab returns name as lower-case words joined by "-", for command lines:
// terminateByCode → terminate-by-code, getHTTPStatus → get-http-status.
func Kebab(name string) string {
	words := Words(name)
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return strings.Join(words, "-")
}

// buildSuffixes are the last words of a file name that the go command reads
// as a build constraint (GOOS, GOARCH, or _test).
var buildSuffixes = map[string]bool{
	"test": true,
	// GOOS values.
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true,
	"hurd": true, "illumos": true, "ios": true, "js": true, "linux": true, "nacl": true,
	"netbsd": true, "openbsd": true, "plan9": true, "solaris": true, "wasip1": true,
	"windows": true, "zos": true,
	// GOARCH values.
	"386": true, "amd64": true, "amd64p32": true, "arm": true, "armbe": true, "arm64": true,
	"arm64be": true, "loong64": true, "mips": true, "mipsle": true, "mips64": true,
	"mips64le": true, "mips64p32": true, "mips64p32le": true, "ppc": true, "ppc64": true,
	"ppc64le": true, "riscv": true, "riscv64": true, "s390": true, "s390x": true,
	"sparc": true, "sparc64": true, "wasm": true,
}

// FileName returns the Go file name for a snake-case stem, with "_op" added
// when the stem's last word would make the go command treat the file as
// built only for one system or only for tests (get_linux → get_linux_op.go).
func FileName(stem string) string {
	words := strings.Split(stem, "_")
	if buildSuffixes[words[len(words)-1]] || strings.HasPrefix(stem, "_") || strings.HasPrefix(stem, ".") {
		stem += "_op"
	}
	return stem + ".go"
}

// PackageName derives a package name from a spec file's base name: the name
// without its extension, lower-cased, with everything but ASCII letters and
// digits removed (password-exempt-contract.yaml → passwordexemptcontract).
func PackageName(base string) (string, error) {
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if isLower(r) || isASCIIDigit(r) {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if err := CheckPackageName(name); err != nil {
		return "", fmt.Errorf("cannot derive a package name from %q (%v); pass -package", base, err)
	}
	return name, nil
}

// CheckPackageName reports whether name can be a Go package name.
func CheckPackageName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the package name is empty")
	case !token.IsIdentifier(name):
		return fmt.Errorf("%q is not a Go identifier", name)
	case name == "main" || name == "_":
		return fmt.Errorf("%q cannot be the name of a library package", name)
	}
	return nil
}
