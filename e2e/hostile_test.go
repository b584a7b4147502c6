package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	pec "github.com/payforge/wechatpay/gen/passwordexemptcontract"
	"github.com/payforge/wechatpay/wechatpay"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
	"github.com/payforge/wechatpay/wechatpay/wechatpaytest/contracts"
)

// hostileValue is a value a caller might put in a path or a query, by
// mistake or on an attacker's behalf.
type hostileValue struct {
	name  string
	value string
}

// hostileValues are sent as path values and as query values.
var hostileValues = []hostileValue{
	// Separators.
	{"slash", "/"},
	{"slashes around", "/a/"},
	{"backslash", `\`},
	{"semicolon", ";"},
	{"semicolon parameter", "a;b=c"},
	{"comma", ","},
	{"ampersand", "&"},
	{"equals", "="},
	{"plus", "+"},
	{"question mark", "?"},
	{"query inside", "?q=1&r=2"},
	{"hash", "#"},
	{"fragment inside", "a#frag"},
	{"colon and at", "user:pass@host"},
	// Dot segments, plain and encoded.
	{"dot", "."},
	{"dot dot", ".."},
	{"three dots", "..."},
	{"dot slash", "./"},
	{"dot dot slash", "../"},
	{"traversal", "../../etc/passwd"},
	{"dot dot encoded slash", "..%2F"},
	{"encoded dots", "%2e%2e"},
	// Percent signs and encoded separators.
	{"encoded slash", "%2F"},
	{"encoded slash lower case", "%2f"},
	{"double-encoded slash", "%252F"},
	{"lone percent", "%"},
	{"bad escape", "%zz"},
	{"encoded NUL", "%00"},
	{"encoded CRLF", "%0D%0A"},
	// Control characters and NUL.
	{"newline", "a\nb"},
	{"carriage return", "a\rb"},
	{"header injection", "a\r\nX-Injected: 1"},
	{"tab", "a\tb"},
	{"DEL", "\x7f"},
	{"NUL", "a\x00b"},
	// Size.
	{"10 KiB of letters", strings.Repeat("a", 10<<10)},
	{"10 KiB of separators and CJK", strings.Repeat("/%.中", 10<<10/6)},
	// Not UTF-8.
	{"byte 0xff", "\xff"},
	{"overlong NUL", "\xc0\x80"},
	{"truncated sequence", "a\xe4\xb8"},
	// Unicode look-alikes and invisible characters.
	{"full-width solidus", "／"},
	{"full-width backslash", "＼"},
	{"full-width dots", "．．"},
	{"division slash", "∕"},
	{"fraction slash", "⁄"},
	{"RTL override", "abc\u202edef"},
	{"zero-width space", "a\u200bb"},
	{"BOM", "\ufeffa"},
	// Spaces, quotes, braces, non-ASCII, emoji.
	{"space", " "},
	{"spaces inside", "a b c"},
	{"double quote", `"`},
	{"single quote", "'"},
	{"angle brackets", "<script>"},
	{"braces", "{v}"},
	{"lone brace", "{"},
	{"Chinese", "中文"},
	{"emoji", "😀"},
	{"flag emoji", "🇨🇳"},
	{"empty", ""},
	// A contract code followed by the rest of another operation's path.
	{"another operation's path", wxwtdkCode + "/terminate"},
}

// wxwtdkCode is the official example contract's out_contract_code.
const wxwtdkCode = "wxwtdk20200910100000"

// pathRefused names the values Client.Call refuses as a path value before
// sending anything: the empty value, "." and ".." (a server would take them
// for dot segments), and the values that are not UTF-8. Every other value is
// sent, escaped into one segment.
var pathRefused = map[string]bool{
	"empty": true, "dot": true, "dot dot": true,
	"byte 0xff": true, "overlong NUL": true, "truncated sequence": true,
}

// hostileQueryOnly are query values that only mean something in a query.
var hostileQueryOnly = []hostileValue{
	{"pairs", "a=b&c=d"},
	{"repeated name", "x&q=y"},
	{"leading equals", "=x"},
	{"plus as space", "a+b"},
	{"encoded space", "a%20b"},
}

// hostileTally counts what became of hostile values sent through the runtime.
type hostileTally struct{ values, rejected, exact int }

func (h hostileTally) describe(kind string) string {
	return fmt.Sprintf("%d %s values (%d rejected before sending, %d arrived byte-exact)", h.values, kind, h.rejected, h.exact)
}

// TestHostileInputs sends each hostile value (a) as out_contract_code through
// the generated client, which must refuse it before sending, and (b) as a path
// value and as a query value through Client.Call to the independent stand-in:
// a path value is refused before sending exactly when pathRefused names it,
// and otherwise arrives byte for byte in its own segment; every query value
// arrives byte for byte; each under a signature over exactly the request
// target sent.
func TestHostileInputs(t *testing.T) {
	ctx := context.Background()
	k := loadKeys(t)
	s := newStandIn(t, k)
	s.script(answer{body: `{}`})
	rt := newRuntime(t, k, s.URL, s.Client())
	c := pec.NewClient(rt)

	queryValues := append(append([]hostileValue(nil), hostileValues...), hostileQueryOnly...)
	if len(hostileValues) < 30 || len(queryValues) < 30 {
		t.Fatalf("%d path and %d query values, want at least 30 each", len(hostileValues), len(queryValues))
	}

	// (a) The generated client: out_contract_code is [0-9A-Za-z]{1,32}, and
	// none of these values is.
	validateRejected := 0
	var terminate wechatpay.Operation // the dispatch entry point tools use
	for _, op := range pec.Operations {
		if op.ID == "terminateByCode" {
			terminate = op
		}
	}
	for _, hv := range queryValues {
		if codePattern.MatchString(hv.value) {
			t.Fatalf("%s: a valid contract code is not hostile", hv.name)
		}
		before := len(s.requests())
		_, errTerminate := c.TerminateByCode(ctx, &pec.TerminateByCodeRequest{ServiceID: familyServiceID, OutContractCode: hv.value, ContractTerminationRemark: "用户解约"})
		_, errQuery := c.QueryByCode(ctx, &pec.QueryByCodeRequest{ServiceID: familyServiceID, OutContractCode: hv.value})
		_, errOperation := terminate.Call(ctx, rt, map[string]string{"service_id": "12535", "out_contract_code": hv.value}, []byte(`{"contract_termination_remark":"用户解约"}`))
		rejected := true
		for _, err := range []error{errTerminate, errQuery, errOperation} {
			recorded.sawError(err)
			var verr *wechatpay.ValidationError
			if !errors.As(err, &verr) || verr.Field != "out_contract_code" {
				t.Errorf("generated client, %s: %v, want a *wechatpay.ValidationError on out_contract_code", hv.name, err)
				rejected = false
			}
		}
		if n := len(s.requests()) - before; n != 0 {
			t.Errorf("generated client, %s: %d requests sent, want 0", hv.name, n)
			rejected = false
		}
		if rejected {
			validateRejected++
		}
	}

	// (b) The escape hatch, path values.
	const pathTemplate = "/v3/x/{v}/y"
	body := `{"remark":"x"}`
	paths := hostileTally{values: len(hostileValues)}
	for _, hv := range hostileValues {
		before := len(s.requests())
		err := rt.Call(ctx, http.MethodPost, pathTemplate, map[string]string{"v": hv.value}, nil, []byte(body), nil)
		recorded.sawError(err)
		got := s.requests()[before:]
		var verr *wechatpay.ValidationError
		switch {
		case pathRefused[hv.name]:
			if !errors.As(err, &verr) || len(got) != 0 {
				t.Errorf("path %s: %v with %d requests sent, want a *wechatpay.ValidationError and none", hv.name, err, len(got))
				continue
			}
			paths.rejected++
		case err != nil:
			t.Errorf("path %s: %v, want success", hv.name, err)
		case len(got) != 1:
			t.Errorf("path %s: %d requests received, want 1", hv.name, len(got))
		default:
			r := got[0]
			segments := strings.Split(r.escapedPath, "/")
			ok := checkReceived(t, "path "+hv.name, r, http.MethodPost, body)
			if len(segments) != 5 || segments[0] != "" || segments[1] != "v3" || segments[2] != "x" || segments[4] != "y" {
				t.Errorf("path %s: escaped path has segments %q, want [\"\" v3 x VALUE y]", hv.name, short(strings.Join(segments, " | ")))
				ok = false
			} else if v, err := url.PathUnescape(segments[3]); err != nil || v != hv.value {
				t.Errorf("path %s: segment %q decodes to %q (%v), want %q", hv.name, short(segments[3]), short(v), err, short(hv.value))
				ok = false
			}
			if len(r.query) != 0 {
				t.Errorf("path %s: arrived with a query %q", hv.name, short(r.query.Encode()))
				ok = false
			}
			if ok {
				paths.exact++
			}
		}
	}

	// (b) The escape hatch, query values.
	queries := hostileTally{values: len(queryValues)}
	for _, hv := range queryValues {
		before := len(s.requests())
		err := rt.Call(ctx, http.MethodGet, "/v3/x", nil, url.Values{"q": {hv.value}}, nil, nil)
		recorded.sawError(err)
		got := s.requests()[before:]
		switch {
		case err != nil:
			t.Errorf("query %s: %v, want success: no query value is refused", hv.name, err)
		case len(got) != 1:
			t.Errorf("query %s: %d requests received, want 1", hv.name, len(got))
		default:
			r := got[0]
			ok := checkReceived(t, "query "+hv.name, r, http.MethodGet, "")
			if r.escapedPath != "/v3/x" {
				t.Errorf("query %s: arrived at path %q, want /v3/x", hv.name, short(r.escapedPath))
				ok = false
			}
			if len(r.query) != 1 || len(r.query["q"]) != 1 || r.query["q"][0] != hv.value {
				t.Errorf("query %s: arrived as %q, want q=%q only", hv.name, short(fmt.Sprint(r.query)), short(hv.value))
				ok = false
			}
			if ok {
				queries.exact++
			}
		}
	}
	if paths.rejected != len(pathRefused) || paths.rejected+paths.exact != paths.values ||
		queries.exact != queries.values || validateRejected != len(queryValues) {
		t.Errorf("not every hostile value was accounted for")
	}
	if !t.Failed() {
		fmt.Printf("hostile inputs: %s, %s, generated client: %d rejected by Validate\n",
			paths.describe("path"), queries.describe("query"), validateRejected)
	}
}

// checkReceived checks the method, body and signature of a request the
// stand-in received.
func checkReceived(t *testing.T, what string, r receivedRequest, method, body string) bool {
	t.Helper()
	ok := true
	if !r.signatureOK {
		t.Errorf("%s: the stand-in's signature check over the request target %q failed: %s", what, short(r.requestURI), r.problem)
		ok = false
	}
	if r.method != method || r.body != body {
		t.Errorf("%s: arrived as %s with body %q, want %s with %q", what, r.method, short(r.body), method, body)
		ok = false
	}
	return ok
}

// short keeps failure messages about the 10 KiB values readable.
func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// sandboxAnswer is what the sandbox must make of a request: refused before
// sending (a *wechatpay.ValidationError), a success, or an error answer with
// this status and code, and for PARAM_ERROR this detail field.
type sandboxAnswer struct {
	status int // 0: refused by Client.Call, nothing sent; 200: success
	code   string
	field  string
}

func (a sandboxAnswer) String() string {
	switch a.status {
	case 0:
		return "refused before sending"
	case http.StatusOK:
		return "200"
	}
	s := fmt.Sprintf("%d %s", a.status, a.code)
	if a.field != "" {
		s += " on " + a.field
	}
	return s
}

var (
	refusedBeforeSending = sandboxAnswer{}
	answeredOK           = sandboxAnswer{status: http.StatusOK}
	codeBreaksPattern    = sandboxAnswer{http.StatusBadRequest, "PARAM_ERROR", "out_contract_code"}
	noSuchOperation      = sandboxAnswer{http.StatusNotFound, "INVALID_REQUEST", ""}
)

// sandboxAnswerOf classifies what a call returned; ok is false for anything
// that is neither a success, a ValidationError nor an APIError.
func sandboxAnswerOf(err error) (a sandboxAnswer, ok bool) {
	var verr *wechatpay.ValidationError
	var apiErr *wechatpay.APIError
	switch {
	case err == nil:
		return answeredOK, true
	case errors.As(err, &verr):
		return refusedBeforeSending, true
	case errors.As(err, &apiErr):
		a = sandboxAnswer{status: apiErr.StatusCode, code: apiErr.Code}
		if apiErr.Detail != nil && apiErr.Code == "PARAM_ERROR" {
			a.field = apiErr.Detail.Field
		}
		return a, true
	}
	return sandboxAnswer{}, false
}

// TestHostileInputsSandbox sends every hostile value through Client.Call to
// the sandbox, which checks the signature over the request target as it
// received it and routes on the escaped path, one segment per parameter, as
// WeChat Pay does. Each value goes four ways, with the answer each must get:
//
//   - as out_contract_code of the query (GET): refused before sending when
//     pathRefused names it, otherwise 400 PARAM_ERROR on out_contract_code,
//     since no hostile value matches the code's pattern ^[0-9A-Za-z]{1,32}$;
//   - as out_contract_code of the termination (POST): the same;
//   - as out_contract_code of the query path with POST, which no operation
//     has: refused before sending, or 404 INVALID_REQUEST (the sandbox's
//     answer for an unknown route), never a termination;
//   - as an unknown query parameter of the example contract's query: 200 with
//     that contract (the sandbox, like kin-openapi, ignores query parameters
//     the spec does not declare; WeChat Pay documents nothing about them).
//
// Never a 401 (every signature covers what was sent), never anything but
// these answers, and the example contract is still active afterwards. A
// value holding "/" is sent as one segment (%2F): its rows hold only while
// the sandbox routes on the escaped path (issue 13, item 1); before that it
// answered 404, and POST of "wxwtdk20200910100000/terminate" to the query
// path terminated the contract.
func TestHostileInputsSandbox(t *testing.T) {
	ctx := context.Background()
	srv, rt, _ := familySandbox(t, wechatpaytest.Options{NoNotifications: true})
	const queryPath = "/v3/password-exempt-contract/contracts/service-id/{service_id}/out-contract-code/{out_contract_code}"
	example := map[string]string{"service_id": "12535", "out_contract_code": wxwtdkCode}
	remark := map[string]string{"contract_termination_remark": "用户解约"}
	tally := map[string]int{} // answer -> how many
	values := append(append([]hostileValue(nil), hostileValues...), hostileQueryOnly...)
	for _, hv := range values {
		params := map[string]string{"service_id": "12535", "out_contract_code": hv.value}
		inPath := codeBreaksPattern
		unknownRoute := noSuchOperation
		if pathRefused[hv.name] {
			inPath, unknownRoute = refusedBeforeSending, refusedBeforeSending
		}
		var query pec.QueryByCodeResponse
		checks := []struct {
			what string
			err  error
			want sandboxAnswer
		}{
			{"query, path value", rt.Call(ctx, http.MethodGet, queryPath, params, nil, nil, nil), inPath},
			{"terminate, path value", rt.Call(ctx, http.MethodPost, queryPath+"/terminate", params, nil, remark, nil), inPath},
			{"POST to the query path", rt.Call(ctx, http.MethodPost, queryPath, params, nil, remark, nil), unknownRoute},
			{"query value", rt.Call(ctx, http.MethodGet, queryPath, example, url.Values{"q": {hv.value}}, nil, &query), answeredOK},
		}
		for _, c := range checks {
			recorded.sawError(c.err)
			got, ok := sandboxAnswerOf(c.err)
			switch {
			case !ok:
				t.Errorf("%s %s: %v (%T), want %v", c.what, hv.name, c.err, c.err, c.want)
			case got != c.want:
				note := ""
				if strings.Contains(hv.value, "/") {
					note = " (a value holding \"/\": one segment only when the sandbox routes on the escaped path)"
				}
				t.Errorf("%s %s: %v, want %v%s", c.what, hv.name, got, c.want, note)
			default:
				tally[got.String()]++
			}
		}
		if query.OutContractCode != wxwtdkCode || query.ServiceID != familyServiceID {
			t.Errorf("query value %s: answered for contract %d:%s, want 12535:%s", hv.name, query.ServiceID, query.OutContractCode, wxwtdkCode)
		}
	}
	if st := srv.State(familyServiceID, wxwtdkCode); st != contracts.Active {
		t.Errorf("the example contract is %v after the hostile values, want it still active", st)
	}
	if !t.Failed() {
		fmt.Printf("hostile inputs at the sandbox: %d values, 4 ways each: %d refused before sending, %d answered %v, %d POSTs to the query path answered %v, %d query values answered 200; never a 401, the contract still active\n",
			len(values), tally[refusedBeforeSending.String()], tally[codeBreaksPattern.String()], codeBreaksPattern,
			tally[noSuchOperation.String()], noSuchOperation, tally[answeredOK.String()])
	}
}
